"""The owners' full data export in a real browser, on the demo: the owner starts it from the audit log,
the job runs, and the zip downloads with one file per table and the manifest (screenshot for
docs/partner-manager.md)."""

from __future__ import annotations

import json
import zipfile

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from ecosystem.jobs.models import Job
from ecosystem.portal.tenant_export import JOB_KIND, tenant_models
from ecosystem.portal.tenant_export_tasks import tenant_export_run
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization

from .test_deal_journey import docs_screenshot
from .test_lifecycle_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def acme(transactional_db, settings, tmp_path) -> Tenant:
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", verbosity=0)
    return Tenant.objects.get(slug="acme")


def test_the_owner_exports_all_data_and_downloads_the_zip(page, acme, screenshot, tmp_path) -> None:
    log_in(page, "owner@acme.example")
    page.goto("/t/acme/audit/")
    page.get_by_test_id("tenant-export-section").get_by_role("button", name="Export all data").click()
    expect(page.get_by_role("heading", name="Export all data")).to_be_visible()
    expect(page.get_by_text("Exporting all data in the background")).to_be_visible()
    with tenant_context(acme.pk):
        job = Job.objects.get(kind=JOB_KIND)
        partners = PartnerOrganization.objects.count()
    tenant_export_run(acme.pk, job.pk)  # what the worker does once the request committed
    page.reload()
    expect(page.get_by_test_id("tenant-export-download")).to_be_visible()
    docs_screenshot(page, "owner-data-export", screenshot)

    with page.expect_download() as info:
        page.get_by_test_id("tenant-export-download").click()
    saved = tmp_path / "export.zip"
    info.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
    assert len(names) == len(tenant_models()) + 1
    assert manifest["tables"]["partners.partnerorganization.jsonl"] == partners
