"""The breaches in the API: ``sla-breaches/`` (staff and keys), ``my-sla-breaches/`` (partner users), and the
per-partner rows of ``sla-report/`` a page at a time."""

from __future__ import annotations

import base64
import datetime
import json
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from ecosystem.api.services import api_key_create
from ecosystem.tenancy.context import tenant_context

from .support import HOUR, extension, lead_offer, registration

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
    assert "count" not in body and (body["next"], body["previous"]) == (None, None)
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


def test_the_list_comes_a_page_at_a_time_by_cursor_keeping_the_filters(world, seeded):
    client = api(world.a.manager)
    first = client.get(f"{BASE}/sla-breaches/", {"page_size": 1, "start": str(timezone.localdate() - datetime.timedelta(days=5))})
    body = first.json()
    assert (len(body["results"]), body["previous"], body["results"][0]["kind"]) == (1, None, "lead_answer")
    assert "cursor=" in body["next"] and "start=" in body["next"] and "page_size=1" in body["next"]
    second = client.get(body["next"]).json()
    assert [row["kind"] for row in second["results"]] == ["registration_decision"] and second["next"] is None
    back = client.get(second["previous"]).json()
    assert back["results"] == body["results"] and back["previous"] is None


def test_partner_users_read_only_their_own_organisations_breaches_on_both_sides(world, seeded):
    theirs = api(world.a.partner1_rep).get(f"{BASE}/my-sla-breaches/").json()
    assert [(row["kind"], row["item_id"]) for row in theirs["results"]] == [
        ("registration_decision", str(seeded["late"].public_id))
    ]  # what the vendor owes them
    mine = api(world.a.partner2_admin).get(f"{BASE}/my-sla-breaches/")
    assert [(row["kind"], row["item_id"]) for row in mine.json()["results"]] == [("lead_answer", str(seeded["offer"].public_id))]
    assert str(seeded["late"].public_id) not in mine.content.decode()
    only_leads = api(world.a.partner2_admin).get(f"{BASE}/my-sla-breaches/", {"sla": "lead_answer"}).json()["results"]
    assert [row["item_id"] for row in only_leads] == [str(seeded["offer"].public_id)]
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
    assert len(key.get(f"{BASE}/sla-breaches/").json()["results"]) == 2
    assert key.get(f"{BASE}/my-sla-breaches/").status_code == 404


# A page, whoever asks: the tenant, a savepoint, the tenant setting, the membership, the rules of engagement
# and the SLAs (the targets), the one statement that measures and pages the breaches (no count), the
# savepoint's release and the setting's reset: 9. A partner user's scope sets the partner setting too: 10.
STAFF_PAGE_QUERIES = 9
PARTNER_PAGE_QUERIES = 10


@pytest.mark.parametrize(
    ("path", "user", "queries"),
    [("sla-breaches/", "manager", STAFF_PAGE_QUERIES), ("my-sla-breaches/", "partner2_admin", PARTNER_PAGE_QUERIES)],
)
def test_a_page_costs_the_same_queries_for_one_and_many_breaches_and_on_every_page(
    world, path, user, queries, django_assert_num_queries
):
    client = api(getattr(world.a, user))
    now = timezone.now()
    lead_offer(world.a.tenant, world.a.partner2, offered_at=now - 30 * HOUR)

    with django_assert_num_queries(queries):
        one = client.get(f"{BASE}/{path}")
    assert len(one.json()["results"]) == 1
    for n in range(6):
        lead_offer(world.a.tenant, world.a.partner2, offered_at=now - (n + 40) * HOUR)
        registration(world.a.tenant, world.a.partner2, submitted_at=now - (n + 50) * HOUR)
    with django_assert_num_queries(queries):
        many = client.get(f"{BASE}/{path}")
    assert len(many.json()["results"]) == 13
    with django_assert_num_queries(queries):
        first = client.get(f"{BASE}/{path}", {"page_size": 5})
    with django_assert_num_queries(queries):
        middle = client.get(first.json()["next"])
    with django_assert_num_queries(queries):
        client.get(middle.json()["previous"])


def test_the_partner_filter_costs_one_query_more(world, seeded, django_assert_num_queries):
    client = api(world.a.manager)
    with django_assert_num_queries(STAFF_PAGE_QUERIES + 1):  # + the partner's lookup
        response = client.get(f"{BASE}/sla-breaches/", {"partner": str(world.a.partner1.public_id)})
    assert [row["kind"] for row in response.json()["results"]] == ["registration_decision"]


@pytest.fixture
def tied(world):
    """Eleven breaches of partner 2 of four kinds, most of them starting at one of two instants (ties in
    ``started``, within a kind and across kinds), and one each before and after. Returns the item ids
    newest first: by start, then kind, then item id, each descending."""
    a = world.a
    now = timezone.now().replace(microsecond=0)
    same, other = now - 70 * HOUR, now - 80 * HOUR
    rows = []  # (started, kind, item id)
    for started in (same, other):
        for _ in range(3):
            rows.append((started, "registration_decision", registration(a.tenant, a.partner2, submitted_at=started)))
        for _ in range(2):
            rows.append((started, "lead_answer", lead_offer(a.tenant, a.partner2, offered_at=started)))
    on = registration(a.tenant, a.partner2, submitted_at=now - 90 * HOUR)
    rows.append((now - 90 * HOUR, "registration_decision", on))
    rows.append((same, "extension_decision", extension(a.tenant, on, requested_at=same)))
    rows = [(started, kind, item.public_id) for started, kind, item in rows]
    return [str(item) for _started, _kind, item in sorted(rows, reverse=True)]


