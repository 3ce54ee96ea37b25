"""CRM imports: reading the uploaded CSV file."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ecosystem.errors import ApplicationError

from .headers import normalise_header

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000


# --- reading ---------------------------------------------------------------------------------------


class ImportFileInvalid(ApplicationError):
    """The file as a whole cannot be read (not CSV, no header, too big)."""


@dataclass
class CsvFile:
    headers: list[str]
    records: list[list[str]]  # record i is row i + 2 (the header is row 1)
    sha256: str
    delimiter: str


def read_csv(data: bytes) -> CsvFile:
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileInvalid(_("The file is larger than 50 MB. Split it and import the parts."), code="file_too_large")
    digest = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileInvalid(
            _("The file is not UTF-8 text. Export it from your CRM as CSV (UTF-8)."), code="not_utf8"
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ImportFileInvalid(_("The file is empty."), code="empty") from None
    except csv.Error:
        raise ImportFileInvalid(_("The file is not a CSV file."), code="not_csv") from None
    if not any(headers):
        raise ImportFileInvalid(_("The first row must name the columns."), code="no_header")
    seen: set[str] = set()
    for header in headers:
        if header and normalise_header(header) in seen:
            raise ImportFileInvalid(
                _("The column “%(column)s” appears twice. Rename one and upload again.") % {"column": header},
                code="duplicate_column",
            )
        seen.add(normalise_header(header))
    try:
        records = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as error:
        raise ImportFileInvalid(_("The file is not valid CSV: %(error)s") % {"error": error}, code="not_csv") from None
    if len(records) > MAX_ROWS:
        raise ImportFileInvalid(
            _("The file has more than %(max)s rows. Split it and import the parts.") % {"max": f"{MAX_ROWS:,}"},
            code="too_many_rows",
        )
    return CsvFile(headers=headers, records=records, sha256=digest, delimiter=delimiter)
