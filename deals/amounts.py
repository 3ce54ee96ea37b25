"""Money as people type it into deal forms: one parser and one ceiling for values, closed amounts and lead estimates.

CRM exports have their own, wider formats (``"1.234,56"``, ``"$1,234"``): :mod:`deals.imports.values`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

MAX_AMOUNT = Decimal("999999999999.99")  # what a DecimalField(max_digits=14, decimal_places=2) holds
CENTS = Decimal("0.01")


def amount_from_text(value: Any) -> Decimal | None:
    """``"1,250.5"`` → ``Decimal("1250.5")``; ``None`` for empty input, text that is no number, NaN or infinity.

    The caller checks the range (0 to :data:`MAX_AMOUNT`) and rounds with :data:`CENTS`, each with
    the message and code of its own field.
    """
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None
