"""``touchpoints/`` in the API (staff): filtered cursor list, retrieve, create that never duplicates an external id,
the CSV import with every bad row in the envelope, roles, and constant queries on the list."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from attribution.models import Touchpoint, TouchpointSource, TouchpointType
from ecosystem.tenancy.context import tenant_context

from .support import account, registration, touch

pytestmark = pytest.mark.django_db

BASE = "/api/v1/t/alpha/touchpoints/"


def send(client, body: dict, **headers):
    return client.post(BASE, json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def acme(world):
    with tenant_context(world.a.tenant.pk):
        return account(world.a.tenant, "Acme")


def body(world, acme, **change) -> dict:
    return {
        "partner": str(world.a.partner1.public_id),
        "account": str(acme.public_id),
        "touch_type": "referral",
        "occurred_at": "2026-03-05T14:30:00Z",
        "external_id": "crm-1",
        **change,
    }


def stored(world) -> list[Touchpoint]:
    with tenant_context(world.a.tenant.pk):
        return list(Touchpoint.objects.all())


def test_posting_twice_gives_201_then_200_with_the_same_row(client, world, acme):
    client.force_login(world.a.manager)
    first = send(client, body(world, acme, weight="0.5"))
    again = send(client, body(world, acme, touch_type="cosell", weight="2"))
    assert first.status_code == 201 and again.status_code == 200
    assert again.json() == first.json()
    assert first.json()["weight"] == "0.5000" and first.json()["source"] == "api"
    assert first.json()["partner"] == str(world.a.partner1.public_id) and first.json()["account"] == str(acme.public_id)
    [row] = stored(world)
    assert (row.touch_type, row.occurred_at) == ("referral", datetime.datetime(2026, 3, 5, 14, 30, tzinfo=datetime.UTC))


def test_an_idempotency_key_replays_the_first_answer(client, world, acme):
    client.force_login(world.a.manager)
    first = send(client, body(world, acme, external_id=""), **{"Idempotency-Key": "k-1"})
    again = send(client, body(world, acme, external_id=""), **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201 and again.json()["public_id"] == first.json()["public_id"]
    assert len(stored(world)) == 1


@pytest.mark.parametrize(
    ("change", "code", "attr"),
    [
        ({"partner": "00000000-0000-0000-0000-000000000001"}, "partner_not_found", "partner"),
        ({"account": "00000000-0000-0000-0000-000000000001"}, "account_not_found", "account"),
        ({"touch_type": "webinar"}, "invalid_choice", "touch_type"),
        ({"weight": "-1"}, "negative_weight", "weight"),
        ({"weight": "1.00001"}, "weight_too_precise", "weight"),
        ({"registration": "other-account"}, "deal_account_mismatch", "registration"),
    ],
)
def test_bad_input_answers_400_in_the_envelope_and_writes_nothing(client, world, acme, change, code, attr):
    if change.get("registration") == "other-account":
        with tenant_context(world.a.tenant.pk):
            other = account(world.a.tenant, "Other")
            deal = registration(world.a.tenant, world.a.partner1, other, submitted=datetime.date(2026, 2, 1))
        change = {"registration": str(deal.public_id)}
    client.force_login(world.a.manager)
    response = send(client, body(world, acme, **change))
    assert response.status_code == 400
    payload = response.json()
    assert set(payload) >= {"type", "code", "detail", "attr"}
    assert (payload["code"], payload["attr"]) == (code, attr)
    assert stored(world) == []


def test_another_tenants_partner_is_unknown(client, world, acme):
    client.force_login(world.a.manager)
    response = send(client, body(world, acme, partner=str(world.b.partner1.public_id)))
    assert response.status_code == 400 and response.json()["code"] == "partner_not_found"
    assert str(world.b.partner1.public_id) not in response.content.decode()


def test_the_list_filters_and_pages_with_a_cursor(client, world, acme):
    a = world.a
    with tenant_context(a.tenant.pk):
        t1 = touch(a.tenant, a.partner1, acme, datetime.date(2026, 3, 1), TouchpointType.REFERRAL)
        t2 = touch(a.tenant, a.partner2, acme, datetime.date(2026, 3, 10), TouchpointType.COSELL)
        t3 = touch(a.tenant, a.partner1, acme, datetime.date(2026, 3, 20), TouchpointType.COSELL, external_id="x")
        Touchpoint.objects.filter(pk=t3.pk).update(source=TouchpointSource.API)
    client.force_login(a.analyst)

    def ids(query: str = "") -> list[str]:
        response = client.get(BASE + query)
        assert response.status_code == 200
        return [r["public_id"] for r in response.json()["results"]]

    assert ids() == [str(t.public_id) for t in (t3, t2, t1)]
    assert ids(f"?partner={a.partner1.public_id}") == [str(t3.public_id), str(t1.public_id)]
    assert ids("?touch_type=cosell&source=imported") == [str(t2.public_id)]
    assert ids("?occurred_after=2026-03-05T00:00:00Z&occurred_before=2026-03-20T00:00:00Z") == [str(t2.public_id)]
    first = client.get(BASE + "?page_size=2").json()
    assert len(first["results"]) == 2 and first["next"]
    second = client.get(first["next"]).json()
    assert [r["public_id"] for r in second["results"]] == [str(t1.public_id)]
    assert client.get(f"{BASE}{t2.public_id}/").json()["touch_type"] == "cosell"


def test_the_list_costs_the_same_queries_for_one_touchpoint_and_many(client, world, acme):
    a = world.a
    with tenant_context(a.tenant.pk):
        deal = registration(a.tenant, a.partner1, acme, submitted=datetime.date(2026, 2, 1))
        touch(a.tenant, a.partner1, acme, datetime.date(2026, 3, 1), registration=deal)
    client.force_login(a.manager)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(BASE).status_code == 200
        return len(ctx.captured_queries)

    one = count()
    with tenant_context(a.tenant.pk):
        for day in range(2, 8):
            touch(a.tenant, a.partner2, account(a.tenant), datetime.date(2026, 3, day), registration=deal)
    assert count() == one


def test_import_answers_201_with_counts_and_400_with_every_row(client, world, acme):
    client.force_login(world.a.manager)
    good = f"external_id,partner,account,type,occurred_at\nf-1,Alpha Reseller,{acme.name},referral,2026-03-05\n"
    response = client.post(BASE + "import/", {"file": SimpleUploadedFile("t.csv", good.encode(), "text/csv")})
    assert response.status_code == 201
    assert response.json() == {"rows": 1, "created": 1, "already_imported": 0, "ignored_columns": []}
    again = client.post(BASE + "import/", {"file": SimpleUploadedFile("t.csv", good.encode(), "text/csv")})
    assert again.status_code == 201 and again.json()["already_imported"] == 1
    bad = good + "f-2,Nobody,acme,referral,2026-03-05\nf-3,Alpha Reseller,acme,webinar,someday\n"
    refused = client.post(BASE + "import/", {"file": SimpleUploadedFile("t.csv", bad.encode(), "text/csv")})
    payload = refused.json()
    assert refused.status_code == 400 and payload["code"] == "rows_invalid"
    assert [(r["row"], r["column"], r["code"]) for r in payload["rows"]] == [
        (3, "partner", "partner_not_found"),
        (4, "type", "invalid_type"),
        (4, "occurred_at", "invalid_date"),
    ]
    assert len(payload["errors"]) == 4 and payload["errors"][1]["detail"].startswith("Row 3, partner:")
    assert [t.external_id for t in stored(world)] == ["f-1"]


def test_a_file_missing_a_column_is_a_400_on_file(client, world):
    client.force_login(world.a.manager)
    response = client.post(BASE + "import/", {"file": SimpleUploadedFile("t.csv", b"partner,account\na,b\n", "text/csv")})
    assert response.status_code == 400 and (response.json()["code"], response.json()["attr"]) == ("missing_columns", "file")


def test_analysts_read_but_cannot_write_and_partners_get_404(client, world, acme):
    client.force_login(world.a.analyst)
    assert client.get(BASE).status_code == 200
    assert send(client, body(world, acme)).status_code == 403
    client.force_login(world.a.partner1_admin)
    assert client.get(BASE).status_code == 404
    assert send(client, body(world, acme)).status_code == 404
    assert stored(world) == []
