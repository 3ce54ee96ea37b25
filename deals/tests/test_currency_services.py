"""Writing the currency rate table: set (create or update), delete, and the all-or-nothing CSV import."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from deals.currency_services import currency_rate_delete, currency_rate_set, currency_rates_import
from deals.imports import ImportFileInvalid, ImportRejected
from deals.models import CurrencyRate
from ecosystem.audit.models import AuditEntry
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import tenant_context

from .support import rules_for

D = datetime.date


def rates(world) -> list[tuple[str, datetime.date, Decimal]]:
    with tenant_context(world.a.tenant.pk):
        return list(CurrencyRate.objects.order_by("currency", "valid_from").values_list("currency", "valid_from", "rate"))


def set_rate(world, **values):
    with tenant_context(world.a.tenant.pk):
        return currency_rate_set(tenant=world.a.tenant, actor=world.a.manager, **values)


def test_setting_a_rate_creates_the_row_then_updates_the_same_day_and_audits_each_change(world):
    first = set_rate(world, currency="eur", valid_from=D(2026, 1, 1), rate="1.0825")
    again = set_rate(world, currency="EUR", valid_from="2026-01-01", rate=Decimal("1.09"))
    same = set_rate(world, currency="EUR", valid_from=D(2026, 1, 1), rate="1.09")

    assert (first.created, again.created, same.created) == (True, False, False)
    assert first.row.pk == again.row.pk == same.row.pk
    assert rates(world) == [("EUR", D(2026, 1, 1), Decimal("1.09"))]
    with tenant_context(world.a.tenant.pk):
        changes = [e.changes["rate"] for e in AuditEntry.objects.filter(action="deals.currency_rate_set").order_by("id")]
    assert changes == [[None, "1.08250000"], ["1.08250000", "1.09000000"]]  # the unchanged third set is not audited


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        ({"currency": "EU", "valid_from": D(2026, 1, 1), "rate": "1"}, "currency", "invalid_currency"),
        ({"currency": "E1R", "valid_from": D(2026, 1, 1), "rate": "1"}, "currency", "invalid_currency"),
        ({"currency": "usd", "valid_from": D(2026, 1, 1), "rate": "1"}, "currency", "program_currency"),
        ({"currency": "EUR", "valid_from": "yesterday", "rate": "1"}, "valid_from", "invalid_date"),
        ({"currency": "EUR", "valid_from": D(2026, 1, 1), "rate": "0"}, "rate", "rate_not_positive"),
        ({"currency": "EUR", "valid_from": D(2026, 1, 1), "rate": "-1.2"}, "rate", "rate_not_positive"),
        ({"currency": "EUR", "valid_from": D(2026, 1, 1), "rate": "0.000000001"}, "rate", "rate_not_positive"),
        ({"currency": "EUR", "valid_from": D(2026, 1, 1), "rate": "1e11"}, "rate", "rate_too_large"),
        ({"currency": "EUR", "valid_from": D(2026, 1, 1), "rate": "one"}, "rate", "invalid_rate"),
    ],
)
def test_a_bad_rate_is_refused_naming_its_field_and_nothing_is_written(world, values, field, code):
    with pytest.raises(ApplicationError) as refused:
        set_rate(world, **values)

    assert (refused.value.field, refused.value.code) == (field, code)
    assert rates(world) == []


def test_the_program_currency_follows_the_rules_of_engagement(world):
    rules_for(world.a.tenant, currency="EUR")

    with pytest.raises(ApplicationError):
        set_rate(world, currency="EUR", valid_from=D(2026, 1, 1), rate="1")
    set_rate(world, currency="USD", valid_from=D(2026, 1, 1), rate="0.92")

    assert rates(world) == [("USD", D(2026, 1, 1), Decimal("0.92"))]


def test_deleting_a_rate_is_audited(world):
    saved = set_rate(world, currency="EUR", valid_from=D(2026, 1, 1), rate="1.1")

    with tenant_context(world.a.tenant.pk):
        currency_rate_delete(tenant=world.a.tenant, actor=world.a.manager, rate=saved.row)
        entry = AuditEntry.objects.get(action="deals.currency_rate_delete")

    assert rates(world) == []
    assert entry.changes == {"currency": "EUR", "valid_from": "2026-01-01", "rate": "1.10000000"}


def import_csv(world, text: str):
    with tenant_context(world.a.tenant.pk):
        return currency_rates_import(tenant=world.a.tenant, actor=world.a.manager, data=text.encode())


def test_a_good_file_sets_every_row_in_one_go(world):
    set_rate(world, currency="EUR", valid_from=D(2026, 1, 1), rate="1.1")
    set_rate(world, currency="GBP", valid_from=D(2025, 12, 1), rate="1.2")

    imported = import_csv(
        world,
        "\ufeffCurrency,Valid_From,Rate\r\n"
        "eur,2026-01-01,1.10\r\n"  # as it is
        "EUR,2026-02-01,1.2\r\n"  # new
        "GBP,1/10/2026,1.25\r\n"  # new (US date)
        "GBP,2025-12-01,1.3\r\n"  # changed
        ",,\r\n",  # blank: skipped
    )

    assert (imported.rows, imported.created, imported.updated) == (4, 2, 1)
    assert rates(world) == [
        ("EUR", D(2026, 1, 1), Decimal("1.1")),
        ("EUR", D(2026, 2, 1), Decimal("1.2")),
        ("GBP", D(2025, 12, 1), Decimal("1.3")),
        ("GBP", D(2026, 1, 10), Decimal("1.25")),
    ]
    with tenant_context(world.a.tenant.pk):
        assert AuditEntry.objects.get(action="deals.currency_rates_import").changes["rows"] == 4


def test_a_file_with_bad_rows_reports_every_one_and_writes_nothing(world):
    text = (
        "currency,valid_from,rate\n"
        "EUR,2026-01-01,1.10\n"  # row 2: good
        "EURO,2026-13-01,-1\n"  # row 3: three problems
        "USD,2026-01-01,1\n"  # row 4: the program currency
        "GBP,2026-01-10,\n"  # row 5: no rate
        "eur,2026-01-01,1.2\n"  # row 6: the same currency and day as row 2
    )

    with pytest.raises(ImportRejected) as rejected:
        import_csv(world, text)

    assert [(e.row, e.column, e.code) for e in rejected.value.errors] == [
        (3, "currency", "invalid_currency"),
        (3, "valid_from", "invalid_date"),
        (3, "rate", "rate_not_positive"),
        (4, "currency", "program_currency"),
        (5, "rate", "required"),
        (6, "", "duplicate"),
    ]
    assert "row 2" in rejected.value.errors[-1].message
    assert rates(world) == []
    with tenant_context(world.a.tenant.pk):
        assert not AuditEntry.objects.filter(action__startswith="deals.currency").exists()


def test_a_file_without_the_columns_or_rows_is_refused(world):
    with pytest.raises(ApplicationError) as no_columns:
        import_csv(world, "currency,date,rate\nEUR,2026-01-01,1\n")
    with pytest.raises(ApplicationError) as no_rows:
        import_csv(world, "currency,valid_from,rate\n")
    with pytest.raises(ImportFileInvalid):
        import_csv(world, "")

    assert (no_columns.value.code, no_rows.value.code) == ("missing_columns", "empty")
    assert "valid_from" in no_columns.value.message
