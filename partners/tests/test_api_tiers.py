"""Tiers through the API: the same ``partners.tiers`` services as the portal's tier pages."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ecosystem.api.services import api_key_create
from ecosystem.audit.models import AuditEntry
from ecosystem.tenancy.context import tenant_context
from partners import tiers
from partners.models import PartnerOrganization, Tier, TierChange, TierEvaluation, TierMetric, TierRule
from partners.tasks import tier_evaluate_task

A = "/api/v1/t/alpha"


def make_ladder(tenant) -> dict[str, Tier]:
    """Registered (no rules), Silver (1 certified person), Gold (3 certified people)."""
    with tenant_context(tenant.pk):
        registered = Tier.objects.create(tenant=tenant, name="Registered", rank=0)
        silver = Tier.objects.create(tenant=tenant, name="Silver", rank=1, discount_percent=Decimal("10"))
        gold = Tier.objects.create(
            tenant=tenant, name="Gold", rank=2, discount_percent=Decimal("20"), mdf_eligible=True, other_benefits="Lead sharing"
        )
        TierRule.objects.create(tenant=tenant, tier=silver, metric=TierMetric.CERTIFIED_PEOPLE, minimum=1)
        TierRule.objects.create(tenant=tenant, tier=gold, metric=TierMetric.CERTIFIED_PEOPLE, minimum=3)
    return {"registered": registered, "silver": silver, "gold": gold}


@pytest.fixture
def ladder(world):
    return make_ladder(world.a.tenant)


@pytest.fixture
def certified(monkeypatch):
    """How many certified people each partner has (the training module provides this in production)."""
    counts: dict[int, int] = {}
    monkeypatch.setitem(
        tiers.FACT_PROVIDERS, TierMetric.CERTIFIED_PEOPLE, lambda tenant, ids: {i: counts[i] for i in ids if i in counts}
    )
    return counts


@pytest.fixture
def proposal(world, ladder, certified):
    """Partner 1 qualifies for Gold; the program proposes changes (no auto-apply), so it waits for approval."""
    certified[world.a.partner1.pk] = 3
    with tenant_context(world.a.tenant.pk):
        tiers.tier_evaluate_all(tenant=world.a.tenant)
    return world.a.partner1


def tier_of(world, partner) -> str | None:
    with tenant_context(world.a.tenant.pk):
        tier = PartnerOrganization.objects.select_related("tier").get(pk=partner.pk).tier
    return tier.name if tier else None


def changes(world) -> list[TierChange]:
    with tenant_context(world.a.tenant.pk):
        return list(TierChange.objects.all())


def audit(world, action: str) -> list[AuditEntry]:
    with tenant_context(world.a.tenant.pk):
        return list(AuditEntry.objects.filter(action=action))


def post(client, url: str, body: dict | None = None, **extra):
    return client.post(url, body or {}, content_type="application/json", **extra)


def key_auth(world, scope: str = "write") -> dict:
    with tenant_context(world.a.tenant.pk):
        issued = api_key_create(tenant=world.a.tenant, actor=world.a.owner, name="CRM", scope=scope)
    return {"HTTP_AUTHORIZATION": f"Bearer {issued.plaintext}"}


# --- the ladder ------------------------------------------------------------------------------


def test_staff_read_the_ladder_lowest_first_with_rules_and_benefits(client, world, ladder):
    client.force_login(world.a.analyst)
    response = client.get(f"{A}/tiers/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [t["name"] for t in results] == ["Registered", "Silver", "Gold"]
    gold = results[2]
    assert (gold["id"], gold["discount_percent"], gold["mdf_eligible"], gold["other_benefits"]) == (
        str(ladder["gold"].public_id),
        "20.00",
        True,
        "Lead sharing",
    )
    assert gold["rules"] == [{"metric": "certified_people", "label": "Certified people", "minimum": "3.00"}]
    assert results[0]["rules"] == []


def test_one_tier_by_id_and_another_programs_tier_is_not_found(client, world, ladder):
    beta_gold = make_ladder(world.b.tenant)["gold"]
    client.force_login(world.a.manager)
    assert client.get(f"{A}/tiers/{ladder['silver'].public_id}/").json()["name"] == "Silver"
    assert client.get(f"{A}/tiers/{beta_gold.public_id}/").status_code == 404


@pytest.mark.parametrize("count", [1, 5])
def test_the_ladder_costs_the_same_queries_for_any_number_of_tiers(client, world, count):
    with tenant_context(world.a.tenant.pk):
        for rank in range(count):
            tier = Tier.objects.create(tenant=world.a.tenant, name=f"Tier {rank}", rank=rank)
            TierRule.objects.create(tenant=world.a.tenant, tier=tier, metric=TierMetric.CERTIFIED_PEOPLE, minimum=rank)
    client.force_login(world.a.manager)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{A}/tiers/")
    assert response.status_code == 200
    assert len(response.json()["results"]) == count
    # 1 tenant by slug, 2 SAVEPOINT (tenant scope), 3 set_config, 4 session, 5 user, 6 membership + partner,
    # 7 the page of tiers, 8 their rules (one prefetch), 9 RELEASE, 10 set_config (outer settings back).
    assert len(queries) == 10, "\n".join(q["sql"] for q in queries.captured_queries)


# --- evaluation --------------------------------------------------------------------------------


def test_a_manager_starts_an_evaluation_that_runs_after_commit(
    client, world, ladder, certified, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(tier_evaluate_task, "apply_async", lambda args: sent.append(args))
    certified[world.a.partner1.pk] = 1
    client.force_login(world.a.manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, f"{A}/tiers/evaluate/")

    assert (response.status_code, response.json()) == (202, {"status": "queued"})
    assert sent == [[world.a.tenant.pk]]
    tier_evaluate_task(*sent[0])  # what the worker does with it
    with tenant_context(world.a.tenant.pk):
        proposed = TierEvaluation.objects.select_related("eligible_tier").get(partner=world.a.partner1)
    assert (proposed.status, proposed.eligible_tier.name) == ("proposed", "Silver")


def test_an_analyst_may_not_start_an_evaluation(client, world, ladder, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(tier_evaluate_task, "apply_async", lambda args: sent.append(args))
    client.force_login(world.a.analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, f"{A}/tiers/evaluate/")
    assert (response.status_code, response.json()["code"]) == (403, "role_forbidden")
    assert sent == []


# --- proposals -----------------------------------------------------------------------------------


def test_staff_list_pending_proposals(client, world, proposal):
    client.force_login(world.a.analyst)
    results = client.get(f"{A}/tier-proposals/").json()["results"]
    by_partner = {r["partner"]: r for r in results}
    gold = by_partner[str(world.a.partner1.public_id)]
    assert (gold["current_tier"], gold["proposed_tier"]["name"], gold["facts"]["certified_people"]) == (None, "Gold", 3)
    assert by_partner[str(world.a.partner2.public_id)]["proposed_tier"]["name"] == "Registered"


def test_approving_a_proposal_moves_the_partner_and_records_the_change(client, world, proposal):
    client.force_login(world.a.manager)
    response = post(client, f"{A}/tier-proposals/{proposal.public_id}/approve/")

    assert response.status_code == 200
    body = response.json()
    assert (body["kind"], body["to_tier"]["name"], body["from_tier"], body["changed_by"]) == (
        "approved",
        "Gold",
        None,
        world.a.manager.email,
    )
    assert "Certified people 3 ≥ 3" in body["reason"]
    assert tier_of(world, proposal) == "Gold"
    [change] = changes(world)
    assert (change.partner_id, change.kind, change.changed_by_id) == (proposal.pk, "approved", world.a.manager.pk)
    [entry] = audit(world, "tier.approve")
    assert (entry.object_id, entry.actor_id, entry.changes) == (str(proposal.public_id), world.a.manager.pk, {"tier": "Gold"})
    # the proposal is used up: approving again finds nothing waiting
    assert post(client, f"{A}/tier-proposals/{proposal.public_id}/approve/").status_code == 404


def test_a_partner_without_a_proposal_is_not_found_and_nothing_changes(client, world, ladder):
    client.force_login(world.a.manager)
    response = post(client, f"{A}/tier-proposals/{world.a.partner1.public_id}/approve/")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert tier_of(world, world.a.partner1) is None
    assert changes(world) == []


def test_an_analyst_may_not_approve_and_nothing_changes(client, world, proposal):
    client.force_login(world.a.analyst)
    response = post(client, f"{A}/tier-proposals/{proposal.public_id}/approve/")
    assert (response.status_code, response.json()["code"]) == (403, "role_forbidden")
    assert tier_of(world, proposal) is None
    assert changes(world) == []
    assert audit(world, "tier.approve") == []


def test_cannot_approve_another_programs_proposal_through_own_address(client, world, proposal):
    client.force_login(world.b.owner)
    response = post(client, f"/api/v1/t/beta/tier-proposals/{proposal.public_id}/approve/")
    assert response.status_code == 404
    assert tier_of(world, proposal) is None
    assert changes(world) == []


def test_an_api_key_approves_and_the_record_names_the_key_not_a_person(client, world, proposal):
    response = post(client, f"{A}/tier-proposals/{proposal.public_id}/approve/", **key_auth(world))

    assert response.status_code == 200
    [change] = changes(world)
    [entry] = audit(world, "tier.approve")
    assert change.changed_by_id is None and tier_of(world, proposal) is not None
    assert entry.actor_id is None and entry.actor_label.startswith("API key CRM")


# --- tier changes ----------------------------------------------------------------------------------


def test_tier_changes_are_listed_newest_first_and_filter_by_partner_and_kind(client, world, ladder):
    until = timezone.localdate() + datetime.timedelta(days=30)
    with tenant_context(world.a.tenant.pk):
        for partner, tier in ((world.a.partner1, ladder["silver"]), (world.a.partner2, ladder["gold"])):
            tiers.tier_override(
                tenant=world.a.tenant, actor=world.a.manager, partner=partner, tier=tier, reason="Launch", until=until
            )
    client.force_login(world.a.analyst)

    everything = client.get(f"{A}/tier-changes/").json()["results"]
    assert [c["partner_name"] for c in everything] == [world.a.partner2.name, world.a.partner1.name]
    only_partner1 = client.get(f"{A}/tier-changes/", {"partner": str(world.a.partner1.public_id)}).json()["results"]
    assert [(c["to_tier"]["name"], c["kind"]) for c in only_partner1] == [("Silver", "override")]
    assert client.get(f"{A}/tier-changes/", {"kind": "approved"}).json()["results"] == []


def test_an_unknown_kind_filter_answers_400_naming_the_parameter(client, world):
    client.force_login(world.a.manager)
    response = client.get(f"{A}/tier-changes/", {"kind": "sideways"})
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["attr"]) == ("invalid_choice", "kind")


def test_another_programs_partner_filter_finds_nothing(client, world, ladder):
    until = timezone.localdate() + datetime.timedelta(days=30)
    with tenant_context(world.a.tenant.pk):
        tiers.tier_override(
            tenant=world.a.tenant, actor=world.a.manager, partner=world.a.partner1, tier=ladder["gold"], reason="x", until=until
        )
    client.force_login(world.b.owner)
    response = client.get("/api/v1/t/beta/tier-changes/", {"partner": str(world.a.partner1.public_id)})
    assert (response.status_code, response.json()["results"]) == (200, [])


# --- standing and overrides ------------------------------------------------------------------------


def test_a_partners_standing_shows_its_tier_eligibility_and_what_the_next_tier_needs(client, world, proposal, certified):
    client.force_login(world.a.analyst)
    body = client.get(f"{A}/tier-standings/{world.a.partner2.public_id}/").json()
    # partner 2 has no tier yet, qualifies for Registered (no rules), and needs a certified person for Silver
    assert (body["tier"], body["eligible_tier"]["name"], body["proposal"]) == (None, "Registered", "proposed")
    assert body["next_tier"]["name"] == "Registered"
    assert body["missing"] == []
    assert body["evaluated_at"] is not None

    with tenant_context(world.a.tenant.pk):
        tiers.tier_proposal_approve(tenant=world.a.tenant, actor=world.a.manager, partner=world.a.partner2)
    body = client.get(f"{A}/tier-standings/{world.a.partner2.public_id}/").json()
    assert (body["tier"]["name"], body["proposal"], body["next_tier"]["name"]) == ("Registered", "applied", "Silver")
    assert body["missing"] == [{"metric": "certified_people", "label": "Certified people", "minimum": "1.00", "current": 0.0}]


def test_a_standing_before_any_evaluation_has_no_eligibility(client, world, ladder):
    client.force_login(world.a.manager)
    body = client.get(f"{A}/tier-standings/{world.a.partner1.public_id}/").json()
    assert (body["tier"], body["eligible_tier"], body["proposal"], body["evaluated_at"]) == (None, None, None, None)
    assert body["facts"]["certified_people"] == 0


def test_another_programs_partner_has_no_standing_here(client, world, ladder):
    client.force_login(world.b.owner)
    assert client.get(f"/api/v1/t/beta/tier-standings/{world.a.partner1.public_id}/").status_code == 404


def test_a_manager_overrides_a_tier_with_a_reason_until_a_date(client, world, ladder):
    until = timezone.localdate() + datetime.timedelta(days=90)
    client.force_login(world.a.manager)
    response = post(
        client,
        f"{A}/tier-standings/{world.a.partner1.public_id}/override/",
        {"tier": str(ladder["gold"].public_id), "reason": "Strategic launch partner", "until": until.isoformat()},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["tier"]["name"], body["tier_held_until"]) == ("Gold", until.isoformat())
    assert tier_of(world, world.a.partner1) == "Gold"
    [change] = changes(world)
    assert (change.kind, change.changed_by_id) == ("override", world.a.manager.pk)
    assert change.reason.startswith("Strategic launch partner")
    [entry] = audit(world, "tier.override")
    assert entry.changes == {"tier": "Gold", "until": until.isoformat(), "reason": "Strategic launch partner"}


def test_an_override_may_hold_a_partner_at_no_tier(client, world, ladder):
    until = timezone.localdate() + datetime.timedelta(days=10)
    with tenant_context(world.a.tenant.pk):
        tiers.tier_override(
            tenant=world.a.tenant, actor=world.a.manager, partner=world.a.partner1, tier=ladder["gold"], reason="x", until=until
        )
    client.force_login(world.a.owner)
    response = post(
        client,
        f"{A}/tier-standings/{world.a.partner1.public_id}/override/",
        {"tier": None, "reason": "Compliance hold", "until": until.isoformat()},
    )
    assert (response.status_code, response.json()["tier"]) == (200, None)
    assert tier_of(world, world.a.partner1) is None


@pytest.mark.parametrize(
    ("body", "code", "attr"),
    [
        ({"reason": "   ", "until": "2999-01-01"}, "required", "reason"),
        ({"reason": "Launch", "until": "2000-01-01"}, "invalid_date", "until"),
        ({"reason": "Launch", "until": "next week"}, "invalid", "until"),
        ({"reason": "Launch"}, "required", "until"),
        ({"tier": "not-a-uuid", "reason": "Launch", "until": "2999-01-01"}, "invalid", "tier"),
    ],
)
def test_a_bad_override_answers_400_and_changes_nothing(client, world, ladder, body, code, attr):
    client.force_login(world.a.manager)
    response = post(
        client, f"{A}/tier-standings/{world.a.partner1.public_id}/override/", {"tier": str(ladder["gold"].public_id), **body}
    )
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["attr"]) == (code, attr)
    assert tier_of(world, world.a.partner1) is None
    assert changes(world) == []
    assert audit(world, "tier.override") == []


def test_another_programs_tier_is_not_a_choice_for_an_override(client, world, ladder):
    beta_gold = make_ladder(world.b.tenant)["gold"]
    client.force_login(world.a.manager)
    response = post(
        client,
        f"{A}/tier-standings/{world.a.partner1.public_id}/override/",
        {"tier": str(beta_gold.public_id), "reason": "Launch", "until": "2999-01-01"},
    )
    assert (response.status_code, response.json()["code"], response.json()["attr"]) == (400, "invalid_choice", "tier")
    assert tier_of(world, world.a.partner1) is None
    assert changes(world) == []


def test_an_analyst_may_not_override_and_nothing_changes(client, world, ladder):
    client.force_login(world.a.analyst)
    response = post(
        client,
        f"{A}/tier-standings/{world.a.partner1.public_id}/override/",
        {"tier": str(ladder["gold"].public_id), "reason": "Launch", "until": "2999-01-01"},
    )
    assert (response.status_code, response.json()["code"]) == (403, "role_forbidden")
    assert tier_of(world, world.a.partner1) is None
    assert changes(world) == []


def test_cannot_override_another_programs_partner(client, world, ladder):
    beta_gold = make_ladder(world.b.tenant)["gold"]
    client.force_login(world.b.owner)
    response = post(
        client,
        f"/api/v1/t/beta/tier-standings/{world.a.partner1.public_id}/override/",
        {"tier": str(beta_gold.public_id), "reason": "Launch", "until": "2999-01-01"},
    )
    assert response.status_code == 404
    assert tier_of(world, world.a.partner1) is None
    assert changes(world) == []


def test_an_api_key_overrides_and_the_record_names_the_key_not_a_person(client, world, ladder):
    response = post(
        client,
        f"{A}/tier-standings/{world.a.partner1.public_id}/override/",
        {"tier": str(ladder["gold"].public_id), "reason": "Launch", "until": "2999-01-01"},
        **key_auth(world),
    )

    assert response.status_code == 200
    assert tier_of(world, world.a.partner1) == "Gold"
    [entry] = audit(world, "tier.override")
    assert [c.changed_by_id for c in changes(world)] == [None]
    assert entry.actor_label.startswith("API key CRM")


def test_an_api_key_reads_standings_and_the_ladder(client, world, ladder):
    auth = key_auth(world, scope="read")
    assert client.get(f"{A}/tiers/", **auth).status_code == 200
    assert client.get(f"{A}/tier-standings/{world.a.partner1.public_id}/", **auth).status_code == 200


# --- partner users ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["partner1_admin", "partner1_rep"])
def test_partner_users_get_404_on_every_staff_tier_endpoint(client, world, proposal, who):
    client.force_login(getattr(world.a, who))
    own = world.a.partner1.public_id
    for method, url in [
        ("get", f"{A}/tiers/"),
        ("get", f"{A}/tier-changes/"),
        ("get", f"{A}/tier-proposals/"),
        ("get", f"{A}/tier-standings/{own}/"),
        ("post", f"{A}/tier-proposals/{own}/approve/"),
        ("post", f"{A}/tier-standings/{own}/override/"),
        ("post", f"{A}/tiers/evaluate/"),
    ]:
        response = getattr(client, method)(url, content_type="application/json")
        assert response.status_code == 404, f"{method} {url}"
    assert tier_of(world, world.a.partner1) is None
    assert changes(world) == []


def test_a_partner_sees_its_own_tier_benefits_next_step_and_the_ladder(client, world, proposal):
    with tenant_context(world.a.tenant.pk):
        tiers.tier_proposal_approve(tenant=world.a.tenant, actor=world.a.manager, partner=world.a.partner2)
    client.force_login(world.a.partner2_admin)

    response = client.get(f"{A}/my-tier/")

    assert response.status_code == 200
    body = response.json()
    assert (body["tier"]["name"], body["tier"]["discount_percent"], body["next_tier"]["name"]) == ("Registered", "0.00", "Silver")
    assert body["missing"] == [{"metric": "certified_people", "label": "Certified people", "minimum": "1.00", "current": 0.0}]
    assert [t["name"] for t in body["ladder"]] == ["Registered", "Silver", "Gold"]
    assert body["ladder"][2]["mdf_eligible"] is True
    # nothing of partner 1 (its id, its Gold proposal's figures) is in partner 2's answer
    assert str(world.a.partner1.public_id) not in response.content.decode()
    assert body["facts"]["certified_people"] == 0


def test_a_partner_rep_sees_the_same_standing_as_its_admin(client, world, proposal):
    client.force_login(world.a.partner1_rep)
    body = client.get(f"{A}/my-tier/").json()
    assert (body["tier"], body["next_tier"]["name"], body["facts"]["certified_people"]) == (None, "Registered", 3)


@pytest.mark.parametrize("who", ["owner", "manager", "analyst"])
def test_staff_have_no_tier_of_their_own(client, world, ladder, who):
    client.force_login(getattr(world.a, who))
    assert client.get(f"{A}/my-tier/").status_code == 404


def test_an_api_key_has_no_tier_of_its_own(client, world, ladder):
    response = client.get(f"{A}/my-tier/", **key_auth(world, scope="read"))
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
