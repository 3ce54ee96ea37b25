"""Screening list files: a CSV with a header, or the U.S. Treasury ``sdn.csv``; all rows or none."""

from __future__ import annotations

import codecs
import csv
import functools
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import IO, Literal

from ecosystem.errors import ApplicationError

from .names import normalize_name, resolve_country, search_terms

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000
MAX_NAME_LENGTH = 500
MAX_PROGRAM_LENGTH = 200


@dataclass(frozen=True)
class ScreeningEntry:
    """One listed party. ``row`` is the line of the list file it was first read from."""

    name: str
    aliases: tuple[str, ...] = ()
    country: str | None = None
    program: str = ""
    row: int | None = None

    @cached_property
    def comparable_names(self) -> tuple[tuple[Literal["name", "alias"], str, str], ...]:
        """(matched_on, original text, normalised text) for the name and every alias."""
        named = (("name", self.name, normalize_name(self.name)),)
        return named + tuple(("alias", alias, normalize_name(alias)) for alias in self.aliases)

    @cached_property
    def search_terms(self) -> str:
        return search_terms(self.name, *self.aliases)


@dataclass(frozen=True)
class RowError:
    """One problem in a list file. ``row`` is the line number in the file (the header is line 1);
    ``None`` means the whole file. ``code`` is stable, for the API; ``message`` is for people."""

    row: int | None
    column: str | None
    code: str
    message: str

    def __str__(self) -> str:
        where = "File" if self.row is None else f"Line {self.row}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class ScreeningListInvalid(ApplicationError):
    """The list had problems, so none of it was imported. ``errors`` lists every one of them."""

    def __init__(self, errors: Iterable[RowError]) -> None:
        self.errors = list(errors)
        count = len(self.errors)
        super().__init__(
            f"The screening list has {count} problem{'s' if count != 1 else ''}; nothing was imported.",
            code="screening_list_invalid",
        )


@dataclass(frozen=True)
class ParsedList:
    """All or nothing: either ``entries`` (and no errors) or ``errors`` (and no entries)."""

    entries: list[ScreeningEntry] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    layout: Literal["columns", "sdn"] | None = None

    def __post_init__(self) -> None:
        if self.entries and self.errors:
            raise ValueError("a parsed list has entries or errors, never both")

    @property
    def ok(self) -> bool:
        return not self.errors

    def entries_or_raise(self) -> list[ScreeningEntry]:
        if self.errors:
            raise ScreeningListInvalid(self.errors)
        return self.entries


_COLUMNS = {
    "name": "name",
    "aliases": "aliases",
    "alias": "aliases",
    "aka": "aliases",
    "country": "country",
    "country_code": "country",
    "program": "program",
    "programme": "program",
    "programs": "program",
}
SDN_COLUMNS = (
    "ent_num",
    "SDN_Name",
    "SDN_Type",
    "Program",
    "Title",
    "Call_Sign",
    "Vess_type",
    "Tonnage",
    "GRT",
    "Vess_flag",
    "Vess_owner",
    "Remarks",
)
SDN_EMPTY = "-0-"
_SDN_ALIAS = re.compile(r"\b[afn]\.k\.a\.,?\s+'(.+?)'(?=\s*[;.,)]|\s*$)", re.IGNORECASE)
_SDN_NATIONALITY = re.compile(r"\b(?:nationality|citizen)\s+([^;.]+)", re.IGNORECASE)


