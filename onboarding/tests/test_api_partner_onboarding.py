"""The partner side of onboarding in the API: a partner user reads their plan and works its steps
through the same services as the partner portal. Other partners' and other tenants' steps are
"not found" and stay unchanged; staff and API keys are refused the partner's actions."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ecosystem.api.services import api_key_create
from ecosystem.audit.models import AuditEntry
from ecosystem.tenancy.context import tenant_context
from onboarding import issuers
from onboarding.models import (
    AgreementSignature,
    CredentialCheck,
    OnboardingStep,
    OnboardingTemplate,
    OnboardingTemplateStep,
    SecurityEvidence,
    SecurityQuestion,
)
from onboarding.services import plan_create_for_partner
from partners.models import Capability, PartnerOrganization
from tests.fixtures import onboarding_plan_for

API = "/api/v1/t/alpha/partner-onboarding"
PDF = b"%PDF-1.7\n% policy\n"


@pytest.fixture
def steps(world, settings, tmp_path):
    """Partner 1's standard plan: {1: agreement, 2: security review, 3: custom task (after 1)}."""
    settings.MEDIA_ROOT = tmp_path
    plan = onboarding_plan_for(world.a.tenant, world.a.partner1)
    with tenant_context(world.a.tenant.pk):
        return {step.position: step for step in plan.steps.all()}


def url(step, action: str = "") -> str:
    return f"{API}/steps/{step.public_id}/" + (f"{action}/" if action else "")


def post(client, step, action: str, body: dict | None = None, **extra):
    return client.post(url(step, action), body or {}, content_type="application/json", **extra)


def reload(world, step) -> OnboardingStep:
    with tenant_context(world.a.tenant.pk):
        return OnboardingStep.objects.get(pk=step.pk)


def signatures(world) -> int:
    with tenant_context(world.a.tenant.pk):
        return AgreementSignature.objects.count()


def all_yes(world) -> dict[str, bool]:
    with tenant_context(world.a.tenant.pk):
        return {str(q): True for q in SecurityQuestion.objects.values_list("public_id", flat=True)}


def envelope(response) -> tuple[int, str, str | None]:
    body = response.json()
    return response.status_code, body["code"], body["attr"]


# --- the plan and the gate ------------------------------------------------------------------------


def test_the_plan_says_what_is_missing_until_agreement_and_security_review_are_done(client, world, steps):
    client.force_login(world.a.partner1_rep)
    before = client.get(f"{API}/plan/").json()
    assert [step["kind"] for step in before["plan"]["steps"]] == ["agreement", "security_review", "custom_task"]
    assert before["plan"]["steps"][0]["agreement"]["version"] == "2026-1"
    assert before["sales_access"] == {"is_open": False, "missing": ["Sign the partner agreement", "Security questionnaire"]}

    assert post(client, steps[1], "sign", {"typed_name": "Rita Rep", "accepted": True}).status_code == 200
    halfway = client.get(f"{API}/plan/").json()["sales_access"]
    assert halfway == {"is_open": False, "missing": ["Security questionnaire"]}

    assert post(client, steps[2], "security-review", {"answers": all_yes(world)}).status_code == 200
    after = client.get(f"{API}/plan/").json()["sales_access"]
    assert after == {"is_open": True, "missing": []}


def test_a_partner_without_a_plan_gets_no_plan_and_open_access(client, world, steps):
    client.force_login(world.a.partner2_admin)
    body = client.get(f"{API}/plan/").json()
    assert body == {"plan": None, "sales_access": {"is_open": True, "missing": []}}


def test_the_step_detail_lists_the_questions_of_a_security_review(client, world, steps):
    client.force_login(world.a.partner1_admin)
    body = client.get(url(steps[2])).json()
    assert body["kind"] == "security_review"
    assert {q["id"] for q in body["questions"]} == set(all_yes(world))


# --- signing an agreement -------------------------------------------------------------------------


