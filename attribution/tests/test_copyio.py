"""Binary COPY both ways round-trips every supported type exactly, also through Django's debug cursor
(DEBUG on, as ``make run`` has it), and refuses a NULL it cannot represent."""

from __future__ import annotations

import datetime

import numpy as np
import pytest
from django.db import connection, connections

from attribution.copyio import CopyFormatError, copy_in, copy_out

pytestmark = pytest.mark.django_db

COLUMNS = [
    ("a", "int2"),
    ("b", "int4"),
    ("c", "int8"),
    ("d", "float8"),
    ("e", "date"),
    ("f", "timestamptz"),
    ("g", "char3"),
]


@pytest.mark.parametrize("debug_cursor", [False, True])
def test_round_trip_of_every_type(debug_cursor, monkeypatch):
    monkeypatch.setattr(connections["default"], "force_debug_cursor", debug_cursor)
    values = {
        "a": np.array([-3, 0, 32767], dtype=np.int16),
        "b": np.array([-(2**31), 7, 2**31 - 1], dtype=np.int32),
        "c": np.array([-(2**62), 0, 2**62], dtype=np.int64),
        "d": np.array([-1.5, 0.1, 1e300]),
        "e": np.array(["1999-12-31", "2000-01-01", "2026-11-29"], dtype="datetime64[D]"),
        "f": np.array(["1999-12-31T23:59:59.999999", "2000-01-01T00:00:00", "2026-11-29T20:15:00.5"], dtype="datetime64[us]"),
        "g": np.array([b"EUR", b"USD", b"JPY"], dtype="S3"),
    }
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE copy_probe (a int2, b int4, c int8, d float8, e date, f timestamptz, g char(3))")
        assert copy_in(cursor, "copy_probe", COLUMNS, values) == 3
        cursor.execute("SELECT e, f FROM copy_probe ORDER BY a")
        first = cursor.fetchone()
        assert first[0] == datetime.date(1999, 12, 31)
        assert first[1] == datetime.datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.UTC)
        back = copy_out(cursor, "SELECT a, b, c, d, e, f, g FROM copy_probe ORDER BY a", None, COLUMNS)
        cursor.execute("DROP TABLE copy_probe")
    for name, expected in values.items():
        assert np.array_equal(back[name], expected), name


def test_a_null_is_refused_not_misread():
    with connection.cursor() as cursor, pytest.raises(CopyFormatError):
        copy_out(cursor, "SELECT 1::int8, NULL::int8", None, [("a", "int8"), ("b", "int8")])
