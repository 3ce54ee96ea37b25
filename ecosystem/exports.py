"""Spreadsheet-safe exports, CSV and XLSX. Every list export goes through here.

A cell a spreadsheet would run as a formula is how an export turns into an attack on the person who
opens it ("formula injection"): a partner types ``=HYPERLINK(…)`` as a company name, a manager exports
the list and clicks. So:

- **CSV** (RFC 4180 quoting by :mod:`csv`): text starting with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return is prefixed with a single quote, which every spreadsheet shows as text.
- **XLSX** (openpyxl): text cells are written with the *string* type, never the formula type, whatever
  they start with, and the same risky starts get the quote as well, so a copy-paste back into a sheet
  stays inert. Characters XML cannot hold (control characters) become U+FFFD, and a carriage return
  reads back as a line feed (XML normalises line ends). Numbers, dates and
  booleans keep their types.

A view offers both with :func:`export_response`, which reads ``?export=`` (or ``?format=``) ``csv`` or
``xlsx``; :data:`EXPORT_FORMATS` lists them for the views that branch on it.

When the rows are just fields of a queryset, :func:`export_queryset` takes the columns as one dict,
header → field path, so a column's name and its field are declared together and cannot drift apart::

    export_queryset(request, filename="partners.csv", queryset=partners, columns={"id": "public_id", "name": "name"})

It reads ``queryset.values_list(*columns.values()).iterator()``: one query. Rows that need Python to
build them (joined arrays, computed cells) keep going through :func:`export_response`.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Google Sheets.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_FORMATS = ("csv", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def spreadsheet_safe(value: Any) -> Any:
    """Neutralise formula injection: prefix a quote to text a spreadsheet would evaluate."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def export_format(request: HttpRequest) -> str | None:
    """``csv`` or ``xlsx`` when the request asks for an export (``?export=`` or ``?format=``), else None."""
    asked = request.GET.get("export") or request.GET.get("format")
    return asked if asked in EXPORT_FORMATS else None


def export_response(request: HttpRequest, *, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """The rows as the format the request asks for (CSV unless it asks for XLSX)."""
    if export_format(request) == "xlsx":
        return xlsx_response(filename=filename, header=header, rows=rows)
    return csv_response(filename=filename, header=header, rows=rows)


def export_queryset(request: HttpRequest, *, filename: str, queryset: QuerySet, columns: Mapping[str, str]) -> HttpResponse:
    """``columns``: header → field path for ``values_list``, in order (read with ``.iterator()``, one query).

    ``select_related`` and ``prefetch_related`` are dropped: a ``values_list`` row needs neither, and
    ``iterator()`` refuses a queryset that still prefetches.
    """
    rows = queryset.select_related(None).prefetch_related(None).values_list(*columns.values()).iterator()
    return export_response(request, filename=filename, header=list(columns), rows=rows)


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
    response["Content-Disposition"] = f'attachment; filename="{_with_suffix(filename, "csv")}"'
    return response


def xlsx_bytes(*, header: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "Export") -> bytes:
    """An XLSX workbook of one sheet: the header, then the rows (see the module docstring)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])

    def cell(value: Any) -> Any:
        if isinstance(value, bool | int | float | decimal.Decimal):
            return value
        if isinstance(value, datetime.datetime):
            return value.replace(tzinfo=None) if value.tzinfo else value  # XLSX has no time zones: shown as stored
        if isinstance(value, datetime.date):
            return value
        text = _xml_safe(spreadsheet_safe(value) if not isinstance(value, uuid.UUID) else str(value))
        out = WriteOnlyCell(sheet, value=text)
        out.data_type = "s"  # text, even when it starts with "=": never a formula
        return out

    sheet.append([cell(name) for name in header])
    for row in rows:
        sheet.append([cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(*, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(header=header, rows=rows), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_with_suffix(filename, "xlsx")}"'
    return response


def _xml_safe(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)


def _with_suffix(filename: str, suffix: str) -> str:
    stem = filename.rsplit(".", 1)[0] if filename.lower().endswith((".csv", ".xlsx")) else filename
    return f"{stem}.{suffix}"
