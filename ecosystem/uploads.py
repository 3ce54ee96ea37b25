"""Uploaded files: the check every upload goes through (extension, size, first bytes), and the sweep of files no row refers to."""

from __future__ import annotations

import datetime
import os
import re
import unicodedata
import zipfile
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
OFFICE_EXTENSIONS = frozenset({"docx", "pptx", "xlsx"})

# Limits on zip files (zip, docx, pptx, xlsx), read from the zip's directory without extracting.
ZIP_MAX_ENTRIES = 1_000
ZIP_MAX_UNCOMPRESSED = 100 * 1024 * 1024  # 100 MiB in total
ZIP_MAX_RATIO = 100  # an entry above 1 MiB may not expand more than 100 times its stored size
ZIP_RATIO_MIN_SIZE = 1024 * 1024
_PNG_END = b"IEND\xaeB`\x82"  # the IEND chunk's type and (fixed) CRC
_DRIVE = re.compile(r"^[A-Za-z]:")


def check_upload(
    upload: UploadedFile | None, *, extensions: tuple[str, ...], max_bytes: int, field: str = "file"
) -> tuple[UploadedFile, str]:
    """Return the upload and the name to show people, or raise ApplicationError naming ``field``.

    In order: a name without control characters; an allowed extension (the last one: ``x.pdf.exe``
    is an exe); not empty and not over ``max_bytes``; the first bytes of that type; no second
    format hidden in the file (a zip readable inside a pdf/png/jpg, bytes after a PNG's end); and
    for zip types the limits above (:func:`_check_zip`).
    """
    if upload is None:
        raise ApplicationError(_("Choose a file to upload."), code="required", field=field)
    raw_name = upload.name or ""
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in raw_name):  # NUL, CR/LF, bidi overrides, zero-width
        raise ApplicationError(
            _("The file name has control characters in it; rename the file."), code="invalid_name", field=field
        )
    original = os.path.basename(raw_name.replace("\\", "/")).strip()[:255]
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
    try:
        if SIGNATURES[extension] is _ZIP:
            _check_zip(upload, extension=extension, field=field)
        else:
            _check_single_format(upload, extension=extension, field=field)
    finally:
        upload.seek(0)
    return upload, original


def _polyglot(extension: str, field: str) -> ApplicationError:
    return ApplicationError(
        _("The file is a .%(extension)s with another file hidden in it; save it again and upload that.")
        % {"extension": extension},
        code="polyglot",
        field=field,
    )


def _check_single_format(upload: UploadedFile, *, extension: str, field: str) -> None:
    """Refuse a pdf/png/jpg that a zip reader also opens, and a PNG with bytes after its IEND chunk."""
    upload.seek(0)
    if zipfile.is_zipfile(upload):
        raise _polyglot(extension, field)
    if extension != "png":
        return
    upload.seek(0)
    offset, tail = 0, b""
    for chunk in upload.chunks():
        data = tail + chunk
        found = data.find(_PNG_END)
        if found >= 0:
            if offset - len(tail) + found + len(_PNG_END) != upload.size:
                raise _polyglot(extension, field)
            return
        tail = data[-(len(_PNG_END) - 1) :]
        offset += len(chunk)


def _check_zip(upload: UploadedFile, *, extension: str, field: str) -> None:
    """Read the zip's directory (nothing is extracted) and refuse bombs, unsafe names and non-office files."""
    upload.seek(0)
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise ApplicationError(_("The file is not a readable zip file."), code="corrupt_zip", field=field) from None
    with archive:
        entries = archive.infolist()
    if len(entries) > ZIP_MAX_ENTRIES:
        raise ApplicationError(
            _("The zip holds too many files: at most %(count)s.") % {"count": f"{ZIP_MAX_ENTRIES:,}"},
            code="zip_bomb",
            field=field,
        )
    total = sum(entry.file_size for entry in entries)
    if total > ZIP_MAX_UNCOMPRESSED:
        raise ApplicationError(
            _("The zip expands to more than %(mib)s MiB.") % {"mib": ZIP_MAX_UNCOMPRESSED // (1024 * 1024)},
            code="zip_bomb",
            field=field,
        )
    for entry in entries:
        if entry.file_size > ZIP_RATIO_MIN_SIZE and entry.file_size > ZIP_MAX_RATIO * max(entry.compress_size, 1):
            raise ApplicationError(
                _("The zip's %(name)s is compressed more than %(ratio)s to 1: refused as a zip bomb.")
                % {"name": entry.filename[:80], "ratio": ZIP_MAX_RATIO},
                code="zip_bomb",
                field=field,
            )
        name = entry.filename.replace("\\", "/")
        if name.startswith("/") or _DRIVE.match(name) or ".." in name.split("/") or "\x00" in name:
            raise ApplicationError(
                _("The zip holds a file with an unsafe name: %(name)s.") % {"name": entry.filename[:80]},
                code="zip_unsafe_name",
                field=field,
            )
        if entry.flag_bits & 0x1:
            raise ApplicationError(
                _("The zip holds an encrypted file (%(name)s); upload it without a password.") % {"name": entry.filename[:80]},
                code="zip_encrypted",
                field=field,
            )
        if name.lower().endswith(".zip"):
            raise ApplicationError(
                _("The zip holds another zip (%(name)s); upload the files themselves.") % {"name": entry.filename[:80]},
                code="zip_nested",
                field=field,
            )
    if extension in OFFICE_EXTENSIONS and "[Content_Types].xml" not in {entry.filename for entry in entries}:
        raise ApplicationError(
            _("The file is a zip but not a .%(extension)s document.") % {"extension": extension},
            code="not_office_file",
            field=field,
        )


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
