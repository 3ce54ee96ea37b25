"""Touchpoint pages (vendor staff): the filtered list with an exact query budget, the CSV export of the same
filters, and the import form that shows every bad row, keeps nothing, and sums up what it did."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attribution.models import Touchpoint, TouchpointSource, TouchpointType
from ecosystem.tenancy.context import tenant_context

from .support import account, registration, touch

pytestmark = pytest.mark.django_db


def url(name: str, slug: str = "alpha") -> str:
    return reverse(f"attribution:{name}", kwargs={"tenant_slug": slug})


@pytest.fixture
def touches(world):
    """Three touches on Acme: partner 1 referral 03-01, partner 2 co-sell 03-10 (on a deal), partner 1 co-sell 03-20 (api)."""
    a = world.a
    with tenant_context(a.tenant.pk):
        acme = account(a.tenant, "Acme")
        deal = registration(a.tenant, a.partner2, acme, submitted=datetime.date(2026, 2, 1))
        t1 = touch(a.tenant, a.partner1, acme, datetime.date(2026, 3, 1), TouchpointType.REFERRAL, external_id="e-1")
        t2 = touch(a.tenant, a.partner2, acme, datetime.date(2026, 3, 10), TouchpointType.COSELL, registration=deal)
        t3 = touch(a.tenant, a.partner1, acme, datetime.date(2026, 3, 20), TouchpointType.COSELL)
        Touchpoint.objects.filter(pk=t3.pk).update(source=TouchpointSource.API)
    return t1, t2, t3


def listed(response) -> list[int]:
    return [t.pk for t in response.context["page"].object_list]


def test_the_list_shows_every_touch_newest_first_and_the_runs_page_links_to_it(client, world, touches):
    t1, t2, t3 = touches
    client.force_login(world.a.analyst)
    response = client.get(url("touchpoints"))
    page = response.content.decode()
    assert response.status_code == 200 and listed(response) == [t3.pk, t2.pk, t1.pk]
    assert page.count('data-testid="touchpoint"') == 3 and "e-1" in page and "Posted through the API" in page
    assert 'data-testid="touchpoints-import-link"' not in page  # analysts read, do not import
    assert url("touchpoints") in client.get(url("list")).content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("partner={p1}", [2, 0]),
        ("type=cosell", [2, 1]),
        ("source=imported", [1, 0]),
        ("start=2026-03-10&end=2026-03-10", [1]),
        ("start=2026-03-02", [2, 1]),
        ("partner={p1}&type=cosell&end=2026-03-31", [2]),
    ],
)
def test_the_filters_narrow_the_list_and_the_export_alike(client, world, touches, query, expected):
    query = query.format(p1=world.a.partner1.public_id)
    client.force_login(world.a.manager)
    response = client.get(url("touchpoints") + "?" + query)
    assert listed(response) == [touches[i].pk for i in expected]
    assert f"{url('touchpoints_export')}?{response.context['query']}".replace("&", "&amp;") in response.content.decode()
    exported = list(csv.reader(io.StringIO(client.get(url("touchpoints_export") + "?" + query).content.decode())))
    assert [row[0] for row in exported[1:]] == [str(touches[i].public_id) for i in expected]


def test_the_export_has_a_header_and_one_row_per_touch(client, world, touches):
    t1, t2, _t3 = touches
    client.force_login(world.a.analyst)
    response = client.get(url("touchpoints_export"))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert rows[0] == [
        *("public_id", "external_id", "partner_id", "partner", "account_id", "account"),
        *("deal", "type", "occurred_at", "weight", "source"),
    ]
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id[str(t1.public_id)][1:4] == ["e-1", str(world.a.partner1.public_id), world.a.partner1.name]
    assert by_id[str(t2.public_id)][6] == str(t2.registration.public_id)
    assert by_id[str(t1.public_id)][7:] == ["referral", "2026-03-01T12:00:00+00:00", "", "imported"]


def test_a_filter_that_is_not_understood_is_dropped_not_echoed(client, world, touches):
    client.force_login(world.a.manager)
    foreign = str(world.b.partner1.public_id)
    response = client.get(url("touchpoints") + f"?partner={foreign}&type=webinar&end=2026-03-01&start=2026-03-05")
    assert response.status_code == 200 and len(listed(response)) == 3
    page = response.content.decode()
    assert foreign not in page, page[page.index(foreign) - 300 : page.index(foreign) + 100]
    assert response.context["query"] == ""


def test_the_list_costs_sixteen_queries_whatever_the_number_of_touchpoints(client, world, touches):
    client.force_login(world.a.manager)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("touchpoints")).status_code == 200
        return len(ctx.captured_queries)

    # session, user, tenant; savepoint, tenant settings, membership (the tenant base);
    # the page's own three: partner choices, the paginator's count, one page of touchpoints with
    # partner, account and registration joined;
    # the base template's tenant switcher (savepoint, cleared settings, memberships, settings back, release);
    # release, settings cleared
    assert count() == 16
    with tenant_context(world.a.tenant.pk):
        for day in range(60):
            other = account(world.a.tenant)
            deal = registration(world.a.tenant, world.a.partner1, other, submitted=datetime.date(2026, 1, 1))
            touch(
                world.a.tenant,
                world.a.partner1,
                other,
                datetime.date(2026, 4, 1) + datetime.timedelta(days=day),
                registration=deal,
            )
    assert count() == 16


CSV_OK = "external_id,partner,account,type,occurred_at,weight\nu-1,Alpha Reseller,acme,referral,2026-03-05,\nu-2,Alpha MSP,acme,cosell,2026-03-06,2\n"


def upload(text: str) -> dict:
    return {"file": SimpleUploadedFile("touches.csv", text.encode(), "text/csv")}


def test_a_manager_imports_a_file_and_sees_the_counts_then_the_same_file_again(client, world, touches):
    client.force_login(world.a.manager)
    response = client.post(url("touchpoints_import"), upload(CSV_OK))
    assert response.status_code == 200 and 'data-testid="import-result"' in response.content.decode()
    assert (response.context["result"].created, response.context["result"].already_imported) == (2, 0)
    again = client.post(url("touchpoints_import"), upload(CSV_OK))
    assert (again.context["result"].created, again.context["result"].already_imported) == (0, 2)
    assert "0 touchpoints created, 2 already imported" in again.content.decode()
    with tenant_context(world.a.tenant.pk):
        assert Touchpoint.objects.filter(source=TouchpointSource.IMPORTED, external_id__startswith="u-").count() == 2


def test_a_bad_file_shows_every_row_asks_for_the_file_again_and_keeps_nothing(client, world, touches):
    client.force_login(world.a.manager)
    text = CSV_OK + "u-3,Nobody,acme,referral,2026-03-05,\nu-4,Alpha MSP,acme,webinar,2026-03-05,-2\n"
    response = client.post(url("touchpoints_import"), upload(text))
    page = response.content.decode()
    assert response.status_code == 400
    assert [(e.row, e.column, e.code) for e in response.context["errors"]] == [
        (4, "partner", "partner_not_found"),
        (5, "type", "invalid_type"),
        (5, "weight", "negative_weight"),
    ]
    assert page.count('data-testid="row-error"') == 3 and "choose the file again" in page
    with tenant_context(world.a.tenant.pk):
        assert not Touchpoint.objects.filter(external_id__startswith="u-").exists()


def test_no_file_or_an_unreadable_file_is_refused_on_the_form(client, world):
    client.force_login(world.a.manager)
    assert "Choose a CSV file." in client.post(url("touchpoints_import"), {}).content.decode()
    response = client.post(url("touchpoints_import"), upload("partner,account\nx,y\n"))
    assert response.status_code == 400 and 'data-testid="file-error"' in response.content.decode()


def test_analysts_cannot_import_and_partner_users_get_404(client, world, touches):
    client.force_login(world.a.analyst)
    assert client.get(url("touchpoints_import")).status_code == 403
    assert client.post(url("touchpoints_import"), upload(CSV_OK)).status_code == 403
    client.force_login(world.a.partner1_admin)
    for name in ("touchpoints", "touchpoints_export", "touchpoints_import"):
        assert client.get(url(name)).status_code == 404
    with tenant_context(world.a.tenant.pk):
        assert Touchpoint.objects.count() == 3
