"""Spreadsheet-safe exports. Every list export goes through here."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Google Sheets.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """Neutralise formula injection: prefix a quote to text a spreadsheet would evaluate."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write() returns the line, so csv.writer builds strings."""

    def write(self, value: str) -> str:
        return value


def csv_response(*, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """Built in full before returning, so every row is read inside the request's tenant transaction."""
    writer = csv.writer(_Echo())
    lines = [writer.writerow(header)]
    lines.extend(writer.writerow([spreadsheet_safe(value) for value in row]) for row in rows)
    response = HttpResponse("".join(lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