def parse_screening_csv(source: str | bytes | IO[bytes] | IO[str]) -> ParsedList:
    """Read a screening list and report every bad row; a list with any problem yields no entries.

    Accepted layouts: a CSV with a header naming ``name`` (required), ``aliases`` (separated by
    ``;``), ``country`` (ISO code or English name) and ``program``, other columns ignored, delimited
    by commas, semicolons or tabs; or the U.S. Treasury ``sdn.csv`` (no header, 12 columns, ``-0-``
    for empty), whose aliases and nationality are read from its remarks. UTF-8 with or without a
    BOM (UTF-16 with a BOM too), at most ``MAX_FILE_BYTES`` and ``MAX_ROWS`` rows. Blank lines are
    skipped; rows with the same normalised name and country are merged, their aliases and programs
    combined.
    """
    text, problem = _read_text(source)
    if problem:
        return ParsedList(errors=[problem])
    assert text is not None
    first_line = next((line for line in text.splitlines() if line.strip()), None)
    if first_line is None:
        return ParsedList(errors=[RowError(None, None, "empty_file", "The file has no rows.")])
    layout, delimiter, columns, width, header_errors = _detect_layout(first_line)
    if header_errors:
        return ParsedList(errors=header_errors)

    errors: list[RowError] = []
    merged: dict[tuple[str, str | None], ScreeningEntry] = {}
    # Strict quoting catches a stray quote in a hand-made list; Treasury's own files are read leniently.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=layout == "columns")
    next_line, rows, header_seen = 1, 0, layout == "sdn"
    try:
        for cells in reader:
            line, next_line = next_line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if not header_seen:
                header_seen = True
                continue
            rows += 1
            if rows > MAX_ROWS:
                errors.append(RowError(line, None, "too_many_rows", f"A screening list may have at most {MAX_ROWS:,} rows."))
                break
            read = _read_sdn_row if layout == "sdn" else functools.partial(_read_column_row, columns=columns, width=width)
            entry, row_errors = read(cells, line)
            errors.extend(row_errors)
            if entry and not errors:
                key = (normalize_name(entry.name), entry.country)
                merged[key] = _merge(merged[key], entry) if key in merged else entry
    except csv.Error as exc:
        message = f"The CSV is malformed ({exc}); check the quotes on this line. Nothing after it was read."
        errors.append(RowError(reader.line_num, None, "malformed_csv", message))
    if errors:
        return ParsedList(errors=errors, layout=layout)
    return ParsedList(entries=list(merged.values()), layout=layout)


