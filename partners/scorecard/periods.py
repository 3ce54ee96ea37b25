"""The scorecard's periods: what the picker offers and the period before each.

Choices, for ``today``:

* ``4q``: the last 4 full quarters (the default); before it, the 4 quarters before those;
* ``qtd``: the current quarter to date; before it, the previous quarter's first as many days;
* ``YYYY-Qn``: one of the last 4 full quarters; before it, the quarter before;
* ``12m``: the last 12 months to today (a year back, the day after); before it, the 12 months before.

Dates are days, both ends included.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ecosystem.errors import ApplicationError

DEFAULT_PERIOD = "4q"
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __str__(self) -> str:
        return f"{self.start:%d %b %Y} – {self.end:%d %b %Y}"


def quarter_of(day: datetime.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_period(year: int, quarter: int) -> Period:
    start = datetime.date(year, 3 * quarter - 2, 1)
    following = datetime.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return Period(start, following - datetime.timedelta(days=1))


def _shift_quarters(year: int, quarter: int, by: int) -> tuple[int, int]:
    index = year * 4 + (quarter - 1) + by
    return index // 4, index % 4 + 1


def _year_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def full_quarters(today: datetime.date, count: int = 4) -> list[tuple[int, int]]:
    """The last ``count`` full quarters before today's, newest first."""
    year, quarter = quarter_of(today)
    return [_shift_quarters(year, quarter, -n) for n in range(1, count + 1)]


def period_choices(today: datetime.date) -> list[tuple[str, str]]:
    """(key, label) of every period the picker offers, the default first."""
    year, quarter = quarter_of(today)
    quarters = full_quarters(today)
    oldest, newest = quarters[-1], quarters[0]
    choices = [
        (
            DEFAULT_PERIOD,
            _("Last 4 full quarters (Q%(q1)s %(y1)s – Q%(q2)s %(y2)s)")
            % {"q1": oldest[1], "y1": oldest[0], "q2": newest[1], "y2": newest[0]},
        ),
        ("qtd", _("Q%(q)s %(y)s to date") % {"q": quarter, "y": year}),
    ]
    choices += [(f"{y}-Q{q}", f"Q{q} {y}") for y, q in quarters]
    choices.append(("12m", _("Last 12 months")))
    return choices


def resolve_period(key: str | None, *, today: datetime.date) -> tuple[Period, Period]:
    """(the period, the period before) for a picker ``key`` (empty: the default).

    Raises :class:`ApplicationError` (``invalid_period`` on ``period``) for anything the picker does not offer.
    """
    key = (key or DEFAULT_PERIOD).strip()
    year, quarter = quarter_of(today)
    if key == DEFAULT_PERIOD:
        last = full_quarters(today)
        current = Period(quarter_period(*last[-1]).start, quarter_period(*last[0]).end)
        before = [_shift_quarters(*last[-1], -n) for n in range(1, 5)]
        return current, Period(quarter_period(*before[-1]).start, quarter_period(*before[0]).end)
    if key == "qtd":
        current = Period(quarter_period(year, quarter).start, today)
        previous_quarter = quarter_period(*_shift_quarters(year, quarter, -1))
        end = min(previous_quarter.start + datetime.timedelta(days=current.days - 1), previous_quarter.end)
        return current, Period(previous_quarter.start, end)
    if key == "12m":
        start = _year_before(today) + datetime.timedelta(days=1)
        return Period(start, today), Period(_year_before(start), start - datetime.timedelta(days=1))
    match = _QUARTER.match(key)
    if match and (int(match[1]), int(match[2])) in full_quarters(today):
        chosen = int(match[1]), int(match[2])
        return quarter_period(*chosen), quarter_period(*_shift_quarters(*chosen, -1))
    raise ApplicationError(
        _(
            "Choose one of the periods offered: the last 4 quarters, this quarter to date, one of the last 4 quarters or the last 12 months."
        ),
        code="invalid_period",
        field="period",
    )
