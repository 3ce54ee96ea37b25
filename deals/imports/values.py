"""CRM imports: parsing one cell's value (dates, amounts, currencies, domains, stages)."""

from __future__ import annotations

import datetime
import functools
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from partners.domains import normalize_domain

MAX_AMOUNT = Decimal("999999999999.99")

CLOSED_STAGE_WORDS = ("closed", "closedwon", "closedlost", "won", "lost")


@functools.lru_cache(maxsize=1024)
def stage_is_open(stage: str) -> bool:
    """Closed stages ("Closed Won", "Closed Lost", HubSpot's "closedwon"/"closedlost") are not open."""
    compact = re.sub(r"[^a-z]", "", (stage or "").casefold())
    return not (compact.startswith("closed") or compact in CLOSED_STAGE_WORDS)


# --- values ----------------------------------------------------------------------------------------

_SYMBOLS = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "CHF": "CHF"}
_CODE = re.compile(r"^[A-Z]{3}$")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%d.%m.%Y", "%m/%d/%y", "%d.%m.%y")


class ValueInvalid(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def parse_date(raw: str) -> datetime.date | None:
    value = (raw or "").strip()
    if not value:
        return None
    # HubSpot: "2024-03-05 14:22" (and ISO "2024-03-05T14:22:00Z"): the date part.
    match = re.match(r"^(\d{4}-\d{1,2}-\d{1,2})[ T]\d{1,2}:\d{2}", value)
    if match:
        value = match.group(1)
    day = _date_in_any_format(value)
    if day is not None:
        return day
    raise ValueInvalid(
        "invalid_date", _("“%(value)s” is not a date. Use 2024-03-05, 3/5/2024 or 5.3.2024.") % {"value": raw[:40]}
    )


@functools.lru_cache(maxsize=8192)
def _date_in_any_format(value: str) -> datetime.date | None:
    """The first format that reads ``value``. Cached: an export repeats its dates, and each format
    that fails costs a raised exception."""
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


@functools.lru_cache(maxsize=65536)
def _normalised_domain(raw: str, field: str) -> str:
    """:func:`partners.domains.normalize_domain`, cached: opportunities repeat their accounts' domains."""
    return normalize_domain(raw, field=field)


def parse_amount(raw: str) -> tuple[Decimal | None, str]:
    """``(amount, currency code or "")`` from ``"$1,234"``, ``"1.234,56"``, ``"1234 EUR"`` …"""
    value = (raw or "").strip().replace("\u00a0", " ").replace("\u202f", " ")
    if not value:
        return None, ""
    currency = ""
    match = re.match(r"^([A-Z]{3})\s*(.*)$", value) or re.match(r"^(.*?)\s*([A-Z]{3})$", value)
    if match:
        a, b = match.groups()
        code, value = (a, b) if len(a) == 3 and a.isalpha() and a.isupper() else (b, a)
        currency = code
    for symbol in sorted(_SYMBOLS, key=len, reverse=True):
        if value.startswith(symbol) or value.endswith(symbol):
            currency_from_symbol = _SYMBOLS[symbol]
            if currency and currency != currency_from_symbol:
                raise ValueInvalid("currency_mismatch", _("The amount names two currencies."))
            currency = currency_from_symbol
            value = value.removeprefix(symbol).removesuffix(symbol).strip()
            break
    negative = value.startswith("-") or (value.startswith("(") and value.endswith(")"))
    digits = value.strip("()-+ ").replace(" ", "").replace("'", "")
    if not re.fullmatch(r"[0-9.,]+", digits or "x"):
        raise ValueInvalid("invalid_amount", _("“%(value)s” is not an amount.") % {"value": raw[:40]})
    if "," in digits and "." in digits:
        decimal_mark = "," if digits.rfind(",") > digits.rfind(".") else "."
    elif "," in digits:
        parts = digits.split(",")
        decimal_mark = "," if len(parts) == 2 and len(parts[1]) != 3 else ""
    elif "." in digits:
        decimal_mark = "." if digits.count(".") == 1 else ""
    else:
        decimal_mark = ""
    thousands = {",", "."} - {decimal_mark}
    for mark in thousands:
        digits = digits.replace(mark, "")
    if decimal_mark:
        digits = digits.replace(decimal_mark, ".")
    try:
        amount = Decimal(digits)
    except InvalidOperation:
        raise ValueInvalid("invalid_amount", _("“%(value)s” is not an amount.") % {"value": raw[:40]}) from None
    if negative:
        raise ValueInvalid("negative_amount", _("The amount cannot be negative."))
    if amount > MAX_AMOUNT:
        raise ValueInvalid("amount_too_large", _("The amount is too large."))
    return amount.quantize(Decimal("0.01")), currency


def parse_currency(raw: str) -> str:
    value = (raw or "").strip().upper()
    if not value:
        return ""
    value = _SYMBOLS.get(value, value)
    if not _CODE.match(value):
        raise ValueInvalid("invalid_currency", _("“%(value)s” is not a currency code such as EUR or USD.") % {"value": raw[:20]})
    return value
