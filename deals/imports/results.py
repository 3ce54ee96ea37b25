"""CSV imports: what checking a file found (the rows' errors and the cleaned rows), and what an import did."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

# --- validation ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int  # as the user counts it: the header is row 1
    column: str  # the file's own column name ("" for the row as a whole)
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "code": self.code, "message": self.message}


@dataclass
class CsvImportResult:
    """What an all-or-nothing CSV import did: its counts, or ``errors`` (then nothing was written).

    ``ignored_columns`` are the file's columns the import does not read. Each import adds its counts as
    int fields and names them in ``COUNTS``, the order ``summary()`` gives them in.
    """

    COUNTS: ClassVar[tuple[str, ...]] = ()

    rows: int
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            **{name: getattr(self, name) for name in self.COUNTS},
            "ignored_columns": list(self.ignored_columns),
        }


@dataclass
class Validation:
    kind: str
    rows: int
    errors: list[RowError]
    accounts: list[dict[str, Any]] = field(default_factory=list)  # cleaned, with "target_id" (None: new)
    opportunities: list[dict[str, Any]] = field(default_factory=list)
    checked: list[Any] = field(default_factory=list, repr=False)  # rows that passed the per-row checks
    mapping: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def accounts_new(self) -> int:
        return sum(1 for a in self.accounts if a["target_id"] is None)

    @property
    def opportunities_new(self) -> int:
        return sum(1 for o in self.opportunities if o["target_id"] is None)

    def summary(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "accounts": len(self.accounts),
            "accounts_new": self.accounts_new,
            "opportunities": len(self.opportunities),
            "opportunities_new": self.opportunities_new,
        }
