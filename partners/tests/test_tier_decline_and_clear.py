"""Declining a proposed tier change and ending an override early: services, the portal and the API."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from ecosystem.api.services import api_key_create
from ecosystem.audit.models import AuditEntry
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import tenant_context
from partners import tiers
from partners.models import PartnerOrganization, Tier, TierChange, TierEvaluation, TierMetric, TierPolicy, TierRule

A = "/api/v1/t/alpha"
PORTAL = "/t/alpha/tiers/partners"


@pytest.fixture
def ladder(world) -> dict[str, Tier]:
    """Registered (no rules), Silver (1 certified person), Gold (3 certified people)."""
    tenant = world.a.tenant
    with tenant_context(tenant.pk):
        tiers_by_name = {
            name: Tier.objects.create(tenant=tenant, name=name, rank=rank)
            for rank, name in enumerate(["Registered", "Silver", "Gold"])
        }
        TierRule.objects.create(tenant=tenant, tier=tiers_by_name["Silver"], metric=TierMetric.CERTIFIED_PEOPLE, minimum=1)
        TierRule.objects.create(tenant=tenant, tier=tiers_by_name["Gold"], metric=TierMetric.CERTIFIED_PEOPLE, minimum=3)
    return {name.lower(): tier for name, tier in tiers_by_name.items()}


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
    """Partner 1 qualifies for Gold (3 certified people); the program proposes changes, so it waits."""
    certified[world.a.partner1.pk] = 3
    evaluate(world)
    return world.a.partner1


@pytest.fixture
def held(world, ladder):
    """Partner 1 is held at Gold by a manager's override for 30 more days."""
    with tenant_context(world.a.tenant.pk):
        tiers.tier_override(
            tenant=world.a.tenant,
            actor=world.a.manager,
            partner=world.a.partner1,
            tier=ladder["gold"],
            reason="Launch partner",
            until=timezone.localdate() + datetime.timedelta(days=30),
        )
    return world.a.partner1


def evaluate(world, today=None) -> dict[str, int]:
    with tenant_context(world.a.tenant.pk):
        return tiers.tier_evaluate_all(tenant=world.a.tenant, today=today)


def evaluation_of(world, partner) -> TierEvaluation:
    with tenant_context(world.a.tenant.pk):
        return TierEvaluation.objects.select_related("eligible_tier").get(partner=partner)


def partner_row(world, partner) -> PartnerOrganization:
    with tenant_context(world.a.tenant.pk):
        return PartnerOrganization.objects.select_related("tier").get(pk=partner.pk)


def tier_of(world, partner) -> str | None:
    tier = partner_row(world, partner).tier
    return tier.name if tier else None


def changes(world) -> list[TierChange]:
    with tenant_context(world.a.tenant.pk):
        return list(TierChange.objects.all())


def audit(world, action: str) -> list[AuditEntry]:
    with tenant_context(world.a.tenant.pk):
        return list(AuditEntry.objects.filter(action=action))


def decline(world, partner, reason="Not before the Q3 review", actor=None) -> TierEvaluation:
    with tenant_context(world.a.tenant.pk):
        return tiers.tier_proposal_decline(tenant=world.a.tenant, actor=actor or world.a.manager, partner=partner, reason=reason)


def clear(world, partner, reason="Launch is over", actor=None) -> PartnerOrganization:
    with tenant_context(world.a.tenant.pk):
        return tiers.tier_override_clear(tenant=world.a.tenant, actor=actor or world.a.manager, partner=partner, reason=reason)


def post(client, url: str, body: dict | None = None, **extra):
    return client.post(url, body or {}, content_type="application/json", **extra)


def key_auth(world) -> dict:
    with tenant_context(world.a.tenant.pk):
        issued = api_key_create(tenant=world.a.tenant, actor=world.a.owner, name="CRM", scope="write")
    return {"HTTP_AUTHORIZATION": f"Bearer {issued.plaintext}"}


# --- declining: the service ----------------------------------------------------------------------


