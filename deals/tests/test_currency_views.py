"""Program > Setup > Currency rates (vendor portal) and ``/api/v1/t/<tenant>/currency-rates/``."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from deals.currency_services import currency_rate_set
from deals.models import CurrencyRate
from ecosystem.tenancy.context import tenant_context

D = datetime.date
BASE = "/api/v1/t/alpha"


def url(name: str, **kwargs) -> str:
    return reverse(f"currency_rates:{name}", kwargs={"tenant_slug": "alpha", **kwargs})


def given_rates(tenant_world, rows) -> list[CurrencyRate]:
    with tenant_context(tenant_world.tenant.pk):
        return [
            currency_rate_set(tenant=tenant_world.tenant, actor=tenant_world.owner, currency=c, valid_from=d, rate=r).row
            for c, d, r in rows
        ]


def rates(tenant_world) -> list[tuple[str, datetime.date, Decimal]]:
    with tenant_context(tenant_world.tenant.pk):
        return list(CurrencyRate.objects.order_by("currency", "valid_from").values_list("currency", "valid_from", "rate"))


SAMPLE = [("GBP", D(2026, 1, 10), "1.25"), ("EUR", D(2026, 1, 1), "1.1"), ("EUR", D(2026, 2, 1), "1.2")]


# --- the page ------------------------------------------------------------------------------------


def test_the_setup_index_links_to_the_page(client, world):
    client.force_login(world.a.analyst)

    body = client.get(reverse("setup:index", kwargs={"tenant_slug": "alpha"})).content.decode()

    assert url("list") in body


def test_the_page_groups_by_currency_newest_first_with_the_span_of_each_rate(client, world):
    given_rates(world.a, SAMPLE)
    client.force_login(world.a.analyst)

    response = client.get(url("list"))

    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-testid="currency-group"') == 2
    eur, gbp = body.index(">EUR <"), body.index(">GBP <")
    newer, older = body.index("2026-02-01"), body.index("2026-01-01")
    assert eur < newer < older < gbp  # EUR first, its newest row first
    assert "2026-01-31" in body  # the 1.1 row ends the day before 1.2 starts
    assert ">1.1<" in body and ">1.25<" in body
    # an analyst reads: no forms
    assert 'data-testid="currency-form"' not in body and "delete" not in body


@pytest.mark.parametrize("count", [1, 6])
def test_the_page_costs_the_same_queries_for_few_and_many_rates(client, world, count):
    given_rates(world.a, [("EUR", D(2026, 1, 1) + datetime.timedelta(days=n), "1.1") for n in range(count)])
    client.force_login(world.a.manager)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("list"))

    assert response.status_code == 200 and response.content.decode().count('data-testid="currency-rate"') == count
    # 1 session, 2 user, 3 tenant by slug, 4 savepoint, 5 set_config (tenant scope), 6 membership,
    # 7 the rates, 8 the program currency (rules of engagement), 9-13 the program switcher in
    # base.html (savepoint, clear the tenant setting, the user's memberships, restore, release),
    # 14 release the tenant savepoint, 15 clear the settings.
    assert len(queries) == 15


def test_a_manager_adds_a_rate_and_a_bad_one_keeps_what_was_typed(client, world):
    client.force_login(world.a.manager)

    added = client.post(url("list"), {"currency": "eur", "valid_from": "2026-01-01", "rate": "1.0825"})
    refused = client.post(url("list"), {"currency": "CHF", "valid_from": "2026-01-01", "rate": "-2"})

    assert added.status_code == 302
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "The rate must be greater than 0." in body and 'value="-2"' in body and 'value="CHF"' in body
    assert rates(world.a) == [("EUR", D(2026, 1, 1), Decimal("1.0825"))]


def test_the_program_currency_cannot_get_a_rate(client, world):
    client.force_login(world.a.manager)

    response = client.post(url("list"), {"currency": "USD", "valid_from": "2026-01-01", "rate": "1"})

    assert response.status_code == 400 and "is the program currency" in response.content.decode()
    assert rates(world.a) == []


def test_a_manager_deletes_a_rate(client, world):
    [row] = given_rates(world.a, SAMPLE[:1])
    client.force_login(world.a.manager)

    response = client.post(url("delete", rate_id=row.public_id))

    assert response.status_code == 302 and rates(world.a) == []


def test_an_analyst_cannot_change_anything(client, world):
    [row] = given_rates(world.a, SAMPLE[:1])
    client.force_login(world.a.analyst)
    upload = SimpleUploadedFile("rates.csv", b"currency,valid_from,rate\nEUR,2026-01-01,1.1\n", content_type="text/csv")

    add = client.post(url("list"), {"currency": "EUR", "valid_from": "2026-01-01", "rate": "1.1"})
    delete = client.post(url("delete", rate_id=row.public_id))
    upload_response = client.post(url("import"), {"file": upload})

    assert (add.status_code, delete.status_code, upload_response.status_code) == (403, 403, 403)
    assert rates(world.a) == [("GBP", D(2026, 1, 10), Decimal("1.25"))]


def test_an_upload_with_bad_rows_lists_every_one_and_imports_none(client, world):
    client.force_login(world.a.manager)
    text = b"currency,valid_from,rate\nEUR,2026-01-01,1.1\nEURO,2026-01-01,1\nGBP,someday,0\n"

    response = client.post(url("import"), {"file": SimpleUploadedFile("rates.csv", text, content_type="text/csv")})

    body = response.content.decode()
    assert response.status_code == 400
    assert body.count("<tr><td>3</td>") == 1 and body.count("<tr><td>4</td>") == 2
    assert "3 problems in the file; nothing was imported." in body
    assert rates(world.a) == []


def test_an_upload_imports_and_the_export_gives_it_back(client, world):
    client.force_login(world.a.manager)
    text = b"currency,valid_from,rate\nEUR,2026-01-01,1.1\nEUR,2026-02-01,1.2\nJPY,2026-01-01,0.0065\n"

    response = client.post(url("import"), {"file": SimpleUploadedFile("rates.csv", text, content_type="text/csv")})
    exported = client.get(url("export"))

    assert response.status_code == 302
    assert exported["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(exported.content.decode())))
    assert lines == [
        ["currency", "valid_from", "rate"],
        ["EUR", "2026-01-01", "1.1"],
        ["EUR", "2026-02-01", "1.2"],
        ["JPY", "2026-01-01", "0.0065"],
    ]


def test_the_other_tenants_staff_and_partner_users_get_404_and_nothing_changes(client, world):
    [row] = given_rates(world.a, SAMPLE[:1])
    for user in (world.b.owner, world.a.partner1_admin):
        client.force_login(user)
        assert client.get(url("list")).status_code == 404
        assert client.post(url("delete", rate_id=row.public_id)).status_code == 404
    client.force_login(world.b.owner)  # through their own address, A's row is not found either
    foreign = reverse("currency_rates:delete", kwargs={"tenant_slug": "beta", "rate_id": row.public_id})
    assert client.post(foreign).status_code == 404
    assert rates(world.a) == [("GBP", D(2026, 1, 10), Decimal("1.25"))]


# --- the API -------------------------------------------------------------------------------------


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_lists_rates_by_currency_newest_first_and_filters(world):
    given_rates(world.a, SAMPLE)
    given_rates(world.b, [("CHF", D(2026, 1, 1), "1.1")])

    body = api(world.a.analyst).get(f"{BASE}/currency-rates/").json()
    eur = api(world.a.analyst).get(f"{BASE}/currency-rates/?currency=eur").json()

    assert [(r["currency"], r["valid_from"], r["rate"]) for r in body["results"]] == [
        ("EUR", "2026-02-01", "1.2"),
        ("EUR", "2026-01-01", "1.1"),
        ("GBP", "2026-01-10", "1.25"),
    ]
    assert [r["valid_from"] for r in eur["results"]] == ["2026-02-01", "2026-01-01"]


def test_the_api_creates_then_updates_the_same_day(world):
    client = api(world.a.manager)

    created = client.post(
        f"{BASE}/currency-rates/", {"currency": "EUR", "valid_from": "2026-01-01", "rate": "1.1"}, format="json"
    )
    updated = client.post(
        f"{BASE}/currency-rates/", {"currency": "eur", "valid_from": "2026-01-01", "rate": "1.15"}, format="json"
    )

    assert (created.status_code, updated.status_code) == (201, 200)
    assert created.json()["id"] == updated.json()["id"] and updated.json()["rate"] == "1.15"
    assert rates(world.a) == [("EUR", D(2026, 1, 1), Decimal("1.15"))]


def test_the_api_honours_the_idempotency_key(world):
    client = api(world.a.manager)
    payload = {"currency": "EUR", "valid_from": "2026-01-01", "rate": "1.1"}

    first = client.post(f"{BASE}/currency-rates/", payload, format="json", HTTP_IDEMPOTENCY_KEY="rate-1")
    replay = client.post(f"{BASE}/currency-rates/", payload, format="json", HTTP_IDEMPOTENCY_KEY="rate-1")

    assert (first.status_code, replay.status_code) == (201, 201) and first.json() == replay.json()


def test_the_api_refuses_bad_input_with_the_envelope(world):
    client = api(world.a.manager)

    negative = client.post(
        f"{BASE}/currency-rates/", {"currency": "EUR", "valid_from": "2026-01-01", "rate": "-1"}, format="json"
    )
    program = client.post(f"{BASE}/currency-rates/", {"currency": "USD", "valid_from": "2026-01-01", "rate": "1"}, format="json")

    assert negative.status_code == program.status_code == 400
    assert negative.json()["errors"][0]["attr"] == "rate"
    assert (program.json()["errors"][0]["code"], program.json()["errors"][0]["attr"]) == ("program_currency", "currency")
    assert rates(world.a) == []


def test_the_api_deletes_a_rate(world):
    [row] = given_rates(world.a, SAMPLE[:1])

    response = api(world.a.manager).delete(f"{BASE}/currency-rates/{row.public_id}/")

    assert response.status_code == 204 and rates(world.a) == []


def test_analysts_read_but_may_not_write_through_the_api(world):
    [row] = given_rates(world.a, SAMPLE[:1])
    client = api(world.a.analyst)

    create = client.post(f"{BASE}/currency-rates/", {"currency": "EUR", "valid_from": "2026-01-01", "rate": "1"}, format="json")
    delete = client.delete(f"{BASE}/currency-rates/{row.public_id}/")

    assert (create.status_code, delete.status_code) == (403, 403)
    assert rates(world.a) == [("GBP", D(2026, 1, 10), Decimal("1.25"))]


def test_partner_users_and_other_tenants_get_404_through_the_api(world):
    [row] = given_rates(world.a, SAMPLE[:1])
    for user in (world.a.partner1_admin, world.b.owner):
        client = api(user)
        assert client.get(f"{BASE}/currency-rates/").status_code == 404
        assert client.delete(f"{BASE}/currency-rates/{row.public_id}/").status_code == 404
    other = api(world.b.owner).delete(f"/api/v1/t/beta/currency-rates/{row.public_id}/")
    assert other.status_code == 404
    assert rates(world.a) == [("GBP", D(2026, 1, 10), Decimal("1.25"))]


def test_the_api_refuses_a_malformed_currency_filter_with_the_envelope(world):
    # found by the API fuzz: a NUL byte in ?currency= reached the database and answered 500
    response = api(world.a.manager).get(f"{BASE}/currency-rates/", {"currency": "E\x00R"})

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["attr"]) == ("null_characters_not_allowed", "currency")
