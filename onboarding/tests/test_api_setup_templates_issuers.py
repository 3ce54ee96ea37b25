"""Onboarding templates and credential issuers in the API: the portal's setup pages with the same roles.
Staff read; owners and partner managers change; partner users and other tenants get 404; the issuer's
signing secret never comes back."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from ecosystem.audit.models import AuditEntry
from ecosystem.tenancy.context import tenant_context
from onboarding import setup
from onboarding.issuers import credential_issuer_save
from onboarding.models import CredentialIssuer, OnboardingTemplate, OnboardingTemplateStep

BASE = "/api/v1/t/alpha"
ENDPOINT = "https://verify.issuer.example/check"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def in_a(world, fn):
    with tenant_context(world.a.tenant.pk):
        return fn()


def audited(world, action: str) -> int:
    return in_a(world, lambda: AuditEntry.objects.filter(tenant=world.a.tenant, action=action).count())


def a_template(world) -> OnboardingTemplate:
    """Tenant A's reseller template with one step."""

    def make():
        template = setup.template_create(tenant=world.a.tenant, actor=world.a.owner, name="Resellers", partner_type="reseller")
        setup.template_step_add(
            tenant=world.a.tenant,
            actor=world.a.owner,
            template=template,
            kind="profile",
            title="Profile",
            due_days=7,
            depends_on=[],
        )
        return template

    return in_a(world, make)


# --- onboarding templates ------------------------------------------------------------------------


def test_a_manager_builds_a_template_step_by_step_and_removes_the_last_step(world):
    agreement = in_a(
        world,
        lambda: setup.agreement_version_add(tenant=world.a.tenant, actor=world.a.owner, title="NDA", version="9", body="T."),
    )
    created = api(world.a.manager).post(
        f"{BASE}/onboarding-templates/", {"name": "MSP onboarding", "partner_type": "msp"}, format="json"
    )
    assert created.status_code == 201, created.content
    template_id = created.json()["id"]
    assert created.json()["steps"] == [] and created.json()["is_active"] is True

    first = api(world.a.manager).post(
        f"{BASE}/onboarding-templates/{template_id}/steps/", {"kind": "profile", "title": "Profile"}, format="json"
    )
    second = api(world.a.manager).post(
        f"{BASE}/onboarding-templates/{template_id}/steps/",
        {"kind": "agreement", "title": "Sign", "due_days": 7, "depends_on": [1], "agreement": str(agreement.public_id)},
        format="json",
    )

    assert first.status_code == 201 and second.status_code == 201
    steps = second.json()["steps"]
    assert [(s["position"], s["kind"], s["depends_on"]) for s in steps] == [(1, "profile", []), (2, "agreement", [1])]
    assert steps[1]["agreement"] == str(agreement.public_id) and steps[1]["due_days"] == 7

    not_last = api(world.a.manager).delete(f"{BASE}/onboarding-templates/{template_id}/steps/1/")
    assert not_last.status_code == 400 and not_last.json()["code"] == "not_last_step"
    removed = api(world.a.manager).delete(f"{BASE}/onboarding-templates/{template_id}/steps/2/")
    assert removed.status_code == 200 and [s["position"] for s in removed.json()["steps"]] == [1]
    assert audited(world, "setup.template_step_remove") == 1

    listed = api(world.a.analyst).get(f"{BASE}/onboarding-templates/?partner_type=msp").json()["results"]
    assert [t["id"] for t in listed] == [template_id]


def test_template_list_costs_the_same_queries_with_more_templates_and_steps(world):
    def make(n):
        def go():
            for i in range(n):
                t = setup.template_create(tenant=world.a.tenant, actor=world.a.owner, name=f"T{n}-{i}", partner_type="")
                t.is_active = False
                t.save()
                setup.template_step_add(
                    tenant=world.a.tenant,
                    actor=world.a.owner,
                    template=t,
                    kind="custom_task",
                    title="x",
                    due_days=3,
                    depends_on=[],
                )

        in_a(world, go)

    client = api(world.a.analyst)
    make(1)
    with CaptureQueriesContext(connection) as small:
        assert client.get(f"{BASE}/onboarding-templates/").status_code == 200
    make(4)
    with CaptureQueriesContext(connection) as big:
        assert client.get(f"{BASE}/onboarding-templates/").status_code == 200
    assert len(big) == len(small)