def test_declining_keeps_the_tier_marks_the_proposal_and_audits_the_reason(world, proposal):
    decline(world, proposal, reason="Not before the Q3 review")

    assert evaluation_of(world, proposal).status == "declined"
    assert tier_of(world, proposal) is None
    assert changes(world) == []  # no tier changed, so no change row
    [entry] = audit(world, "tier.decline")
    assert (entry.object_id, entry.actor_id) == (str(proposal.public_id), world.a.manager.pk)
    assert entry.changes == {
        "tier": None,
        "proposed_tier": "Gold",
        "facts": evaluation_of(world, proposal).facts,
        "reason": "Not before the Q3 review",
    }


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_declining_needs_a_reason_and_changes_nothing_without_one(world, proposal, reason):
    with pytest.raises(ApplicationError) as error:
        decline(world, proposal, reason=reason)
    assert (error.value.code, error.value.field) == ("required", "reason")
    assert evaluation_of(world, proposal).status == "proposed"
    assert audit(world, "tier.decline") == []


def test_a_declined_proposal_can_no_longer_be_approved_or_declined(world, proposal):
    decline(world, proposal)
    with tenant_context(world.a.tenant.pk), pytest.raises(ApplicationError) as error:
        tiers.tier_proposal_approve(tenant=world.a.tenant, actor=world.a.manager, partner=proposal)
    assert error.value.code == "no_proposal"
    with pytest.raises(ApplicationError) as error:
        decline(world, proposal)
    assert error.value.code == "no_proposal"
    assert tier_of(world, proposal) is None
    assert len(audit(world, "tier.decline")) == 1


def test_the_next_evaluation_does_not_propose_a_declined_change_again_on_the_same_figures(world, proposal):
    decline(world, proposal)

    counts = evaluate(world)

    assert evaluation_of(world, proposal).status == "declined"
    assert (counts["declined"], counts["proposed"]) == (1, 1)  # partner 2's Registered proposal still waits
    assert proposal.pk not in {e.partner_id for e in _pending(world)}


def test_the_change_is_proposed_again_once_the_figures_change(world, proposal, certified):
    decline(world, proposal)
    evaluate(world)
    certified[proposal.pk] = 4  # still Gold, but the manager has not seen these figures

    counts = evaluate(world)

    evaluation = evaluation_of(world, proposal)
    assert (evaluation.status, evaluation.eligible_tier.name, evaluation.facts["certified_people"]) == ("proposed", "Gold", 4)
    assert counts["declined"] == 0


def test_qualifying_for_another_tier_is_proposed_even_after_a_decline(world, proposal, certified):
    decline(world, proposal)
    certified[proposal.pk] = 1

    evaluate(world)

    evaluation = evaluation_of(world, proposal)
    assert (evaluation.status, evaluation.eligible_tier.name) == ("proposed", "Silver")


def test_a_declined_downgrade_keeps_waiting_and_is_proposed_when_the_figures_move(world, ladder, certified):
    with tenant_context(world.a.tenant.pk):
        TierPolicy.objects.create(tenant=world.a.tenant, auto_apply=False, downgrade_grace_days=0)
    partner = world.a.partner1
    certified[partner.pk] = 3
    evaluate(world)
    with tenant_context(world.a.tenant.pk):
        tiers.tier_proposal_approve(tenant=world.a.tenant, actor=world.a.manager, partner=partner)
    certified[partner.pk] = 1
    evaluate(world)
    assert evaluation_of(world, partner).eligible_tier.name == "Silver"
    decline(world, partner, reason="Renewal in progress")

    evaluate(world, today=timezone.localdate() + datetime.timedelta(days=1))
    assert (evaluation_of(world, partner).status, tier_of(world, partner)) == ("declined", "Gold")

    certified[partner.pk] = 0
    evaluate(world, today=timezone.localdate() + datetime.timedelta(days=2))
    assert evaluation_of(world, partner).status == "proposed"


def test_an_api_key_declines_and_the_audit_names_the_key(world, proposal):
    with tenant_context(world.a.tenant.pk):
        issued = api_key_create(tenant=world.a.tenant, actor=world.a.owner, name="CRM", scope="write")
    decline(world, proposal, actor=issued.api_key)
    [entry] = audit(world, "tier.decline")
    assert entry.actor_id is None and entry.actor_label.startswith("API key CRM")


