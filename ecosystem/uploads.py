"""Checking uploaded files: extension, size and first bytes. Every upload in the platform goes through here."""

from __future__ import annotations

import os

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from ecosystem.errors import ApplicationError

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