def _read_text(source: str | bytes | IO[bytes] | IO[str]) -> tuple[str | None, RowError | None]:
    too_large = RowError(None, None, "file_too_large", f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB.")
    if not isinstance(source, str | bytes | bytearray):
        if (getattr(source, "size", None) or 0) > MAX_FILE_BYTES:
            return None, too_large
        source = source.read(MAX_FILE_BYTES + 1)
    if isinstance(source, str):
        if len(source) > MAX_FILE_BYTES or len(source.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
            return None, too_large
        return _strip_markers(source), None
    data = bytes(source)
    if len(data) > MAX_FILE_BYTES:
        return None, too_large
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _strip_markers(data.decode("utf-16")), None
        except UnicodeDecodeError:
            return None, RowError(None, None, "bad_encoding", "The file starts like UTF-16 text but is not valid UTF-16.")
    if data.startswith(b"PK\x03\x04"):
        return None, RowError(
            None, None, "not_csv", "This is a spreadsheet workbook, not a CSV file. Save it as “CSV UTF-8” and upload that."
        )
    if b"\x00" in data:
        return None, RowError(
            None, None, "not_csv", "The file contains NUL bytes, so it is not CSV text. Save it as “CSV UTF-8” and upload that."
        )
    try:
        return _strip_markers(data.decode("utf-8-sig")), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        message = (
            f"The file is not UTF-8 text (first unreadable byte on line {line}). Save it as “CSV UTF-8” and upload it again."
        )
        return None, RowError(line, None, "bad_encoding", message)


def _strip_markers(text: str) -> str:
    """Drop a byte-order mark and the DOS end-of-file character that Treasury's files end with."""
    return re.sub(r"\x1a\s*\Z", "", text.removeprefix("\ufeff"))


def _detect_layout(first_line: str) -> tuple[Literal["columns", "sdn"], str, dict[str, int], int, list[RowError]]:
    """(layout, delimiter, column positions, header width, header errors) from the first non-blank line."""
    for delimiter in (",", ";", "\t"):
        header = next(csv.reader([first_line], delimiter=delimiter))
        keys = [re.sub(r"[\s-]+", "_", cell.strip().lower()) for cell in header]
        if "name" not in keys:
            continue
        columns: dict[str, int] = {}
        errors = []
        for position, key in enumerate(keys):
            column = _COLUMNS.get(key)
            if column in columns:
                errors.append(RowError(1, header[position].strip(), "duplicate_column", f"The column “{column}” appears twice."))
            elif column:
                columns[column] = position
        return "columns", delimiter, columns, len(header), errors
    cells = next(csv.reader([first_line]))
    if len(cells) == len(SDN_COLUMNS) and cells[0].strip().isdigit():
        return "sdn", ",", {}, len(SDN_COLUMNS), []
    message = (
        f"The first row must be a header naming the columns (name, aliases, country, program); it reads “{first_line[:80]}”."
    )
    return "columns", ",", {}, 0, [RowError(1, None, "missing_header", message)]


def _check_name(value: str, line: int, column: str, what: str = "name") -> RowError | None:
    if len(value) > MAX_NAME_LENGTH:
        return RowError(line, column, f"{what}_too_long", f"The {what} is longer than {MAX_NAME_LENGTH} characters.")
    if not normalize_name(value):
        return RowError(line, column, f"{what}_unusable", f"The {what} “{value}” has no letters or digits.")
    return None


def _read_column_row(
    cells: list[str], line: int, *, columns: dict[str, int], width: int
) -> tuple[ScreeningEntry | None, list[RowError]]:
    def cell(column: str) -> str:
        position = columns.get(column)
        return cells[position].strip() if position is not None and position < len(cells) else ""

    errors: list[RowError] = []
    if any(extra.strip() for extra in cells[width:]):
        message = f"This row has {len(cells)} values but the header has {width} columns. Put names that contain commas in quotes."
        errors.append(RowError(line, None, "too_many_values", message))
    name = cell("name")
    if not name:
        errors.append(RowError(line, "name", "name_required", "The name is empty."))
    elif problem := _check_name(name, line, "name"):
        errors.append(problem)
    aliases = [alias.strip() for alias in cell("aliases").split(";") if alias.strip()]
    errors.extend(problem for alias in aliases if (problem := _check_name(alias, line, "aliases", "alias")))
    raw_country = cell("country")
    country = resolve_country(raw_country)
    if raw_country and not country:
        errors.append(
            RowError(line, "country", "unknown_country", f"“{raw_country}” is not an ISO 3166 country code or country name.")
        )
    program = cell("program")
    if len(program) > MAX_PROGRAM_LENGTH:
        errors.append(
            RowError(line, "program", "program_too_long", f"The program is longer than {MAX_PROGRAM_LENGTH} characters.")
        )
    if errors:
        return None, errors
    return ScreeningEntry(name=name, aliases=_distinct_aliases(name, aliases), country=country, program=program, row=line), []


def _read_sdn_row(cells: list[str], line: int) -> tuple[ScreeningEntry | None, list[RowError]]:
    if len(cells) != len(SDN_COLUMNS):
        message = f"An SDN row has {len(SDN_COLUMNS)} columns; this one has {len(cells)}. Check for unquoted commas."
        return None, [RowError(line, None, "wrong_column_count", message)]
    values = dict(zip(SDN_COLUMNS, (cell.strip() for cell in cells), strict=True))
    values = {column: "" if value == SDN_EMPTY else value for column, value in values.items()}
    errors = []
    if not values["ent_num"].isdigit():
        errors.append(
            RowError(line, "ent_num", "bad_entry_number", f"The entry number “{values['ent_num']}” is not a whole number.")
        )
    name = values["SDN_Name"]
    if not name:
        errors.append(RowError(line, "SDN_Name", "name_required", "The name is empty."))
    elif problem := _check_name(name, line, "SDN_Name"):
        errors.append(problem)
    if errors:
        return None, errors
    remarks = values["Remarks"]
    aliases = [alias.strip() for alias in _SDN_ALIAS.findall(remarks) if normalize_name(alias)]
    countries_named = [values["Vess_flag"], *_SDN_NATIONALITY.findall(remarks)]
    country = next((code for named in countries_named if (code := resolve_country(named))), None)
    program = "; ".join(part.strip(" []") for part in re.split(r"\]\s*\[", values["Program"]) if part.strip(" []"))
    entry = ScreeningEntry(name=name, aliases=_distinct_aliases(name, aliases), country=country, program=program, row=line)
    return entry, []


def _distinct_aliases(name: str, aliases: Iterable[str]) -> tuple[str, ...]:
    seen = {normalize_name(name)}
    distinct = []
    for alias in aliases:
        if (key := normalize_name(alias)) not in seen:
            seen.add(key)
            distinct.append(alias)
    return tuple(distinct)


def _merge(first: ScreeningEntry, again: ScreeningEntry) -> ScreeningEntry:
    programs = dict.fromkeys(p.strip() for p in f"{first.program};{again.program}".split(";") if p.strip())
    return ScreeningEntry(
        name=first.name,
        aliases=_distinct_aliases(first.name, [*first.aliases, again.name, *again.aliases]),
        country=first.country,
        program="; ".join(programs),
        row=first.row,
    )