def _walk(client, url: str, params: dict) -> tuple[list[list[str]], list[list[str]]]:
    """Every page following ``next`` from the first, then following ``previous`` back from the last."""
    forwards, backwards = [], []
    body = client.get(url, params).json()
    while True:
        forwards.append([row["item_id"] for row in body["results"]])
        if body["next"] is None:
            break
        body = client.get(body["next"]).json()
    while body["previous"] is not None:
        body = client.get(body["previous"]).json()
        backwards.append([row["item_id"] for row in body["results"]])
    return forwards, backwards


@pytest.mark.parametrize("page_size", [1, 3, 4, 11])
@pytest.mark.parametrize(("path", "user"), [("sla-breaches/", "manager"), ("my-sla-breaches/", "partner2_admin")])
def test_walking_the_pages_both_ways_shows_every_breach_once_in_order_despite_ties(world, tied, path, user, page_size):
    client = api(getattr(world.a, user))
    for ordering, expected in (({}, tied), ({"ordering": "-started"}, tied), ({"ordering": "started"}, tied[::-1])):
        forwards, backwards = _walk(client, f"{BASE}/{path}", {"page_size": page_size, **ordering})
        assert [item for page in forwards for item in page] == expected, ordering
        assert all(len(page) == page_size for page in forwards[:-1]) and 0 < len(forwards[-1]) <= page_size
        assert backwards == forwards[-2::-1]  # the same pages, met again in reverse


def test_the_order_is_by_start_then_kind_then_item(world, tied):
    body = api(world.a.manager).get(f"{BASE}/sla-breaches/", {"ordering": "started"}).json()
    keys = [(row["started"], row["kind"], row["item_id"]) for row in body["results"]]
    assert [row["item_id"] for row in body["results"]] == tied[::-1]
    assert [key[:2] for key in keys] == sorted(key[:2] for key in keys)


def _cursor(payload: str) -> str:
    return base64.b64encode(payload.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64!",
        _cursor("p=nonsense"),
        _cursor("r=1"),  # no position
        _cursor('p=["2026-11-01T00:00:00+00:00","lead_answer"]'),  # a key of two parts
        _cursor('p=["2026-11-01T00:00:00","lead_answer","0b7e6e38-5f0e-4d7c-9e52-2f8d3f1f6c11"]'),  # naive
        _cursor('p=["2026-11-01T00:00:00+00:00","everything","0b7e6e38-5f0e-4d7c-9e52-2f8d3f1f6c11"]'),
        _cursor('p=["2026-11-01T00:00:00+00:00","lead_answer","not-a-uuid"]'),
        _cursor('p=["2026-11-01T00:00:00+00:00","lead_answer",7]'),
        _cursor("p=7"),
    ],
)
def test_a_tampered_cursor_is_404_invalid_cursor(world, seeded, cursor):
    for path, user in (("sla-breaches/", "manager"), ("my-sla-breaches/", "partner2_admin")):
        response = api(getattr(world.a, user)).get(f"{BASE}/{path}", {"cursor": cursor})
        assert (response.status_code, response.json()["code"], response.json()["detail"]) == (
            404,
            "not_found",
            "Invalid cursor",
        )


def test_a_cursor_made_by_hand_from_a_rows_key_pages_after_it(world, seeded):
    client = api(world.a.manager)
    newest = client.get(f"{BASE}/sla-breaches/").json()["results"][0]
    key = json.dumps([newest["started"], newest["kind"], newest["item_id"]])
    after = client.get(f"{BASE}/sla-breaches/", {"cursor": _cursor(urlencode({"p": key}))}).json()
    assert [row["item_id"] for row in after["results"]] == [str(seeded["late"].public_id)]


def test_a_cursor_whose_neighbours_are_gone_links_back_to_the_first_page(world, seeded):
    client = api(world.a.manager)
    newest, oldest = client.get(f"{BASE}/sla-breaches/").json()["results"]

    def cursor(row, **extra) -> str:
        return _cursor(urlencode({**extra, "p": json.dumps([row["started"], row["kind"], row["item_id"]])}))

    past_the_end = client.get(f"{BASE}/sla-breaches/", {"page_size": 5, "cursor": cursor(oldest)}).json()
    assert (past_the_end["results"], past_the_end["next"]) == ([], None)
    assert past_the_end["previous"] == "http://testserver/api/v1/t/alpha/sla-breaches/?page_size=5"
    before_the_start = client.get(f"{BASE}/sla-breaches/", {"page_size": 5, "cursor": cursor(newest, r=1)}).json()
    assert (before_the_start["results"], before_the_start["previous"]) == ([], None)
    assert before_the_start["next"] == "http://testserver/api/v1/t/alpha/sla-breaches/?page_size=5"


@pytest.mark.parametrize("ordering", ["hours", "started,due", "-id", "item_id"])
def test_an_unknown_ordering_is_a_400(world, ordering):
    for path, user in (("sla-breaches/", "manager"), ("my-sla-breaches/", "partner2_admin")):
        response = api(getattr(world.a, user)).get(f"{BASE}/{path}", {"ordering": ordering})
        body = response.json()
        assert (response.status_code, body["code"], body["attr"]) == (400, "invalid_ordering", "ordering")


def test_the_reports_partner_rows_come_a_page_at_a_time(world, seeded):
    client = api(world.a.manager)
    whole = client.get(f"{BASE}/sla-report/").json()
    assert whole["partners_total"] == len(whole["partners"]) == 2
    first = client.get(f"{BASE}/sla-report/", {"partners_limit": 1}).json()
    second = client.get(f"{BASE}/sla-report/", {"partners_limit": 1, "partners_offset": 1}).json()
    assert first["partners"] + second["partners"] == whole["partners"] and first["partners_total"] == 2
    refused = client.get(f"{BASE}/sla-report/", {"partners_limit": 501})
    assert (refused.status_code, refused.json()["attr"]) == (400, "partners_limit")
