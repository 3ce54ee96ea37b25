"""The period picker: what each choice covers and the period before it, for a fixed today."""

from __future__ import annotations

import datetime

import pytest

from ecosystem.errors import ApplicationError
from partners.scorecard.periods import Period, period_choices, resolve_period

TODAY = datetime.date(2026, 11, 30)  # Q4 2026, day 61 of the quarter


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.mark.parametrize(
    ("key", "period", "previous"),
    [
        ("", ("2025-10-01", "2026-09-30"), ("2024-10-01", "2025-09-30")),  # the default: the last 4 full quarters
        ("4q", ("2025-10-01", "2026-09-30"), ("2024-10-01", "2025-09-30")),
        ("qtd", ("2026-10-01", "2026-11-30"), ("2026-07-01", "2026-08-30")),  # 61 days, and Q3's first 61
        ("2026-Q3", ("2026-07-01", "2026-09-30"), ("2026-04-01", "2026-06-30")),
        ("2026-Q1", ("2026-01-01", "2026-03-31"), ("2025-10-01", "2025-12-31")),  # across a year
        ("2025-Q4", ("2025-10-01", "2025-12-31"), ("2025-07-01", "2025-09-30")),
        ("12m", ("2025-12-01", "2026-11-30"), ("2024-12-01", "2025-11-30")),
    ],
)
def test_each_choice_and_the_period_before_it(key, period, previous):
    assert resolve_period(key, today=TODAY) == (Period(d(period[0]), d(period[1])), Period(d(previous[0]), d(previous[1])))


def test_this_quarter_to_date_never_runs_past_the_previous_quarter():
    # 31 March is day 90 of Q1 2026; Q4 2025 has 92 days, so the same 90 days fit
    assert resolve_period("qtd", today=d("2026-03-31"))[1] == Period(d("2025-10-01"), d("2025-12-29"))
    # 30 September is day 92 of Q3; Q2 has 91 days: the whole of Q2
    assert resolve_period("qtd", today=d("2026-09-30"))[1] == Period(d("2026-04-01"), d("2026-06-30"))


def test_twelve_months_on_29_february():
    assert resolve_period("12m", today=d("2028-02-29"))[0] == Period(d("2027-03-01"), d("2028-02-29"))


@pytest.mark.parametrize("key", ["2026-Q4", "2025-Q3", "2026-Q5", "last-year", "2026Q3"])
def test_anything_the_picker_does_not_offer_is_an_error_on_the_period(key):
    with pytest.raises(ApplicationError) as raised:
        resolve_period(key, today=TODAY)
    assert (raised.value.code, raised.value.field) == ("invalid_period", "period")


def test_the_picker_offers_the_default_first():
    keys = [key for key, _label in period_choices(TODAY)]
    assert keys == ["4q", "qtd", "2026-Q3", "2026-Q2", "2026-Q1", "2025-Q4", "12m"]


def test_the_guide_lists_every_definition_word_for_word():
    from pathlib import Path

    from partners.scorecard.definitions import DEFINITIONS

    guide = (Path(__file__).resolve().parents[3] / "docs" / "scorecard.md").read_text()
    for key, entry in DEFINITIONS.items():
        assert f"| {entry['label']} | {entry['definition']} |" in guide, key
