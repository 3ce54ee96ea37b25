"""Uploaded files: the check every upload goes through (extension, size, first bytes), and the sweep of files no row refers to."""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.core.files.storage import Storage, default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.models import Tenant

# The first bytes each extension must start with: a renamed executable or HTML page is refused
# even though uploads are only ever sent back as attachments. docx, pptx and xlsx are zip files.
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "zip": _ZIP,
    "docx": _ZIP,
    "pptx": _ZIP,
    "xlsx": _ZIP,
}


def check_upload(
    upload: UploadedFile | None, *, extensions: tuple[str, ...], max_bytes: int, field: str = "file"
) -> tuple[UploadedFile, str]:
    """Return the upload and the name to show people, or raise ApplicationError naming ``field``."""
    if upload is None:
        raise ApplicationError(_("Choose a file to upload."), code="required", field=field)
    original = os.path.basename((upload.name or "").replace("\\", "/")).strip()[:255]
    extension = original.rsplit(".", 1)[-1].lower() if "." in original else ""
    if extension not in extensions:
        raise ApplicationError(
            _("Upload one of these file types: %(types)s.") % {"types": ", ".join(extensions)},
            code="invalid_extension",
            field=field,
        )
    if not upload.size:
        raise ApplicationError(_("The file is empty."), code="empty_file", field=field)
    if upload.size > max_bytes:
        raise ApplicationError(
            _("The file is too big: at most %(mib)s MiB.") % {"mib": max_bytes // (1024 * 1024)},
            code="file_too_large",
            field=field,
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(SIGNATURES[extension]):
        raise ApplicationError(
            _("The file's content is not a .%(extension)s file.") % {"extension": extension}, code="content_mismatch", field=field
        )
    return upload, original


# --- files no row refers to ----------------------------------------------------------------------


@dataclass(frozen=True)
class UploadHome:
    """Where one kind of upload lives: ``<prefix>/<tenant id>/…`` under the media root, named by ``model.field``."""

    prefix: str
    model: str  # "app_label.ModelName"
    field: str


# Every upload the platform stores. A new kind of upload adds its home here, or its orphans stay.
UPLOAD_HOMES = (
    UploadHome("content", "partners.ContentItem", "file"),
    UploadHome("logos", "partners.PartnerOrganization", "logo"),
    UploadHome("evidence", "onboarding.SecurityEvidence", "file"),
    UploadHome("mdf-evidence", "mdf.MdfEvidence", "file"),
)
# Older than this and referenced by no row: the request that stored it never committed (or the row
# is gone). Younger files may belong to a transaction that is still open, so they are left alone.
ORPHAN_GRACE = datetime.timedelta(hours=24)


def _files_under(storage: Storage, folder: str) -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _files_under(storage, f"{folder}/{sub}")


def upload_orphans_sweep(*, tenant: Tenant, storage: Storage | None = None, now: datetime.datetime | None = None) -> list[str]:
    """Delete the tenant's stored files that no row refers to and that are older than :data:`ORPHAN_GRACE`.

    A file is written to disk before its row commits; when the request's transaction then rolls
    back (a later error in the same request, a lost connection), the file stays behind with no row
    and no way to reach it. This finds those, per tenant, from the rows the tenant's scope reads,
    and writes one audit row naming what it removed. Returns the names removed; safe to run twice.
    """
    storage = storage or default_storage
    cutoff = (now or timezone.now()) - ORPHAN_GRACE
    removed: list[str] = []
    for home in UPLOAD_HOMES:
        model = apps.get_model(home.model)
        referenced = set(model.objects.filter(tenant=tenant).exclude(**{home.field: ""}).values_list(home.field, flat=True))
        for name in _files_under(storage, f"{home.prefix}/{tenant.pk}"):
            if name in referenced or storage.get_modified_time(name) > cutoff:
                continue
            storage.delete(name)
            removed.append(name)
    if removed:
        audit_record(
            tenant=tenant, actor=None, action="uploads.orphans_removed", changes={"count": len(removed), "files": removed[:200]}
        )
    return removed