def test_signing_records_the_signature_with_the_address_and_finishes_the_step(client, world, steps):
    client.force_login(world.a.partner1_admin)
    response = post(client, steps[1], "sign", {"typed_name": "Pat Admin", "accepted": True}, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200
    assert response.json()["status"] == "done"
    with tenant_context(world.a.tenant.pk):
        signature = AgreementSignature.objects.get(step=steps[1])
        assert AuditEntry.objects.filter(action="onboarding.step_done", object_id=str(steps[1].public_id)).exists()
    assert (signature.typed_name, signature.ip, signature.signer_id) == ("Pat Admin", "203.0.113.7", world.a.partner1_admin.pk)
    assert signature.text_signed == "The partner agrees to the program terms."


@pytest.mark.parametrize(
    ("body", "code", "attr"),
    [
        ({"typed_name": "Pat Admin", "accepted": False}, "not_accepted", "accepted"),
        ({"typed_name": " ", "accepted": True}, "required", "typed_name"),
        ({"typed_name": "Pat Admin", "accepted": "perhaps"}, "invalid", "accepted"),
    ],
)
def test_a_bad_signature_is_refused_in_the_envelope_and_nothing_is_signed(client, world, steps, body, code, attr):
    client.force_login(world.a.partner1_admin)
    response = post(client, steps[1], "sign", body)
    assert envelope(response) == (400, code, attr)
    assert signatures(world) == 0
    assert reload(world, steps[1]).status == "todo"


def test_signing_a_step_that_is_not_an_agreement_is_refused(client, world, steps):
    client.force_login(world.a.partner1_admin)
    response = post(client, steps[2], "sign", {"typed_name": "Pat Admin", "accepted": True})
    assert envelope(response) == (400, "wrong_step_kind", None)
    assert signatures(world) == 0


def test_another_partner_cannot_sign_or_read_partner_1s_step(client, world, steps):
    client.force_login(world.a.partner2_admin)
    assert client.get(url(steps[1])).status_code == 404
    response = post(client, steps[1], "sign", {"typed_name": "Mallory", "accepted": True})
    assert envelope(response) == (404, "not_found", None)
    assert signatures(world) == 0
    assert reload(world, steps[1]).status == "todo"


def test_another_tenant_cannot_reach_the_step(client, world, steps):
    for user, address in ((world.b.partner1_admin, API), (world.b.owner, "/api/v1/t/beta/partner-onboarding")):
        client.force_login(user)
        response = client.post(
            f"{address}/steps/{steps[1].public_id}/sign/",
            {"typed_name": "X Y", "accepted": True},
            content_type="application/json",
        )
        assert response.status_code == 404
    assert signatures(world) == 0


def test_staff_read_the_step_but_are_refused_the_partners_actions(client, world, steps):
    client.force_login(world.a.manager)
    assert client.get(url(steps[1])).status_code == 200
    response = post(client, steps[1], "sign", {"typed_name": "Mona Manager", "accepted": True})
    assert envelope(response) == (403, "partner_only", None)
    assert client.get(f"{API}/plan/").status_code == 403
    assert signatures(world) == 0
    assert reload(world, steps[1]).status == "todo"


def test_api_keys_are_refused_the_partners_actions(client, world, steps):
    with tenant_context(world.a.tenant.pk):
        issued = api_key_create(tenant=world.a.tenant, actor=world.a.owner, name="CRM", scope="write")
    response = post(client, steps[3], "complete", HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")
    assert envelope(response) == (403, "partner_only", None)
    assert reload(world, steps[3]).status == "todo"


# --- the security questionnaire and its documents -------------------------------------------------


def test_answering_every_question_yes_finishes_the_review(client, world, steps):
    client.force_login(world.a.partner1_admin)
    response = post(client, steps[2], "security-review", {"answers": all_yes(world)})
    assert response.status_code == 200
    step = reload(world, steps[2])
    assert (step.status, step.result["rating"]) == ("done", "low")


def test_high_risk_answers_wait_for_the_vendor(client, world, steps):
    client.force_login(world.a.partner1_admin)
    answers = dict.fromkeys(all_yes(world), False)
    assert post(client, steps[2], "security-review", {"answers": answers}).json()["status"] == "review"
    assert reload(world, steps[2]).status == "review"


@pytest.mark.parametrize(
    ("body", "code", "attr"),
    [
        ({"answers": {}}, "incomplete_answers", "answers"),
        ({}, "required", "answers"),
        ({"answers": ["yes"]}, "not_a_dict", "answers"),
    ],
)
def test_incomplete_answers_are_refused_and_the_review_stays_open(client, world, steps, body, code, attr):
    client.force_login(world.a.partner1_admin)
    assert envelope(post(client, steps[2], "security-review", body)) == (400, code, attr)
    assert reload(world, steps[2]).status == "todo"


def test_another_partner_cannot_answer_partner_1s_questionnaire(client, world, steps):
    client.force_login(world.a.partner2_admin)
    assert post(client, steps[2], "security-review", {"answers": all_yes(world)}).status_code == 404
    assert reload(world, steps[2]).status == "todo"


def test_a_document_is_attached_to_the_review(client, world, steps):
    client.force_login(world.a.partner1_admin)
    response = client.post(url(steps[2], "evidence"), {"file": SimpleUploadedFile("policy.pdf", PDF)})
    assert response.status_code == 201
    assert (response.json()["original_filename"], response.json()["size"]) == ("policy.pdf", len(PDF))
    with tenant_context(world.a.tenant.pk):
        evidence = SecurityEvidence.objects.get(step=steps[2])
        assert evidence.file.read() == PDF


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [("setup.pdf", b"MZ\x90\x00 not a pdf", "content_mismatch"), ("tool.exe", b"MZ\x90\x00", "invalid_extension")],
)
def test_a_bad_document_is_refused_and_nothing_is_stored(client, world, steps, tmp_path, name, content, code):
    client.force_login(world.a.partner1_admin)
    response = client.post(url(steps[2], "evidence"), {"file": SimpleUploadedFile(name, content)})
    assert envelope(response) == (400, code, "file")
    with tenant_context(world.a.tenant.pk):
        assert not SecurityEvidence.objects.exists()
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]


