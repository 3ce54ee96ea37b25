"""The breaches in the API: ``sla-breaches/`` (staff and keys), ``my-sla-breaches/`` (partner users), and the
per-partner rows of ``sla-report/`` a page at a time."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from ecosystem.api.services import api_key_create
from ecosystem.tenancy.context import tenant_context

from .support import HOUR, lead_offer, registration

BASE = "/api/v1/t/alpha"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def seeded(world):
    """partner 1: a registration the vendor left undecided for 60 h (target 48: open overdue);
    partner 2: a lead offer answered in 6 h (met) and one left open for 30 h (target 24: open overdue)."""
    now = timezone.now()
    a = world.a
    late = registration(a.tenant, a.partner1, submitted_at=now - 60 * HOUR)
    lead_offer(a.tenant, a.partner2, offered_at=now - 10 * HOUR, status="declined", responded_at=now - 4 * HOUR)
    offer = lead_offer(a.tenant, a.partner2, offered_at=now - 30 * HOUR)
    with tenant_context(a.tenant.pk):
        lead_id = offer.lead.public_id
    return {"late": late, "offer": offer, "lead_id": lead_id, "now": now}


def test_staff_list_every_breach_newest_first_with_its_partner_dates_and_item_ids(world, seeded):
    body = api(world.a.analyst).get(f"{BASE}/sla-breaches/").json()
    assert body["count"] == 2
    newest, oldest = body["results"]
    assert (newest["kind"], newest["owed_by"], newest["status"]) == ("lead_answer", "partner", "open_overdue")
    assert newest["partner"] == {"id": str(world.a.partner2.public_id), "name": world.a.partner2.name}
    assert newest["item_id"] == str(seeded["offer"].public_id)
    assert newest["lead_id"] == str(seeded["lead_id"]) and newest["registration_id"] is None
    assert newest["answered"] is None and newest["target_hours"] == 24 and 29.9 <= newest["hours"] <= 30.1
    assert (oldest["kind"], oldest["owed_by"], oldest["partner"]["name"]) == (
        "registration_decision",
        "vendor",
        world.a.partner1.name,
    )
    assert oldest["item_id"] == oldest["registration_id"] == str(seeded["late"].public_id)
    started = seeded["late"].submitted_at
    assert datetime.datetime.fromisoformat(oldest["started"]) == started
    assert datetime.datetime.fromisoformat(oldest["due"]) == started + 48 * HOUR


def test_the_filters_narrow_the_list(world, seeded):
    client = api(world.a.manager)

    def kinds(**params) -> list[str]:
        return [row["kind"] for row in client.get(f"{BASE}/sla-breaches/", params).json()["results"]]

    assert kinds(sla="lead_answer") == ["lead_answer"]
    assert kinds(partner=str(world.a.partner1.public_id)) == ["registration_decision"]
    assert kinds(partner=str(world.a.partner2.public_id), sla="registration_decision") == []
    today = timezone.localdate()
    assert kinds(start=str(today - datetime.timedelta(days=30)), end=str(today - datetime.timedelta(days=10))) == []


@pytest.mark.parametrize(
    ("params", "code", "attr"),
    [
        ({"sla": "everything"}, "invalid_choice", "sla"),
        ({"partner": "not-a-uuid"}, "invalid", "partner"),
        ({"start": "2026-13-01"}, "invalid", "start"),
        ({"start": "2026-05-01", "end": "2026-04-01"}, "invalid_period", "start"),
    ],
)
def test_a_bad_filter_is_a_400_in_the_error_envelope(world, params, code, attr):
    response = api(world.a.manager).get(f"{BASE}/sla-breaches/", params)
    body = response.json()
    assert response.status_code == 400
    assert (body["code"], body["attr"]) == (code, attr)


def test_another_programs_partner_is_refused_as_a_filter(world):
    response = api(world.a.manager).get(f"{BASE}/sla-breaches/", {"partner": str(world.b.partner1.public_id)})
    assert (response.status_code, response.json()["code"], response.json()["attr"]) == (400, "invalid_choice", "partner")


def test_the_list_comes_a_page_at_a_time(world, seeded):
    client = api(world.a.manager)
    first = client.get(f"{BASE}/sla-breaches/", {"page_size": 1}).json()
    assert (first["count"], len(first["results"]), first["previous"]) == (2, 1, None)
    second = client.get(first["next"]).json()
    assert [row["kind"] for row in second["results"]] == ["registration_decision"] and second["next"] is None


def test_partner_users_read_only_their_own_organisations_breaches_on_both_sides(world, seeded):
    theirs = api(world.a.partner1_rep).get(f"{BASE}/my-sla-breaches/").json()
    assert [(row["kind"], row["item_id"]) for row in theirs["results"]] == [
        ("registration_decision", str(seeded["late"].public_id))
    ]  # what the vendor owes them
    mine = api(world.a.partner2_admin).get(f"{BASE}/my-sla-breaches/")
    assert [(row["kind"], row["item_id"]) for row in mine.json()["results"]] == [("lead_answer", str(seeded["offer"].public_id))]
    assert str(seeded["late"].public_id) not in mine.content.decode()
    assert api(world.a.partner2_admin).get(f"{BASE}/my-sla-breaches/", {"sla": "lead_answer"}).json()["count"] == 1
    assert api(world.a.partner2_admin).get(f"{BASE}/my-sla-breaches/", {"sla": "nope"}).json()["attr"] == "sla"


def test_who_reaches_which_list(world, seeded):
    assert api(world.a.analyst).get(f"{BASE}/sla-breaches/").status_code == 200
    assert api(world.a.partner1_admin).get(f"{BASE}/sla-breaches/").status_code == 404
    assert api(world.a.manager).get(f"{BASE}/my-sla-breaches/").status_code == 404
    assert api(world.b.owner).get(f"{BASE}/sla-breaches/").status_code == 404
    with tenant_context(world.a.tenant.pk):
        issued = api_key_create(tenant=world.a.tenant, actor=world.a.owner, name="BI", scope="read")
    key = APIClient()
    key.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")
    assert key.get(f"{BASE}/sla-breaches/").json()["count"] == 2
    assert key.get(f"{BASE}/my-sla-breaches/").status_code == 404


@pytest.mark.parametrize(("path", "user"), [("sla-breaches/", "manager"), ("my-sla-breaches/", "partner2_admin")])
def test_the_lists_cost_the_same_queries_for_one_and_many_breaches(world, path, user):
    client = api(getattr(world.a, user))
    now = timezone.now()
    lead_offer(world.a.tenant, world.a.partner2, offered_at=now - 30 * HOUR)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{BASE}/{path}")
            assert response.status_code == 200
        return len(queries), response.json()["count"]

    one, found = count()
    assert found == 1
    for n in range(6):
        lead_offer(world.a.tenant, world.a.partner2, offered_at=now - (n + 40) * HOUR)
        registration(world.a.tenant, world.a.partner2, submitted_at=now - (n + 50) * HOUR)
    many, found = count()
    assert (many, found) == (one, 13)


def test_the_reports_partner_rows_come_a_page_at_a_time(world, seeded):
    client = api(world.a.manager)
    whole = client.get(f"{BASE}/sla-report/").json()
    assert whole["partners_total"] == len(whole["partners"]) == 2
    first = client.get(f"{BASE}/sla-report/", {"partners_limit": 1}).json()
    second = client.get(f"{BASE}/sla-report/", {"partners_limit": 1, "partners_offset": 1}).json()
    assert first["partners"] + second["partners"] == whole["partners"] and first["partners_total"] == 2
    refused = client.get(f"{BASE}/sla-report/", {"partners_limit": 501})
    assert (refused.status_code, refused.json()["attr"]) == (400, "partners_limit")
