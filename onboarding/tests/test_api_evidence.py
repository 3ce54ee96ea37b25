"""Security-review evidence in the API: staff read every document of the tenant, a partner's users
only their own; downloads are attachments under the original name with nosniff."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from ecosystem.tenancy.context import tenant_context
from onboarding.models import OnboardingStep
from onboarding.services import security_evidence_add
from tests.fixtures import onboarding_plan_for

BASE = "/api/v1/t/alpha"
PDF = b"%PDF-1.7\n% policy\n"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def evidence(world, settings, tmp_path):
    """Partner 1's document on its security review."""
    settings.MEDIA_ROOT = tmp_path
    plan = onboarding_plan_for(world.a.tenant, world.a.partner1)
    with tenant_context(world.a.tenant.pk):
        step = OnboardingStep.objects.get(plan=plan, kind="security_review")
        return security_evidence_add(
            tenant=world.a.tenant, actor=world.a.partner1_admin, step=step, upload=SimpleUploadedFile("policy.pdf", PDF)
        )


def test_staff_list_and_download_a_partners_document_as_an_attachment(world, evidence):
    listed = api(world.a.analyst).get(f"{BASE}/onboarding-evidence/?step={evidence.step.public_id}")

    assert listed.status_code == 200
    assert [(e["id"], e["original_filename"], e["size"]) for e in listed.json()["results"]] == [
        (str(evidence.public_id), "policy.pdf", len(PDF))
    ]
    response = api(world.a.manager).get(f"{BASE}/onboarding-evidence/{evidence.public_id}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="policy.pdf"'
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_partner_user_downloads_their_own_document(world, evidence):
    response = api(world.a.partner1_rep).get(f"{BASE}/onboarding-evidence/{evidence.public_id}/download/")

    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    own = api(world.a.partner1_admin).get(f"{BASE}/onboarding-evidence/").json()["results"]
    assert [e["id"] for e in own] == [str(evidence.public_id)]


def test_another_partner_and_another_tenant_get_404_and_an_empty_list(world, evidence):
    url = f"{BASE}/onboarding-evidence/{evidence.public_id}/download/"

    assert api(world.a.partner2_admin).get(url).status_code == 404
    assert api(world.a.partner2_admin).get(f"{BASE}/onboarding-evidence/").json()["results"] == []
    assert api(world.b.owner).get(url).status_code == 404
    assert api(world.b.owner).get(f"/api/v1/t/beta/onboarding-evidence/{evidence.public_id}/download/").status_code == 404


def test_evidence_is_read_only_and_a_bad_filter_is_a_400_envelope(world, evidence):
    assert api(world.a.owner).delete(f"{BASE}/onboarding-evidence/{evidence.public_id}/").status_code == 403
    bad = api(world.a.owner).get(f"{BASE}/onboarding-evidence/?step=not-a-uuid")

    assert bad.status_code == 400 and "code" in bad.json()


def test_a_document_whose_file_is_gone_is_a_404_not_a_500(world, evidence, settings):
    # found by the API fuzz: the row outlived its file
    (settings.MEDIA_ROOT / evidence.file.name).unlink()
    response = api(world.a.manager).get(f"{BASE}/onboarding-evidence/{evidence.public_id}/download/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