def test_a_missing_document_is_required(client, world, steps):
    client.force_login(world.a.partner1_admin)
    assert envelope(client.post(url(steps[2], "evidence"), {})) == (400, "required", "file")


def test_another_partner_cannot_attach_to_partner_1s_review(client, world, steps):
    client.force_login(world.a.partner2_admin)
    response = client.post(url(steps[2], "evidence"), {"file": SimpleUploadedFile("policy.pdf", PDF)})
    assert response.status_code == 404
    with tenant_context(world.a.tenant.pk):
        assert not SecurityEvidence.objects.exists()


# --- custom tasks --------------------------------------------------------------------------------


def test_a_task_waits_for_the_steps_it_depends_on_then_is_ticked_off(client, world, steps):
    client.force_login(world.a.partner1_admin)
    assert envelope(post(client, steps[3], "complete")) == (400, "step_blocked", None)
    assert reload(world, steps[3]).status == "todo"

    post(client, steps[1], "sign", {"typed_name": "Pat Admin", "accepted": True})
    response = post(client, steps[3], "complete")

    assert response.status_code == 200
    assert reload(world, steps[3]).status == "done"
    assert envelope(post(client, steps[3], "complete")) == (400, "step_done", None)


def test_the_agreement_cannot_be_ticked_off_without_signing(client, world, steps):
    client.force_login(world.a.partner1_admin)
    assert envelope(post(client, steps[1], "complete")) == (400, "wrong_step_kind", None)
    assert reload(world, steps[1]).status == "todo"


def test_another_partner_cannot_tick_off_partner_1s_task(client, world, steps):
    client.force_login(world.a.partner2_admin)
    assert post(client, steps[3], "complete").status_code == 404
    assert reload(world, steps[3]).status == "todo"


# --- the profile ---------------------------------------------------------------------------------


@pytest.fixture
def profile_step(world):
    tenant = world.a.tenant
    with tenant_context(tenant.pk):
        Capability.objects.create(tenant=tenant, name="Security", slug="security")
        template = OnboardingTemplate.objects.create(tenant=tenant, name="Profile only")
        OnboardingTemplateStep.objects.create(tenant=tenant, template=template, position=1, kind="profile", title="Profile")
        plan = plan_create_for_partner(tenant=tenant, actor=None, partner=world.a.partner1)
        return OnboardingStep.objects.get(plan=plan)


