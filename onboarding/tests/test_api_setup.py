"""Program setup in the API: agreement versions, the security questionnaire, capabilities, the tier ladder
and the tier policy. Staff read; owners and partner managers change; partner users and other tenants get 404."""

from __future__ import annotations

from rest_framework.test import APIClient

from ecosystem.audit.models import AuditEntry
from ecosystem.tenancy.context import tenant_context
from onboarding import setup
from onboarding.models import AgreementVersion, SecurityQuestion
from partners.models import Capability, Tier, TierPolicy

BASE = "/api/v1/t/alpha"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def rows(world, model, **filters) -> list:
    with tenant_context(world.a.tenant.pk):
        return list(model.objects.filter(tenant=world.a.tenant, **filters))


def audited(world, action: str) -> int:
    with tenant_context(world.a.tenant.pk):
        return AuditEntry.objects.filter(tenant=world.a.tenant, action=action).count()


# --- agreement versions ---------------------------------------------------------------------------


def test_a_manager_adds_an_agreement_version_and_staff_list_it(world):
    body = {"title": "Partner agreement", "version": "2027.1", "body": "1. Scope."}

    response = api(world.a.manager).post(f"{BASE}/agreements/", body, format="json")

    assert response.status_code == 201
    assert response.json()["title"] == "Partner agreement" and response.json()["version"] == "2027.1"
    listed = api(world.a.analyst).get(f"{BASE}/agreements/?title=partner agreement").json()
    assert [a["id"] for a in listed["results"]] == [response.json()["id"]]
    assert audited(world, "setup.agreement_add") == 1


