"""Attribution pages (vendor staff): the runs list with its start form, a run's comparison, the CSV, roles."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attribution.models import AttributionRun, ChannelDimension, RunStatus
from attribution.services import attribution_run_create, run_attribution
from ecosystem.tenancy.context import tenant_context

from .world import END, START, build_march

pytestmark = pytest.mark.django_db

FORM = {
    "period_start": "2026-03-01",
    "period_end": "2026-03-31",
    "dimension": "partner",
    "models": ["first_touch", "linear", "markov"],
    "half_life_days": "7",
    "position_first": "0.4",
    "position_middle": "0.2",
    "position_last": "0.4",
}


def url(name, run=None, slug="alpha") -> str:
    return reverse(name, kwargs={"tenant_slug": slug, **({"run_id": run.public_id} if run else {})})


def finished_run(a, dimension=ChannelDimension.PARTNER, build=True) -> AttributionRun:
    with tenant_context(a.tenant.pk):
        if build:
            build_march(a)
        run = attribution_run_create(
            tenant=a.tenant, actor=a.manager, period_start=START, period_end=END, dimension=dimension, enqueue=False
        )
        return run_attribution(tenant=a.tenant, actor=a.manager, run=run)


def test_the_list_shows_a_finished_run_with_its_hash_and_version(client, world):
    run = finished_run(world.a)
    client.force_login(world.a.analyst)
    response = client.get(url("attribution:list"))
    page = response.content.decode()
    assert response.status_code == 200
    assert run.inputs_sha256[:12] in page and run.code_version in page and "Succeeded" in page
    assert url("attribution:detail", run) in page
    assert 'data-testid="run-form"' not in page  # an analyst reads but cannot start


def test_the_detail_compares_models_with_totals_chart_data_and_sourcing(client, world):
    run = finished_run(world.a)
    client.force_login(world.a.analyst)
    response = client.get(url("attribution:detail", run))
    page = response.content.decode()
    assert response.status_code == 200
    assert run.inputs_sha256 in page
    chart = response.context["chart"]
    assert {d["label"] for d in chart["datasets"]} >= {"First touch", "Markov removal effect"}
    assert "attribution-chart-data" in page and "<script>" not in page.replace("<script src", "")
    # every model credits the whole won value (5,000) of the month
    for conv, value in response.context["table"]["totals"]:
        assert value == pytest.approx(5000) and conv == pytest.approx(1)
    partners = {row["partner"]: row for row in response.context["sourcing"]}
    assert partners[world.a.partner1.name]["sourced"] == 5000
    assert partners[world.a.partner2.name]["influenced"] == 5000
    assert json.loads(json.dumps(chart))  # serialisable as given to json_script


def test_the_csv_has_one_row_per_channel_and_a_total(client, world):
    run = finished_run(world.a)
    client.force_login(world.a.manager)
    response = client.get(url("attribution:export", run))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert rows[0][:4] == ["channel_key", "channel", "first_touch_conversions", "first_touch_value"]
    assert {r[1] for r in rows[1:-1]} == {world.a.partner1.name, world.a.partner2.name}
    assert rows[-1][1] == "total" and float(rows[-1][3]) == pytest.approx(5000)


def test_a_manager_starts_a_run_and_lands_on_it(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.a.manager)
    response = client.post(url("attribution:list"), FORM)
    with tenant_context(world.a.tenant.pk):
        run = AttributionRun.objects.get()
    assert response.status_code == 302 and response["Location"] == url("attribution:detail", run)
    assert run.model_names == ["first_touch", "linear", "markov"] and run.status == RunStatus.QUEUED
    assert run.parameters["half_life_days"] == 7 and run.parameters["position"] == [0.4, 0.2, 0.4]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"position_middle": "0.5"}, "position_middle"),
        ({"period_end": "2026-02-01"}, "period_end"),
        ({"models": []}, "models"),
        ({"half_life_days": "0"}, "half_life_days"),
    ],
)
def test_the_start_form_puts_errors_on_fields_and_keeps_input(client, world, change, field):
    client.force_login(world.a.manager)
    response = client.post(url("attribution:list"), {**FORM, **change})
    assert response.status_code == 200 and field in response.context["form"].errors
    assert 'value="2026-03-01"' in response.content.decode()
    with tenant_context(world.a.tenant.pk):
        assert not AttributionRun.objects.exists()


def test_an_analyst_cannot_start_a_run_and_partners_see_nothing(client, world):
    client.force_login(world.a.analyst)
    assert client.post(url("attribution:list"), FORM).status_code == 403
    with tenant_context(world.a.tenant.pk):
        assert not AttributionRun.objects.exists()
    run = finished_run(world.a)
    client.force_login(world.a.partner1_admin)
    assert client.get(url("attribution:detail", run)).status_code == 404
    client.force_login(world.b.owner)
    assert client.get(url("attribution:detail", run, slug=world.b.tenant.slug)).status_code == 404


def _count(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_list_and_detail_query_counts_do_not_grow_with_runs_or_channels(client, world):
    a = world.a
    run = finished_run(a, dimension=ChannelDimension.PARTNER)  # two channels
    client.force_login(a.manager)
    one_list, one_detail = _count(client, url("attribution:list")), _count(client, url("attribution:detail", run))
    for _ in range(3):
        finished_run(a, dimension=ChannelDimension.PARTNER, build=False)
    wide = finished_run(a, dimension=ChannelDimension.TOUCHPOINT_TYPE, build=False)
    with tenant_context(a.tenant.pk):
        channels = [r.credits.values("channel_key").distinct().count() for r in (run, wide)]
    assert channels[1] > channels[0]
    assert _count(client, url("attribution:list")) == one_list == LIST_QUERIES
    # a run by partner reads one more: its roll-up by partner type and current tier
    assert _count(client, url("attribution:detail", wide)) == one_detail - 1 == DETAIL_QUERIES


LIST_QUERIES = 15
DETAIL_QUERIES = 21  # the sourcing table now also reads direct opportunities, the program currency and rates


def test_a_queued_run_shows_its_progress_and_no_figures_yet(client, world):
    with tenant_context(world.a.tenant.pk):
        run = attribution_run_create(
            tenant=world.a.tenant, actor=world.a.manager, period_start=START, period_end=END, dimension="tier", enqueue=False
        )
    client.force_login(world.a.manager)
    page = client.get(url("attribution:detail", run)).content.decode()
    assert 'data-run-status="queued"' in page and 'role="progressbar"' in page
    assert 'data-testid="comparison"' not in page and "attribution-chart-data" not in page
    assert 'hx-trigger="every 2s"' in page
    with tenant_context(world.a.tenant.pk):
        run_attribution(tenant=world.a.tenant, actor=world.a.manager, run=run)
    polled = client.get(url("attribution:detail", run), headers={"HX-Request": "true"})
    assert polled["HX-Refresh"] == "true"  # finished: the page reloads once with its figures


def test_the_influence_window_is_chosen_on_the_run_page_and_a_bad_one_is_kept_and_explained(client, world):
    a = world.a
    run = finished_run(a)
    client.force_login(a.manager)
    # The won deal (03-20, 5000) is sourced by partner 1; partner 2 co-sold on 03-10, ten days before the close.
    default = client.get(url("attribution:detail", run))
    rows = {r["partner"]: r for r in default.context["sourcing"]}
    assert rows[a.partner2.name]["influenced"] == 5000 and default.context["window"] == 90
    narrow = client.get(url("attribution:detail", run) + "?window=5")
    rows = {r["partner"]: r for r in narrow.context["sourcing"]}
    assert a.partner2.name not in rows or rows[a.partner2.name]["influenced"] == 0
    assert rows[a.partner1.name]["sourced"] == 5000
    bad = client.get(url("attribution:detail", run) + "?window=abc")
    assert bad.status_code == 200 and bad.context["window"] == 90
    body = bad.content.decode()
    assert "The window is a whole number of days from 1 to 730." in body and 'value="abc"' in body