def _pending(world) -> list[TierEvaluation]:
    with tenant_context(world.a.tenant.pk):
        return list(tiers.pending_proposals(tenant=world.a.tenant))


# --- ending an override: the service ---------------------------------------------------------------


def test_ending_an_override_keeps_the_tier_until_the_next_evaluation(world, held, certified):
    with tenant_context(world.a.tenant.pk):
        TierPolicy.objects.create(tenant=world.a.tenant, auto_apply=True, downgrade_grace_days=0)
    evaluate(world)
    assert evaluation_of(world, held).status == "overridden"

    clear(world, held, reason="Launch is over")

    row = partner_row(world, held)
    assert (row.tier.name, row.tier_override_until) == ("Gold", None)
    assert evaluation_of(world, held).status == "none"  # no page claims an override any more
    [entry] = audit(world, "tier.override_clear")
    assert (entry.object_id, entry.actor_id) == (str(held.public_id), world.a.manager.pk)
    assert entry.changes["reason"] == "Launch is over"
    assert entry.changes["tier"] == "Gold"
    # only the override itself changed partner 1's tier (partner 2 moved to Registered automatically)
    assert [c.kind for c in changes(world) if c.partner_id == held.pk] == ["override"]

    evaluate(world)  # no certified people: the evaluation decides again, at once
    assert tier_of(world, held) == "Registered"


@pytest.mark.parametrize("reason", ["", "  "])
def test_ending_an_override_needs_a_reason(world, held, reason):
    with pytest.raises(ApplicationError) as error:
        clear(world, held, reason=reason)
    assert (error.value.code, error.value.field) == ("required", "reason")
    assert partner_row(world, held).tier_override_until is not None
    assert audit(world, "tier.override_clear") == []


def test_there_is_nothing_to_end_without_an_override_in_force(world, ladder):
    with pytest.raises(ApplicationError) as error:
        clear(world, world.a.partner1)
    assert (error.value.code, error.value.status_code) == ("no_override", 409)
    # an override whose last day has passed has ended already
    with tenant_context(world.a.tenant.pk):
        PartnerOrganization.objects.filter(pk=world.a.partner2.pk).update(
            tier_override_until=timezone.localdate() - datetime.timedelta(days=1)
        )
    with pytest.raises(ApplicationError):
        clear(world, world.a.partner2)
    assert audit(world, "tier.override_clear") == []


# --- the API -------------------------------------------------------------------------------------


def test_declining_through_the_api_answers_with_the_standing(client, world, proposal):
    client.force_login(world.a.manager)

    response = post(client, f"{A}/tier-proposals/{proposal.public_id}/decline/", {"reason": "Not yet"})

    assert response.status_code == 200
    body = response.json()
    assert (body["partner"], body["tier"], body["eligible_tier"]["name"], body["proposal"]) == (
        str(proposal.public_id),
        None,
        "Gold",
        "declined",
    )
    assert [e.changes["reason"] for e in audit(world, "tier.decline")] == ["Not yet"]
    # it is no longer waiting
    listed = client.get(f"{A}/tier-proposals/").json()["results"]
    assert str(proposal.public_id) not in {p["partner"] for p in listed}
    assert post(client, f"{A}/tier-proposals/{proposal.public_id}/decline/", {"reason": "again"}).status_code == 404


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
def test_declining_without_a_reason_answers_400_and_changes_nothing(client, world, proposal, body):
    client.force_login(world.a.manager)
    response = post(client, f"{A}/tier-proposals/{proposal.public_id}/decline/", body)
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["attr"]) == ("required", "reason")
    assert evaluation_of(world, proposal).status == "proposed"
    assert audit(world, "tier.decline") == []


def test_an_analyst_may_not_decline_and_nothing_changes(client, world, proposal):
    client.force_login(world.a.analyst)
    response = post(client, f"{A}/tier-proposals/{proposal.public_id}/decline/", {"reason": "No"})
    assert (response.status_code, response.json()["code"]) == (403, "role_forbidden")
    assert evaluation_of(world, proposal).status == "proposed"
    assert audit(world, "tier.decline") == []


