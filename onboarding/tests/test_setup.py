"""Program setup by the vendor's own staff: templates and steps, agreements, questions, capabilities, tiers."""

from __future__ import annotations

import pytest

from ecosystem.audit.models import AuditEntry
from ecosystem.tenancy.context import tenant_context
from onboarding.models import AgreementVersion, OnboardingTemplate, OnboardingTemplateStep, SecurityQuestion
from partners.models import Capability, Tier, TierPolicy, TierRule


@pytest.fixture
def manager(client, world):
    client.force_login(world.a.manager)
    return client


def rows(world, model, **filters):
    with tenant_context(world.a.tenant.pk):
        return list(model.objects.filter(**filters))


def test_a_manager_builds_a_template_with_an_agreement_step(manager, world):
    manager.post("/t/alpha/setup/agreements/", {"title": "Reseller agreement", "version": "2027.1", "body": "The terms."})
    manager.post("/t/alpha/setup/templates/", {"name": "Reseller onboarding", "partner_type": "reseller"})
    [agreement] = rows(world, AgreementVersion)
    [template] = rows(world, OnboardingTemplate)
    manager.post(
        f"/t/alpha/setup/templates/{template.public_id}/steps/",
        {"title": "Sign", "kind": "agreement", "agreement": agreement.public_id, "due_days": "7"},
    )
    manager.post(
        f"/t/alpha/setup/templates/{template.public_id}/steps/",
        {"title": "Security", "kind": "security_review", "due_days": "14", "depends_on": "1", "valid_months": "12"},
    )
    steps = rows(world, OnboardingTemplateStep, template=template)
    assert [
        (s.position, s.kind, s.agreement_id, s.depends_on, s.valid_months) for s in sorted(steps, key=lambda s: s.position)
    ] == [
        (1, "agreement", agreement.pk, [], None),
        (2, "security_review", None, [1], 12),
    ]
    assert {e.action for e in rows(world, AuditEntry)} >= {
        "setup.agreement_add",
        "setup.template_create",
        "setup.template_step_add",
    }


def test_bad_steps_are_refused_with_a_clear_message(manager, world):
    manager.post("/t/alpha/setup/templates/", {"name": "General", "partner_type": ""})
    [template] = rows(world, OnboardingTemplate)
    url = f"/t/alpha/setup/templates/{template.public_id}/steps/"
    page = manager.get(manager.post(url, {"title": "Sign", "kind": "agreement"})["Location"]).content.decode()
    assert "Choose the agreement to sign." in page
    page = manager.get(
        manager.post(url, {"title": "Later", "kind": "custom_task", "depends_on": "5"})["Location"]
    ).content.decode()
    assert "A step can only depend on earlier steps (not 5)." in page
    assert rows(world, OnboardingTemplateStep) == []


def test_an_agreement_of_another_tenant_cannot_be_used(manager, world):
    with tenant_context(world.b.tenant.pk):
        foreign = AgreementVersion.objects.create(tenant=world.b.tenant, title="Beta", version="1", body="x")
    manager.post("/t/alpha/setup/templates/", {"name": "General", "partner_type": ""})
    [template] = rows(world, OnboardingTemplate)
    manager.post(
        f"/t/alpha/setup/templates/{template.public_id}/steps/",
        {"title": "Sign", "kind": "agreement", "agreement": foreign.public_id},
    )
    assert rows(world, OnboardingTemplateStep) == []


def test_only_the_last_step_can_be_removed(manager, world):
    manager.post("/t/alpha/setup/templates/", {"name": "General", "partner_type": ""})
    [template] = rows(world, OnboardingTemplate)
    for title in ("One", "Two"):
        manager.post(f"/t/alpha/setup/templates/{template.public_id}/steps/", {"title": title, "kind": "custom_task"})
    manager.post(f"/t/alpha/setup/templates/{template.public_id}/steps/1/remove/")
    assert len(rows(world, OnboardingTemplateStep)) == 2
    manager.post(f"/t/alpha/setup/templates/{template.public_id}/steps/2/remove/")
    assert [s.title for s in rows(world, OnboardingTemplateStep)] == ["One"]


def test_questions_are_added_and_retired(manager, world):
    manager.post("/t/alpha/setup/questions/", {"text": "Do you patch within 30 days?", "risk_points": "20"})
    [question] = rows(world, SecurityQuestion)
    manager.post(f"/t/alpha/setup/questions/{question.public_id}/retire/")
    assert rows(world, SecurityQuestion, is_active=True) == []


def test_capabilities_are_added_once(manager, world):
    manager.post("/t/alpha/setup/capabilities/", {"name": "Cloud migration"})
    response = manager.post("/t/alpha/setup/capabilities/", {"name": "Cloud migration"})
    assert "already on the list" in manager.get(response["Location"]).content.decode()
    assert [c.slug for c in rows(world, Capability)] == ["cloud-migration"]


def test_tiers_and_the_policy_are_defined_in_the_portal(manager, world):
    manager.post(
        "/t/alpha/setup/tiers/",
        {"rank": "1", "name": "Silver", "discount_percent": "10", "deal_protection_days": "90", "rule-certified_people": "2"},
    )
    manager.post(
        "/t/alpha/setup/tiers/",
        {"rank": "1", "name": "Silver+", "discount_percent": "12", "deal_protection_days": "90", "rule-certified_people": "3"},
    )
    manager.post("/t/alpha/setup/tiers/policy/", {"auto_apply": "on", "downgrade_grace_days": "30"})
    [tier] = rows(world, Tier)
    assert (tier.name, str(tier.discount_percent)) == ("Silver+", "12.00")
    assert [(r.metric, r.minimum) for r in rows(world, TierRule)] == [("certified_people", 3)]
    [policy] = rows(world, TierPolicy)
    assert (policy.auto_apply, policy.downgrade_grace_days) == (True, 30)


def test_analysts_see_the_setup_but_cannot_change_it(client, world):
    client.force_login(world.a.analyst)
    assert client.get("/t/alpha/setup/").status_code == 200
    assert client.post("/t/alpha/setup/capabilities/", {"name": "X"}).status_code == 403
    assert rows(world, Capability) == []
