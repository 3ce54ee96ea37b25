"""Stored files that no row refers to (a request rolled back after writing them) are swept after a day."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from ecosystem.audit.models import AuditEntry
from ecosystem.celery import app
from ecosystem.tenancy.context import tenant_context
from ecosystem.uploads import ORPHAN_GRACE, UPLOAD_HOMES, upload_orphans_sweep
from partners import content

PDF = b"%PDF-1.7\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def age(path: Path, days: float) -> None:
    when = (timezone.now() - datetime.timedelta(days=days)).timestamp()
    os.utime(path, (when, when))


def stored(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def add_file(tenant, actor, title="Deck"):
    return content.content_create(tenant=tenant, actor=actor, title=title, kind="file", file=SimpleUploadedFile("deck.pdf", PDF))


class RolledBack(Exception):
    pass


def orphan_of_a_rolled_back_request(tenant, actor, media_root: Path) -> str:
    """The service stores the file and commits its savepoint; then the request's outer transaction fails."""
    before = stored(media_root)

    def request_that_fails_after_the_upload() -> None:
        with transaction.atomic():
            add_file(tenant, actor, title="Never committed")
            raise RolledBack

    with pytest.raises(RolledBack):
        request_that_fails_after_the_upload()
    [name] = stored(media_root) - before
    return name


def test_a_file_whose_request_rolled_back_is_removed_after_a_day_and_audited(world, media_root):
    with tenant_context(world.a.tenant.pk):
        kept = add_file(world.a.tenant, world.a.manager)
        orphan = orphan_of_a_rolled_back_request(world.a.tenant, world.a.manager, media_root)
        age(media_root / orphan, days=2)
        age(media_root / kept.file.name, days=2)

        removed = upload_orphans_sweep(tenant=world.a.tenant)
        entry = AuditEntry.objects.get(action="uploads.orphans_removed")

    assert removed == [orphan]
    assert stored(media_root) == {kept.file.name}
    assert entry.changes == {"count": 1, "files": [orphan]}


def test_a_recent_orphan_is_left_alone_for_a_transaction_that_may_still_commit(world, media_root):
    with tenant_context(world.a.tenant.pk):
        orphan = orphan_of_a_rolled_back_request(world.a.tenant, world.a.manager, media_root)
        age(media_root / orphan, days=ORPHAN_GRACE.total_seconds() / 86400 / 2)

        removed = upload_orphans_sweep(tenant=world.a.tenant)

    assert removed == [] and orphan in stored(media_root)
    with tenant_context(world.a.tenant.pk):
        assert not AuditEntry.objects.filter(action="uploads.orphans_removed").exists()


def test_one_tenants_sweep_never_touches_another_tenants_files(world, media_root):
    with tenant_context(world.b.tenant.pk):
        orphan_b = orphan_of_a_rolled_back_request(world.b.tenant, world.b.manager, media_root)
        age(media_root / orphan_b, days=2)

    with tenant_context(world.a.tenant.pk):
        removed = upload_orphans_sweep(tenant=world.a.tenant)

    assert removed == [] and orphan_b in stored(media_root)


def test_partner_owned_evidence_is_read_across_partners_so_referenced_files_survive(world, media_root):
    from onboarding.services import security_evidence_add
    from tests.fixtures import onboarding_plan_for

    onboarding_plan_for(world.a.tenant, world.a.partner1)
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk):
        from onboarding.models import OnboardingStep

        step = OnboardingStep.objects.get(partner=world.a.partner1, kind="security_review")
        evidence = security_evidence_add(
            tenant=world.a.tenant, actor=world.a.partner1_admin, step=step, upload=SimpleUploadedFile("policy.pdf", PDF)
        )
    age(media_root / evidence.file.name, days=3)

    with tenant_context(world.a.tenant.pk):
        removed = upload_orphans_sweep(tenant=world.a.tenant)

    assert removed == [] and evidence.file.name in stored(media_root)


def test_every_file_field_has_an_upload_home():
    from django.apps import apps
    from django.db import models

    homes = {(home.model.lower(), home.field) for home in UPLOAD_HOMES}
    file_fields = {
        (model._meta.label_lower, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }

    assert file_fields == homes


def test_the_nightly_sweep_is_scheduled_and_registered_with_the_worker():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}

    assert "ecosystem.upload_tasks.upload_orphans_sweep_all_tenants" in scheduled
    assert scheduled <= set(app.tasks)
