"""Evidence for the security review: validated uploads, sent back only to the partner and the vendor."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ecosystem.tenancy.context import tenant_context
from onboarding.models import OnboardingStep, SecurityEvidence
from tests.fixtures import onboarding_plan_for

PDF = b"%PDF-1.7\n% policy\n"


@pytest.fixture
def review_step(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    plan = onboarding_plan_for(world.a.tenant, world.a.partner1)
    with tenant_context(world.a.tenant.pk):
        return OnboardingStep.objects.get(plan=plan, kind="security_review")


def attach(client, step, name="policy.pdf", content=PDF):
    return client.post(f"/p/alpha/onboarding/steps/{step.public_id}/evidence/", {"file": SimpleUploadedFile(name, content)})


def test_a_partner_attaches_a_document_and_staff_download_it(client, world, review_step):
    client.force_login(world.a.partner1_admin)
    assert attach(client, review_step).status_code == 302
    with tenant_context(world.a.tenant.pk):
        evidence = SecurityEvidence.objects.get(step=review_step)
    assert (evidence.original_filename, evidence.size) == ("policy.pdf", len(PDF))
    own = client.get(f"/p/alpha/onboarding/evidence/{evidence.public_id}/")
    assert own.status_code == 200
    assert b"".join(own.streaming_content) == PDF
    assert 'attachment; filename="policy.pdf"' in own["Content-Disposition"]
    client.force_login(world.a.manager)
    assert client.get(f"/t/alpha/onboarding/evidence/{evidence.public_id}/").status_code == 200


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("run.exe", b"MZ\x90\x00", "Upload one of these file types"),
        ("fake.pdf", b"<html>not a pdf</html>", "not a .pdf file"),
        ("empty.pdf", b"", "The file is empty."),
    ],
)
def test_bad_files_are_refused_with_a_clear_message_and_nothing_is_stored(client, world, review_step, name, content, message):
    client.force_login(world.a.partner1_admin)
    response = attach(client, review_step, name, content)
    assert response.status_code == 302
    assert message in client.get(response["Location"]).content.decode()
    with tenant_context(world.a.tenant.pk):
        assert not SecurityEvidence.objects.exists()


def test_too_big_files_are_refused(client, world, review_step, monkeypatch):
    from onboarding.services import reviews

    # security_evidence_add reads the limit from the module it lives in, not from the package.
    monkeypatch.setattr(reviews, "EVIDENCE_MAX_BYTES", 10)
    client.force_login(world.a.partner1_admin)
    response = attach(client, review_step, content=PDF + b"x" * 100)
    assert "too big" in client.get(response["Location"]).content.decode()


def test_another_partner_cannot_attach_or_download(client, world, review_step):
    client.force_login(world.a.partner1_admin)
    attach(client, review_step)
    with tenant_context(world.a.tenant.pk):
        evidence = SecurityEvidence.objects.get(step=review_step)
    client.force_login(world.a.partner2_admin)
    assert attach(client, review_step).status_code == 404
    assert client.get(f"/p/alpha/onboarding/evidence/{evidence.public_id}/").status_code == 404
    with tenant_context(world.a.tenant.pk):
        assert SecurityEvidence.objects.count() == 1