def test_cannot_decline_another_programs_proposal(client, world, proposal):
    client.force_login(world.b.owner)
    for url in (
        f"{A}/tier-proposals/{proposal.public_id}/decline/",
        f"/api/v1/t/beta/tier-proposals/{proposal.public_id}/decline/",
    ):
        assert post(client, url, {"reason": "No"}).status_code == 404, url
    assert evaluation_of(world, proposal).status == "proposed"
    assert audit(world, "tier.decline") == []


def test_ending_an_override_through_the_api_answers_with_the_standing(client, world, held):
    client.force_login(world.a.manager)

    response = post(client, f"{A}/tier-standings/{held.public_id}/override/clear/", {"reason": "Launch is over"})

    assert response.status_code == 200
    body = response.json()
    assert (body["tier"]["name"], body["tier_held_until"]) == ("Gold", None)
    assert partner_row(world, held).tier_override_until is None
    assert [e.changes["reason"] for e in audit(world, "tier.override_clear")] == ["Launch is over"]
    # a second time there is nothing to end
    again = post(client, f"{A}/tier-standings/{held.public_id}/override/clear/", {"reason": "again"})
    assert (again.status_code, again.json()["code"]) == (409, "no_override")


def test_ending_an_override_without_a_reason_answers_400_and_changes_nothing(client, world, held):
    client.force_login(world.a.manager)
    response = post(client, f"{A}/tier-standings/{held.public_id}/override/clear/", {"reason": " "})
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["attr"]) == ("required", "reason")
    assert partner_row(world, held).tier_override_until is not None
    assert audit(world, "tier.override_clear") == []


def test_an_analyst_may_not_end_an_override_and_nothing_changes(client, world, held):
    client.force_login(world.a.analyst)
    response = post(client, f"{A}/tier-standings/{held.public_id}/override/clear/", {"reason": "No"})
    assert (response.status_code, response.json()["code"]) == (403, "role_forbidden")
    assert partner_row(world, held).tier_override_until is not None


def test_cannot_end_another_programs_override(client, world, held):
    client.force_login(world.b.owner)
    for url in (
        f"{A}/tier-standings/{held.public_id}/override/clear/",
        f"/api/v1/t/beta/tier-standings/{held.public_id}/override/clear/",
    ):
        assert post(client, url, {"reason": "No"}).status_code == 404, url
    assert partner_row(world, held).tier_override_until is not None
    assert audit(world, "tier.override_clear") == []


def test_an_api_key_declines_and_ends_overrides_and_the_audit_names_the_key(client, world, proposal, ladder):
    auth = key_auth(world)
    assert post(client, f"{A}/tier-proposals/{proposal.public_id}/decline/", {"reason": "No"}, **auth).status_code == 200
    with tenant_context(world.a.tenant.pk):
        tiers.tier_override(
            tenant=world.a.tenant,
            actor=world.a.manager,
            partner=world.a.partner2,
            tier=ladder["silver"],
            reason="Pilot",
            until=timezone.localdate() + datetime.timedelta(days=5),
        )
    response = post(client, f"{A}/tier-standings/{world.a.partner2.public_id}/override/clear/", {"reason": "Done"}, **auth)
    assert response.status_code == 200
    for action in ("tier.decline", "tier.override_clear"):
        [entry] = audit(world, action)
        assert entry.actor_id is None and entry.actor_label.startswith("API key CRM"), action


@pytest.mark.parametrize("who", ["partner1_admin", "partner1_rep"])
def test_partner_users_get_404_on_decline_and_end_override_in_the_api(client, world, proposal, who):
    client.force_login(getattr(world.a, who))
    own = proposal.public_id
    for url in (f"{A}/tier-proposals/{own}/decline/", f"{A}/tier-standings/{own}/override/clear/"):
        assert post(client, url, {"reason": "mine"}).status_code == 404, url
    assert evaluation_of(world, proposal).status == "proposed"


# --- the portal ----------------------------------------------------------------------------------


