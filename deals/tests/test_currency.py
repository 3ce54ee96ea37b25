"""The currency converter: the close-date rule on hand-computed cases, exact single lookups, loading in one query."""

from __future__ import annotations

import datetime
from decimal import Decimal

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals.currency import RateTable, rate_table
from deals.models import CurrencyRate
from ecosystem.tenancy.context import tenant_context

from .support import rules_for

D = datetime.date

# EUR: 1.10 from 2026-01-01, 1.20 from 2026-02-01, 1.05 from 2026-03-15. GBP: 1.25 from 2026-01-10.
ROWS = [
    ("EUR", D(2026, 2, 1), Decimal("1.20")),
    ("EUR", D(2026, 1, 1), Decimal("1.10")),  # out of order on purpose: the table sorts
    ("EUR", D(2026, 3, 15), Decimal("1.05")),
    ("GBP", D(2026, 1, 10), Decimal("1.25")),
]


def table(program: str = "USD", rows=ROWS) -> RateTable:
    return RateTable(program_currency=program, rows=rows)


def convert(t: RateTable, items: list[tuple[float, object, str | None]]):
    amounts = np.array([a for a, _, _ in items], dtype=np.float64)
    currencies = np.array([c for _, c, _ in items], dtype=object)
    dates = np.array([d if d is not None else "NaT" for _, _, d in items], dtype="datetime64[D]")
    return t.convert(amounts, currencies, dates)


def test_each_amount_uses_the_latest_row_on_or_before_its_date():
    result = convert(
        table(),
        [
            (100.0, "EUR", "2026-01-01"),  # exactly on valid_from: that row, 1.10
            (100.0, "EUR", "2026-01-31"),  # the day before the next row: still 1.10
            (100.0, "EUR", "2026-02-01"),  # the next row's first day: 1.20
            (100.0, "EUR", "2026-03-14"),  # 1.20
            (100.0, "EUR", "2026-03-15"),  # 1.05
            (100.0, "EUR", "2030-12-31"),  # the latest row applies for ever after: 1.05
            (40.0, "GBP", "2026-02-01"),  # 1.25
        ],
    )

    assert result.rates.tolist() == [1.10, 1.10, 1.20, 1.20, 1.05, 1.05, 1.25]
    assert result.values.tolist() == pytest.approx([110.0, 110.0, 120.0, 120.0, 105.0, 105.0, 50.0], abs=1e-9)
    assert not result.missing.any()


def test_a_date_before_the_first_row_has_no_rate_never_the_next_one():
    result = convert(
        table(),
        [
            (100.0, "EUR", "2025-12-31"),  # EUR starts 2026-01-01
            (100.0, "GBP", "2026-01-09"),  # GBP starts 2026-01-10; EUR rows before it do not count
            (100.0, "GBP", "2026-01-10"),
        ],
    )

    assert result.missing.tolist() == [True, True, False]
    assert np.isnan(result.rates[:2]).all() and np.isnan(result.values[:2]).all()
    assert result.values[2] == pytest.approx(125.0)
    assert result.missing_count == 2


def test_the_program_currency_and_no_currency_convert_at_one_whatever_the_date():
    result = convert(
        table(),
        [
            (100.0, "USD", "1990-01-01"),
            (100.0, "usd", "2026-01-01"),
            (100.0, "", "2026-01-01"),
            (100.0, None, "2026-01-01"),
            (100.0, float("nan"), "2026-01-01"),
            (100.0, "USD", None),  # no date: no rate needed either
        ],
    )

    assert result.rates.tolist() == [1.0] * 6
    assert result.values.tolist() == [100.0] * 6
    assert not result.missing.any()


def test_codes_are_read_in_any_case_and_with_blanks():
    result = convert(table(), [(10.0, "eur", "2026-02-02"), (10.0, " Eur ", "2026-02-02"), (10.0, "gbp", "2026-02-02")])

    assert result.rates.tolist() == [1.20, 1.20, 1.25]


def test_an_unknown_currency_or_a_missing_date_has_no_rate():
    result = convert(table(), [(10.0, "JPY", "2026-02-02"), (10.0, "EUR", None), (10.0, "EURO", "2026-02-02")])

    assert result.missing.tolist() == [True, True, True]
    assert np.isnan(result.values).all()


