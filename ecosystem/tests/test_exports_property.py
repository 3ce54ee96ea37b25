"""Exports never hand a spreadsheet a formula: 10,000 generated strings, many built to be dangerous,
written to CSV and XLSX and parsed back (csv module, openpyxl) come back as the text that was exported,
with a quote in front of the risky ones, and no XLSX cell is a formula."""

from __future__ import annotations

import csv
import datetime
import io
import random
from decimal import Decimal

from django.test import RequestFactory
from openpyxl import load_workbook

from ecosystem.exports import csv_response, export_response, spreadsheet_safe, xlsx_bytes

RISKY = ("=", "+", "-", "@", "\t", "\r")
ALPHABET = "abcXYZ019 ,;\"'\n\r\t=+-@|!$%&()[]{}<>/\\:" + "éßøΩж中文🙂" + "".join(chr(c) for c in (0, 1, 7, 11, 27, 127, 0xFEFF))
PAYLOADS = ("=1+1", '=HYPERLINK("http://x.example","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "=cmd|'/c calc'!A1")


def generated(n: int, seed: int = 20261129) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        body = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 24)))
        kind = i % 4
        if kind == 0:
            out.append(rng.choice(RISKY) + body)  # starts dangerously
        elif kind == 1:
            out.append(rng.choice(PAYLOADS) + body)
        elif kind == 2:
            out.append(" " * rng.randint(0, 2) + body)
        else:
            out.append(body)
    return out


def xml_safe(text: str) -> str:
    """What XLSX keeps of a text: control characters replaced, line ends normalised to a line feed by XML."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", text).replace("\r\n", "\n").replace("\r", "\n")


def test_ten_thousand_strings_round_trip_as_inert_text_in_csv_and_xlsx():
    strings = generated(10_000)
    assert sum(s.startswith(RISKY) for s in strings) >= 5_000
    rows = [(s, i) for i, s in enumerate(strings)]

    parsed = list(
        csv.reader(io.StringIO(csv_response(filename="x.csv", header=["text", "n"], rows=rows).content.decode(), newline=""))
    )
    assert parsed[0] == ["text", "n"] and len(parsed) == len(strings) + 1
    for original, (text, n) in zip(strings, parsed[1:], strict=True):
        assert text == spreadsheet_safe(original) and n.isdigit()
        assert not text.startswith(RISKY)  # what a spreadsheet reads first is never a formula start

    book = load_workbook(io.BytesIO(xlsx_bytes(header=["text", "n"], rows=rows)))
    sheet = book.active
    cells = list(sheet.iter_rows(min_row=2, values_only=False))
    assert len(cells) == len(strings)
    for original, (text, n) in zip(strings, cells, strict=True):
        assert text.data_type != "f" and n.data_type == "n"
        assert (text.value or "") == xml_safe(spreadsheet_safe(original))
        assert not (text.value or "").startswith(RISKY)


def test_xlsx_keeps_types_and_the_request_picks_the_format():
    rows = [(Decimal("12.50"), 3, True, datetime.date(2026, 11, 29), None, "=1+1")]
    sheet = load_workbook(io.BytesIO(xlsx_bytes(header=["a", "b", "c", "d", "e", "f"], rows=rows))).active
    values = [c.value for c in next(sheet.iter_rows(min_row=2))]
    assert values[:3] == [12.5, 3, True] and values[3].date() == datetime.date(2026, 11, 29)
    assert values[4] in (None, "") and values[5] == "'=1+1"
    factory = RequestFactory()
    xlsx = export_response(factory.get("/?export=xlsx"), filename="partners.csv", header=["a"], rows=[("x",)])
    assert (
        xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
        and 'filename="partners.xlsx"' in xlsx["Content-Disposition"]
    )
    plain = export_response(factory.get("/?export=csv"), filename="partners.csv", header=["a"], rows=[("x",)])
    assert plain["Content-Type"].startswith("text/csv") and 'filename="partners.csv"' in plain["Content-Disposition"]