def test_the_ladder_offers_decline_with_a_reason_next_to_apply(client, world, proposal):
    client.force_login(world.a.manager)
    body = client.get("/t/alpha/tiers/").content.decode()
    assert f'action="{PORTAL}/{proposal.public_id}/approve/"' in body
    assert f'action="{PORTAL}/{proposal.public_id}/decline/"' in body
    assert 'name="reason"' in body


def test_an_analyst_sees_no_decline_button(client, world, proposal):
    client.force_login(world.a.analyst)
    assert "/decline/" not in client.get("/t/alpha/tiers/").content.decode()


def test_a_manager_declines_in_the_portal(client, world, proposal):
    client.force_login(world.a.manager)

    response = client.post(f"{PORTAL}/{proposal.public_id}/decline/", {"reason": "Not before the Q3 review"})

    assert (response.status_code, response["Location"]) == (302, "/t/alpha/tiers/")
    assert evaluation_of(world, proposal).status == "declined"
    assert [e.changes["reason"] for e in audit(world, "tier.decline")] == ["Not before the Q3 review"]


def test_declining_in_the_portal_without_a_reason_says_so_and_changes_nothing(client, world, proposal):
    client.force_login(world.a.manager)
    response = client.post(f"{PORTAL}/{proposal.public_id}/decline/", {"reason": ""}, follow=True)
    assert "Give a reason." in response.content.decode()
    assert evaluation_of(world, proposal).status == "proposed"
    assert audit(world, "tier.decline") == []


def test_the_partner_page_offers_to_end_an_override_in_force(client, world, held):
    client.force_login(world.a.manager)
    url = f"/t/alpha/partners/{held.public_id}/"
    assert f'action="{PORTAL}/{held.public_id}/override/clear/"' in client.get(url).content.decode()
    clear(world, held)
    assert "/override/clear/" not in client.get(url).content.decode()


def test_a_manager_ends_an_override_in_the_portal(client, world, held):
    client.force_login(world.a.manager)

    response = client.post(f"{PORTAL}/{held.public_id}/override/clear/", {"reason": "Launch is over"})

    assert (response.status_code, response["Location"]) == (302, f"/t/alpha/partners/{held.public_id}/")
    row = partner_row(world, held)
    assert (row.tier.name, row.tier_override_until) == ("Gold", None)
    assert len(audit(world, "tier.override_clear")) == 1


def test_ending_an_override_in_the_portal_without_a_reason_changes_nothing(client, world, held):
    client.force_login(world.a.manager)
    response = client.post(f"{PORTAL}/{held.public_id}/override/clear/", {"reason": " "}, follow=True)
    assert "Give a reason." in response.content.decode()
    assert partner_row(world, held).tier_override_until is not None


def test_analysts_cannot_decline_or_end_overrides_in_the_portal(client, world, proposal, held):
    client.force_login(world.a.analyst)
    assert client.post(f"{PORTAL}/{proposal.public_id}/decline/", {"reason": "x"}).status_code == 403
    assert client.post(f"{PORTAL}/{held.public_id}/override/clear/", {"reason": "x"}).status_code == 403
    assert evaluation_of(world, proposal).status == "proposed"
    assert partner_row(world, held).tier_override_until is not None


def test_another_programs_staff_get_404_in_the_portal(client, world, proposal, held):
    client.force_login(world.b.owner)
    for tenant in ("alpha", "beta"):
        for action in ("decline", "override/clear"):
            url = f"/t/{tenant}/tiers/partners/{proposal.public_id}/{action}/"
            assert client.post(url, {"reason": "x"}).status_code == 404, url
    assert evaluation_of(world, proposal).status == "proposed"
    assert partner_row(world, held).tier_override_until is not None


@pytest.mark.parametrize("who", ["partner1_admin", "partner1_rep"])
def test_partner_users_get_404_in_the_portal(client, world, proposal, held, who):
    client.force_login(getattr(world.a, who))
    for action in ("decline", "override/clear"):
        assert client.post(f"{PORTAL}/{proposal.public_id}/{action}/", {"reason": "x"}).status_code == 404
    assert evaluation_of(world, proposal).status == "proposed"
    assert partner_row(world, held).tier_override_until is not None