def partner1(world) -> PartnerOrganization:
    with tenant_context(world.a.tenant.pk):
        return PartnerOrganization.objects.get(pk=world.a.partner1.pk)


def test_the_profile_step_stores_the_profile_and_is_done(client, world, profile_step):
    client.force_login(world.a.partner1_admin)
    body = {"description": "We secure cloud estates.", "regions": ["na", "emea"], "capabilities": ["security"]}
    response = post(client, profile_step, "profile", body)
    assert response.status_code == 200
    partner = partner1(world)
    assert (partner.description, partner.regions, partner.capabilities) == (
        "We secure cloud estates.",
        ["emea", "na"],
        ["security"],
    )
    assert reload(world, profile_step).status == "done"


@pytest.mark.parametrize(
    ("body", "code", "attr"),
    [
        ({"description": " "}, "required", "description"),
        ({"description": "Fine", "regions": ["atlantis"]}, "invalid_choice", "regions"),
        ({"description": "Fine", "capabilities": ["telepathy"]}, "invalid_choice", "capabilities"),
    ],
)
def test_a_bad_profile_is_refused_and_nothing_changes(client, world, profile_step, body, code, attr):
    client.force_login(world.a.partner1_admin)
    assert envelope(post(client, profile_step, "profile", body)) == (400, code, attr)
    assert partner1(world).description == ""
    assert reload(world, profile_step).status == "todo"


def test_another_partner_cannot_fill_in_partner_1s_profile(client, world, profile_step):
    client.force_login(world.a.partner2_admin)
    assert post(client, profile_step, "profile", {"description": "Hijacked"}).status_code == 404
    assert partner1(world).description == ""


# --- an outside certification --------------------------------------------------------------------


@pytest.fixture
def certification_step(world, monkeypatch):
    monkeypatch.setattr(issuers, "enqueue_on_commit", lambda *args: None)  # no worker here: the check stays pending
    tenant = world.a.tenant
    with tenant_context(tenant.pk):
        issuers.credential_issuer_save(
            tenant=tenant, actor=None, name="AWS Certification", endpoint_url="https://issuer.example/verify", secret="s" * 32
        )
        template = OnboardingTemplate.objects.create(tenant=tenant, name="Certs")
        OnboardingTemplateStep.objects.create(tenant=tenant, template=template, position=1, kind="certification", title="AWS")
        plan = plan_create_for_partner(tenant=tenant, actor=None, partner=world.a.partner1)
        return plan.steps.get()


def checks(world) -> list[CredentialCheck]:
    with tenant_context(world.a.tenant.pk):
        return list(CredentialCheck.objects.all())


def test_an_outside_credential_is_recorded_for_checking(client, world, certification_step):
    client.force_login(world.a.partner1_admin)
    assert client.get(url(certification_step)).json()["issuers"] == [{"slug": "aws-certification", "name": "AWS Certification"}]
    body = {"issuer": "aws-certification", "credential_number": "AWS-123", "holder_name": "Ada Lovelace"}
    response = post(client, certification_step, "credential", body)
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    [check] = checks(world)
    assert (check.credential_number, check.holder_name, check.requested_by_id) == (
        "AWS-123",
        "Ada Lovelace",
        world.a.partner1_admin.pk,
    )


@pytest.mark.parametrize(
    ("body", "attr"),
    [
        ({"issuer": "gcp", "credential_number": "X-1", "holder_name": "Ada"}, "issuer"),
        ({"issuer": "aws-certification", "credential_number": " ", "holder_name": "Ada"}, "credential_number"),
    ],
)
def test_a_bad_credential_is_refused_and_nothing_is_checked(client, world, certification_step, body, attr):
    client.force_login(world.a.partner1_admin)
    response = post(client, certification_step, "credential", body)
    assert response.status_code == 400
    assert response.json()["attr"] == attr
    assert checks(world) == []


def test_another_partner_cannot_submit_a_credential_on_partner_1s_step(client, world, certification_step):
    client.force_login(world.a.partner2_admin)
    body = {"issuer": "aws-certification", "credential_number": "AWS-123", "holder_name": "Ada"}
    assert post(client, certification_step, "credential", body).status_code == 404
    assert checks(world) == []