def test_bad_template_input_is_a_400_envelope_and_changes_nothing(world):
    template = a_template(world)
    before = in_a(world, lambda: OnboardingTemplateStep.objects.filter(template=template).count())

    unknown_type = api(world.a.owner).post(
        f"{BASE}/onboarding-templates/", {"name": "X", "partner_type": "pirate"}, format="json"
    )
    bad_dep = api(world.a.owner).post(
        f"{BASE}/onboarding-templates/{template.public_id}/steps/",
        {"kind": "custom_task", "title": "Later", "depends_on": [99]},
        format="json",
    )
    no_agreement = api(world.a.owner).post(
        f"{BASE}/onboarding-templates/{template.public_id}/steps/", {"kind": "agreement", "title": "Sign"}, format="json"
    )

    assert unknown_type.status_code == 400 and unknown_type.json()["attr"] == "partner_type"
    assert bad_dep.status_code == 400 and bad_dep.json()["code"] == "invalid_dependency"
    assert no_agreement.status_code == 400 and no_agreement.json()["attr"] == "agreement"
    assert in_a(world, lambda: OnboardingTemplateStep.objects.filter(template=template).count()) == before
    assert in_a(world, lambda: OnboardingTemplate.objects.filter(tenant=world.a.tenant, name="X").exists()) is False


def test_templates_refuse_analysts_partner_users_and_other_tenants(world):
    template = a_template(world)
    steps_url = f"{BASE}/onboarding-templates/{template.public_id}/steps/"
    body = {"kind": "custom_task", "title": "Probe"}
    before = in_a(world, lambda: OnboardingTemplateStep.objects.filter(template=template).count())

    assert api(world.a.analyst).post(steps_url, body, format="json").status_code == 403
    assert api(world.a.partner1_admin).get(f"{BASE}/onboarding-templates/").status_code == 404
    assert api(world.a.partner1_admin).post(steps_url, body, format="json").status_code == 404
    assert api(world.b.owner).post(steps_url, body, format="json").status_code == 404
    assert (
        api(world.b.owner)
        .post(f"/api/v1/t/beta/onboarding-templates/{template.public_id}/steps/", body, format="json")
        .status_code
        == 404
    )
    assert in_a(world, lambda: OnboardingTemplateStep.objects.filter(template=template).count()) == before


# --- credential issuers --------------------------------------------------------------------------


def test_a_manager_creates_and_changes_an_issuer_and_the_secret_never_comes_back(world):
    body = {"name": "AWS Certification", "endpoint_url": ENDPOINT, "secret": "topsecret-9876"}

    created = api(world.a.manager).post(f"{BASE}/credential-issuers/", body, format="json")

    assert created.status_code == 201, created.content
    assert created.json()["slug"] == "aws-certification" and created.json()["secret_tail"] == "…9876"
    assert "topsecret" not in created.content.decode()
    changed = api(world.a.manager).put(
        f"{BASE}/credential-issuers/aws-certification/",
        {"name": "AWS", "slug": "aws-certification", "endpoint_url": ENDPOINT, "secret": "", "is_active": False},
        format="json",
    )
    assert changed.status_code == 200 and changed.json()["name"] == "AWS" and changed.json()["is_active"] is False
    issuer = in_a(world, lambda: CredentialIssuer.objects.get(tenant=world.a.tenant, slug="aws-certification"))
    assert in_a(world, lambda: issuer.secret) == "topsecret-9876"  # blank keeps it
    listed = api(world.a.analyst).get(f"{BASE}/credential-issuers/?is_active=false")
    assert [i["slug"] for i in listed.json()["results"]] == ["aws-certification"]
    assert "topsecret" not in listed.content.decode()
    assert audited(world, "training.credential_issuer_save") >= 2


def test_bad_issuer_input_is_a_400_envelope(world):
    no_secret = api(world.a.owner).post(f"{BASE}/credential-issuers/", {"name": "X", "endpoint_url": ENDPOINT}, format="json")
    refused = api(world.a.owner).post(
        f"{BASE}/credential-issuers/", {"name": "X", "endpoint_url": "http://127.0.0.1/", "secret": "s"}, format="json"
    )

    assert no_secret.status_code == 400 and no_secret.json()["attr"] == "secret"
    assert refused.status_code == 400 and refused.json()["code"] == "endpoint_refused"
    assert in_a(world, lambda: CredentialIssuer.objects.filter(tenant=world.a.tenant, slug="x").exists()) is False


def test_issuers_refuse_analysts_partner_users_and_other_tenants(world):
    in_a(
        world,
        lambda: credential_issuer_save(
            tenant=world.a.tenant, actor=world.a.owner, name="Probe", endpoint_url=ENDPOINT, secret="s3"
        ),
    )
    body = {"name": "Hijack", "slug": "probe", "endpoint_url": ENDPOINT}

    assert api(world.a.analyst).put(f"{BASE}/credential-issuers/probe/", body, format="json").status_code == 403
    assert api(world.a.partner1_admin).get(f"{BASE}/credential-issuers/").status_code == 404
    assert api(world.b.owner).get(f"{BASE}/credential-issuers/probe/").status_code == 404
    assert api(world.b.owner).put("/api/v1/t/beta/credential-issuers/probe/", body, format="json").status_code == 404
    assert in_a(world, lambda: CredentialIssuer.objects.get(tenant=world.a.tenant, slug="probe").name) == "Probe"