def test_rows_of_the_program_currency_itself_are_ignored():
    rows = [*ROWS, ("USD", D(2026, 1, 1), Decimal("0.5"))]

    result = convert(table("USD", rows), [(10.0, "USD", "2026-02-02")])

    assert result.rates.tolist() == [1.0]


def test_another_program_currency_converts_its_own_amounts_at_one():
    # A program in EUR with a USD table: EUR is 1, USD uses its rows, GBP has none.
    rows = [("USD", D(2026, 1, 1), Decimal("0.9"))]

    result = convert(table("eur", rows), [(10.0, "EUR", "2026-02-02"), (10.0, "USD", "2026-02-02"), (10.0, "GBP", "2026-02-02")])

    assert result.rates[:2].tolist() == [1.0, 0.9] and result.missing.tolist() == [False, False, True]


def test_an_empty_table_converts_only_the_program_currency():
    result = convert(table(rows=[]), [(10.0, "USD", "2026-02-02"), (10.0, "EUR", "2026-02-02")])

    assert result.missing.tolist() == [False, True]


def test_empty_input_gives_empty_output():
    result = table().convert(np.empty(0), np.empty(0, dtype=object), np.empty(0, dtype="datetime64[D]"))

    assert result.values.shape == result.rates.shape == result.missing.shape == (0,)


def test_inputs_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="same length"):
        table().convert(np.ones(2), np.array(["EUR"], dtype=object), np.array(["2026-01-01"] * 2, dtype="datetime64[D]"))


def test_a_fixed_width_string_array_works_like_an_object_array():
    currencies = np.array(["EUR", "GBP", "USD"])  # dtype <U3
    dates = np.array(["2026-02-02"] * 3, dtype="datetime64[D]")

    result = table().convert(np.array([1.0, 2.0, 3.0]), currencies, dates)

    assert result.values.tolist() == pytest.approx([1.20, 2.50, 3.0])


def test_the_vectorised_rates_agree_with_single_lookups_on_random_data():
    rng = np.random.default_rng(7)
    t = table()
    codes = np.array(["EUR", "GBP", "USD", "JPY", "eur", ""], dtype=object)[rng.integers(0, 6, 2000)]
    dates = (np.datetime64("2025-12-01") + rng.integers(0, 150, 2000)).astype("datetime64[D]")

    result = t.convert(np.ones(2000), codes, dates)

    for code, day, rate in zip(codes, dates.astype(datetime.date), result.rates, strict=True):
        expected = t.rate_on(code, day)
        assert (expected is None and np.isnan(rate)) or float(expected) == rate


def test_rate_on_is_exact_for_one_lookup():
    t = table()

    assert t.rate_on("EUR", D(2026, 1, 1)) == Decimal("1.10")
    assert t.rate_on("eur", D(2026, 3, 14)) == Decimal("1.20")
    assert t.rate_on("EUR", D(2025, 12, 31)) is None
    assert t.rate_on("JPY", D(2026, 3, 14)) is None
    assert t.rate_on("USD", D(1990, 1, 1)) == Decimal(1)
    assert t.rate_on("", D(1990, 1, 1)) == Decimal(1)


def test_rate_table_reads_the_tenant_rates_in_one_query_and_the_program_currency_from_the_rules(world):
    rules_for(world.a.tenant, currency="EUR")
    with tenant_context(world.a.tenant.pk):
        CurrencyRate.objects.create(tenant=world.a.tenant, currency="USD", valid_from=D(2026, 1, 1), rate=Decimal("0.92"))
    with tenant_context(world.b.tenant.pk):  # the other tenant's rate must not count
        CurrencyRate.objects.create(tenant=world.b.tenant, currency="GBP", valid_from=D(2026, 1, 1), rate=Decimal("1.3"))

    with tenant_context(world.a.tenant.pk), CaptureQueriesContext(connection) as queries:
        t = rate_table()
    with tenant_context(world.a.tenant.pk), CaptureQueriesContext(connection) as given:
        rate_table("EUR")

    assert len(queries) == 2  # the program currency (rules of engagement), the rates
    assert len(given) == 1  # the rates
    assert (t.program_currency, t.currencies, len(t)) == ("EUR", ("USD",), 1)
    assert t.rate_on("USD", D(2026, 6, 1)) == Decimal("0.92")
    assert t.rate_on("GBP", D(2026, 6, 1)) is None


def test_the_program_currency_is_usd_while_the_rules_are_unsaved(world):
    with tenant_context(world.a.tenant.pk):
        assert rate_table().program_currency == "USD"
