"""CRM imports: the column mappings people saved, and every file imported (so a replay is recognised)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecosystem.tenancy.models import TenantModel


class ImportKind(models.TextChoices):
    ACCOUNTS = "accounts", _("Customer accounts")
    OPPORTUNITIES = "opportunities", _("Opportunities")


class ImportMapping(TenantModel):
    """A saved mapping from a file's headers to our fields, found again by the same set of headers."""

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    name = models.CharField(_("name"), max_length=120)
    headers_key = models.CharField(max_length=64, help_text=_("SHA-256 of the file's sorted, normalised headers."))
    mapping = models.JSONField(_("mapping"), default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="import_mapping_public_id_unique"),
            models.UniqueConstraint(fields=["tenant", "kind", "headers_key"], name="import_mapping_one_per_headers"),
        ]


class ImportBatch(TenantModel):
    """One imported file: its digest (the same file again is a replay), its rows, and the job that ran it."""

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    file_name = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    job = models.ForeignKey("jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="import_batch_public_id_unique"),
            models.UniqueConstraint(fields=["tenant", "kind", "sha256"], name="import_batch_once_per_file"),
        ]