def test_the_same_version_of_an_agreement_twice_is_a_400_envelope_and_adds_nothing(world):
    body = {"title": "NDA", "version": "1", "body": "Text."}
    api(world.a.owner).post(f"{BASE}/agreements/", body, format="json")

    response = api(world.a.owner).post(f"{BASE}/agreements/", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "duplicate_version" and response.json()["attr"] == "version"
    assert len(rows(world, AgreementVersion, title="NDA")) == 1


def test_an_agreement_without_text_is_a_400_on_body(world):
    response = api(world.a.owner).post(f"{BASE}/agreements/", {"title": "NDA", "version": "1", "body": ""}, format="json")

    assert response.status_code == 400 and response.json()["attr"] == "body"
    assert rows(world, AgreementVersion, title="NDA") == []


def test_an_analyst_may_read_agreements_but_not_add_one(world):
    response = api(world.a.analyst).post(f"{BASE}/agreements/", {"title": "NDA", "version": "1", "body": "T"}, format="json")

    assert response.status_code == 403 and response.json()["code"] == "role_forbidden"
    assert rows(world, AgreementVersion, title="NDA") == []


def test_partner_users_and_other_tenants_get_404_for_agreements(world):
    with tenant_context(world.a.tenant.pk):
        setup.agreement_version_add(tenant=world.a.tenant, actor=world.a.owner, title="NDA", version="1", body="Text.")

    assert api(world.a.partner1_admin).get(f"{BASE}/agreements/").status_code == 404
    assert api(world.b.owner).get(f"{BASE}/agreements/").status_code == 404
    posted = api(world.b.owner).post(f"{BASE}/agreements/", {"title": "X", "version": "1", "body": "T"}, format="json")
    assert posted.status_code == 404
    assert len(rows(world, AgreementVersion)) == 1


# --- the security questionnaire ------------------------------------------------------------------


def test_a_manager_adds_questions_at_the_end_and_retires_one(world):
    first = api(world.a.manager).post(f"{BASE}/security-questions/", {"text": "MFA for admins?"}, format="json").json()
    second = (
        api(world.a.manager)
        .post(f"{BASE}/security-questions/", {"text": "Encrypted backups?", "risk_points": 30}, format="json")
        .json()
    )
    assert (first["risk_points"], second["risk_points"]) == (10, 30)
    assert second["position"] == first["position"] + 1

    retired = api(world.a.manager).post(f"{BASE}/security-questions/{first['id']}/retire/")

    assert retired.status_code == 200 and retired.json()["is_active"] is False
    active = api(world.a.analyst).get(f"{BASE}/security-questions/?is_active=true").json()["results"]
    assert first["id"] not in {q["id"] for q in active} and second["id"] in {q["id"] for q in active}
    assert audited(world, "setup.question_retire") == 1


def test_risk_points_out_of_range_are_a_400_and_add_nothing(world):
    before = len(rows(world, SecurityQuestion))

    response = api(world.a.owner).post(f"{BASE}/security-questions/", {"text": "Q?", "risk_points": 150}, format="json")

    assert response.status_code == 400 and response.json()["code"] == "out_of_range"
    assert response.json()["attr"] == "risk_points"
    assert len(rows(world, SecurityQuestion)) == before


def test_another_tenant_cannot_retire_a_question_and_it_stays_active(world):
    with tenant_context(world.a.tenant.pk):
        question = setup.security_question_add(tenant=world.a.tenant, actor=world.a.owner, text="MFA?", risk_points=10)

    assert api(world.b.owner).post(f"/api/v1/t/beta/security-questions/{question.public_id}/retire/").status_code == 404
    assert api(world.b.owner).post(f"{BASE}/security-questions/{question.public_id}/retire/").status_code == 404
    assert api(world.a.partner1_admin).post(f"{BASE}/security-questions/{question.public_id}/retire/").status_code == 404
    assert api(world.a.analyst).post(f"{BASE}/security-questions/{question.public_id}/retire/").status_code == 403
    assert rows(world, SecurityQuestion, pk=question.pk)[0].is_active is True


# --- capabilities --------------------------------------------------------------------------------


def test_a_manager_adds_a_capability_once(world):
    response = api(world.a.manager).post(f"{BASE}/capabilities/", {"name": "Cloud migration"}, format="json")

    assert response.status_code == 201 and response.json()["slug"] == "cloud-migration"
    again = api(world.a.manager).post(f"{BASE}/capabilities/", {"name": "Cloud Migration"}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "duplicate_capability"
    found = api(world.a.analyst).get(f"{BASE}/capabilities/?name=migration").json()["results"]
    assert [c["id"] for c in found] == [response.json()["id"]]


def test_capabilities_are_staff_only_and_of_their_tenant(world):
    assert api(world.a.partner1_admin).get(f"{BASE}/capabilities/").status_code == 404
    assert api(world.b.owner).post(f"{BASE}/capabilities/", {"name": "Security"}, format="json").status_code == 404
    assert api(world.a.analyst).post(f"{BASE}/capabilities/", {"name": "Security"}, format="json").status_code == 403
    assert rows(world, Capability, slug="security") == []


# --- the tier ladder and its policy --------------------------------------------------------------


GOLD = {
    "name": "Gold",
    "rank": 2,
    "discount_percent": "25.00",
    "mdf_eligible": True,
    "rules": {"certified_people": "3", "closed_won_revenue_12m": "250000"},
}


def test_a_manager_creates_a_tier_then_changes_it_at_its_rank(world):
    created = api(world.a.manager).post(f"{BASE}/tiers/", GOLD, format="json")

    assert created.status_code == 201
    assert {r["metric"]: r["minimum"] for r in created.json()["rules"]} == {
        "certified_people": "3.00",
        "closed_won_revenue_12m": "250000.00",
    }
    changed = api(world.a.manager).post(
        f"{BASE}/tiers/", {**GOLD, "name": "Gold+", "rules": {"certified_people": "5"}}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["id"] == created.json()["id"]
    assert changed.json()["name"] == "Gold+" and [r["metric"] for r in changed.json()["rules"]] == ["certified_people"]
    assert len(rows(world, Tier, rank=2)) == 1


def test_a_tier_with_an_unknown_measure_or_a_discount_over_100_is_a_400(world):
    unknown = api(world.a.owner).post(f"{BASE}/tiers/", {**GOLD, "rules": {"vibes": "1"}}, format="json")
    too_much = api(world.a.owner).post(f"{BASE}/tiers/", {**GOLD, "discount_percent": "150"}, format="json")

    assert unknown.status_code == 400 and unknown.json()["code"] == "invalid_choice" and unknown.json()["attr"] == "rules"
    assert too_much.status_code == 400 and too_much.json()["code"] == "out_of_range"
    assert rows(world, Tier, rank=2) == []


def test_only_owners_and_managers_of_the_tenant_change_the_ladder(world):
    assert api(world.a.analyst).post(f"{BASE}/tiers/", GOLD, format="json").status_code == 403
    assert api(world.a.partner1_admin).post(f"{BASE}/tiers/", GOLD, format="json").status_code == 404
    assert api(world.b.owner).post(f"{BASE}/tiers/", GOLD, format="json").status_code == 404
    assert rows(world, Tier, rank=2) == []


def test_the_tier_policy_reads_its_defaults_and_is_replaced(world):
    assert api(world.a.analyst).get(f"{BASE}/tier-policy/").json() == {"auto_apply": False, "downgrade_grace_days": 60}

    saved = api(world.a.manager).put(f"{BASE}/tier-policy/", {"auto_apply": True, "downgrade_grace_days": 30}, format="json")

    assert saved.status_code == 200
    assert api(world.a.analyst).get(f"{BASE}/tier-policy/").json() == {"auto_apply": True, "downgrade_grace_days": 30}
    assert audited(world, "setup.tier_policy") == 1


def test_the_tier_policy_refuses_bad_input_other_roles_and_other_tenants(world):
    bad = api(world.a.owner).put(f"{BASE}/tier-policy/", {"auto_apply": True, "downgrade_grace_days": -1}, format="json")
    assert bad.status_code == 400 and bad.json()["attr"] == "downgrade_grace_days"
    body = {"auto_apply": True, "downgrade_grace_days": 30}
    assert api(world.a.analyst).put(f"{BASE}/tier-policy/", body, format="json").status_code == 403
    assert api(world.a.partner1_admin).get(f"{BASE}/tier-policy/").status_code == 404
    assert api(world.b.owner).put(f"{BASE}/tier-policy/", body, format="json").status_code == 404
    assert rows(world, TierPolicy) == []
