"""PostgreSQL binary COPY to and from numpy arrays, for fixed-width, NOT NULL columns.

An attribution run reads millions of touchpoints and writes millions of per-touch credits. Through
the ORM that is seconds per million rows; through binary COPY the bytes PostgreSQL sends are already
a fixed-width record per row, which numpy reads (and writes) as one structured array, with no Python
per row.

The binary format (PostgreSQL manual, "COPY", Binary Format): an 11-byte signature, a 32-bit flags
field and a 32-bit header-extension length; then per row a 16-bit field count followed, per field, by
a 32-bit byte length and the value in network byte order; then a 16-bit -1. With only NOT NULL
fixed-width columns every row has the same layout. Types handled: ``int2``, ``int4``, ``int8``,
``float8``, ``date`` (days since 2000-01-01 on the wire; numpy ``datetime64[D]`` here),
``timestamptz`` (microseconds since 2000-01-01 UTC on the wire; ``datetime64[us]`` in UTC here) and
``char3`` (text of exactly three bytes, such as a currency code; numpy ``S3``).

Queries go through the caller's connection, so row-level security applies as for any other read or
write of the request's or task's scope.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np

SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
HEADER = SIGNATURE + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
TRAILER = b"\xff\xff"
PG_EPOCH_DAYS = 10_957  # 2000-01-01 - 1970-01-01
PG_EPOCH_MICROSECONDS = PG_EPOCH_DAYS * 86_400_000_000
WIRE = {"int2": ">i2", "int4": ">i4", "int8": ">i8", "float8": ">f8", "date": ">i4", "timestamptz": ">i8", "char3": "S3"}
NATIVE = {
    "int2": np.int16,
    "int4": np.int32,
    "int8": np.int64,
    "float8": np.float64,
    "date": np.int32,
    "timestamptz": np.int64,
    "char3": "S3",
}
WRITE_CHUNK_ROWS = 200_000


class CopyFormatError(ValueError):
    pass


def _row_dtype(types: Sequence[str]) -> np.dtype:
    fields: list[tuple[str, str]] = [("count", ">i2")]
    for i, pg_type in enumerate(types):
        fields += [(f"len{i}", ">i4"), (f"f{i}", WIRE[pg_type])]
    return np.dtype(fields)


def copy_out(cursor, query: str, params: Sequence | dict | None, columns: Sequence[tuple[str, str]]) -> dict[str, np.ndarray]:
    """Run ``COPY (query) TO STDOUT (FORMAT binary)`` and return each column as a native numpy array.

    ``columns`` are (name, type) in the query's select order; every value must be NOT NULL (the query
    COALESCEs); ``date`` columns come back as ``datetime64[D]``.
    """
    sql = cursor.mogrify(query, params).decode() if params else query
    buffer = io.BytesIO()
    cursor.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT binary)", buffer)
    data = buffer.getbuffer()
    if bytes(data[:11]) != SIGNATURE:
        raise CopyFormatError("not a binary COPY stream")
    extension = int.from_bytes(data[15:19], "big")
    body = data[19 + extension : len(data) - 2]
    types = [pg_type for _, pg_type in columns]
    dtype = _row_dtype(types)
    if len(body) % dtype.itemsize:
        raise CopyFormatError("rows are not fixed-width: a column is NULL or of another type")
    rows = np.frombuffer(body, dtype=dtype)
    if len(rows) and (np.any(rows["count"] != len(types))):
        raise CopyFormatError("unexpected field count")
    out: dict[str, np.ndarray] = {}
    for i, (name, pg_type) in enumerate(columns):
        if len(rows) and np.any(rows[f"len{i}"] != np.dtype(WIRE[pg_type]).itemsize):
            raise CopyFormatError(f"column {name} has NULLs or another width")
        values = rows[f"f{i}"].astype(NATIVE[pg_type])
        if pg_type == "date":
            values = (values.astype(np.int64) + PG_EPOCH_DAYS).astype("datetime64[D]")
        elif pg_type == "timestamptz":
            values = (values + PG_EPOCH_MICROSECONDS).astype("datetime64[us]")
        out[name] = values
    return out


class _Chunks(io.RawIOBase):
    """A file whose ``read`` hands psycopg2 the encoded COPY stream chunk by chunk (bounded memory)."""

    def __init__(self, parts) -> None:
        self._parts = iter(parts)
        self._pending = memoryview(b"")
        self._at = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._at >= len(self._pending):
            self._pending, self._at = memoryview(next(self._parts, b"")), 0
        stop = len(self._pending) if size is None or size < 0 else min(len(self._pending), self._at + size)
        out = self._pending[self._at : stop].tobytes()
        self._at = stop
        return out


def _encoded(columns: Sequence[tuple[str, str]], arrays: dict[str, np.ndarray], n: int):
    types = [pg_type for _, pg_type in columns]
    dtype = _row_dtype(types)
    yield HEADER
    for start in range(0, n, WRITE_CHUNK_ROWS):
        stop = min(n, start + WRITE_CHUNK_ROWS)
        rows = np.empty(stop - start, dtype=dtype)
        rows["count"] = len(types)
        for i, (name, pg_type) in enumerate(columns):
            rows[f"len{i}"] = np.dtype(WIRE[pg_type]).itemsize
            values = arrays[name][start:stop]
            if pg_type == "date":
                values = values.astype("datetime64[D]").astype(np.int64) - PG_EPOCH_DAYS
            elif pg_type == "timestamptz":
                values = values.astype("datetime64[us]").astype(np.int64) - PG_EPOCH_MICROSECONDS
            rows[f"f{i}"] = values
        yield rows.tobytes()
    yield TRAILER


def copy_in(cursor, table: str, columns: Sequence[tuple[str, str]], arrays: dict[str, np.ndarray]) -> int:
    """Insert equal-length arrays (a scalar is repeated) into ``table``'s ``columns`` by binary COPY.

    Call inside a transaction (the staging table lives until the commit at most)."""
    lengths = {len(v) for v in arrays.values() if np.ndim(v)}
    if len(lengths) > 1:
        raise ValueError("the arrays differ in length")
    n = lengths.pop() if lengths else 0
    full = {name: (np.full(n, value) if not np.ndim(value) else np.asarray(value)) for name, value in arrays.items()}
    missing = [name for name, _ in columns if name not in full]
    if missing:
        raise ValueError(f"no array for {missing}")
    names = ", ".join(f'"{name}"' for name, _ in columns)
    # PostgreSQL refuses COPY FROM into a table with row-level security: COPY into a temporary table
    # of the same columns, then one INSERT … SELECT, which the table's policies check as any insert.
    staging = f"copy_in_{table}"[:63]
    cursor.execute(f'DROP TABLE IF EXISTS "{staging}"')
    cursor.execute(f'CREATE TEMPORARY TABLE "{staging}" ON COMMIT DROP AS SELECT {names} FROM "{table}" WITH NO DATA')
    # the buffer size is positional: Django's debug cursor wrapper (DEBUG on) passes only *args on
    cursor.copy_expert(
        f'COPY "{staging}" ({names}) FROM STDIN WITH (FORMAT binary)', _Chunks(_encoded(columns, full, n)), 1 << 20
    )
    cursor.execute(f'INSERT INTO "{table}" ({names}) SELECT {names} FROM "{staging}"')
    cursor.execute(f'DROP TABLE "{staging}"')
    return n
