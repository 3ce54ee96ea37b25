"""Attribution results pages (staff): a deal's journey with its shares and why, the run's deals with
filters and their CSV, the pruned-run page, the roll-up by type and tier, the trend, the runs list's
filters and CSV. The world is March 2026 (attribution/tests/world.py): the won deal (5,000) went
partner 1 referral 03-01 (19 days before the close), partner 2 co-sell 03-10 (10 days), partner 1
technical validation 03-20 (0 days)."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attribution.models import AttributionRun, ChannelDimension, Touchpoint, TouchpointType
from attribution.services import DETAILS_KEPT_RUNS, attribution_details_prune, attribution_run_create, run_attribution
from deals.models import DealRegistration
from ecosystem.tenancy.context import tenant_context
from partners.models import PartnerOrganization, Tier

from .test_views import finished_run

pytestmark = pytest.mark.django_db

# the won deal under each per-touch model, from the definitions (ATTRIBUTION.md)
_decay = [2 ** (-19 / 7), 2 ** (-10 / 7), 1.0]
WON_SHARES = {
    "first_touch": [1, 0, 0],
    "last_touch": [0, 0, 1],
    "linear": [1 / 3, 1 / 3, 1 / 3],
    "position_based": [0.4, 0.2, 0.4],
    "time_decay": [w / sum(_decay) for w in _decay],
    "shapley_counts": [1 / 4, 1 / 2, 1 / 4],  # two channels: ½ each; partner 1's half split over its two touches
}


def url(name, slug="alpha", **kwargs) -> str:
    return reverse(f"attribution:{name}", kwargs={"tenant_slug": slug, **kwargs})


def won_deal(a, amount: int = 5000) -> DealRegistration:
    with tenant_context(a.tenant.pk):
        return DealRegistration.objects.get(closed_amount=amount, closed_on__month=3)


def count(client, path, status=200) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == status
    return len(ctx.captured_queries)


def test_the_journey_shows_each_touch_with_its_share_credit_and_why(client, world):
    a = world.a
    run = finished_run(a)
    deal = won_deal(a)
    client.force_login(a.analyst)
    response = client.get(url("journey", run_id=run.public_id, registration_id=deal.public_id))
    assert response.status_code == 200
    journey = response.context["journey"]
    assert journey.value == 5000 and journey.rate == 1 and journey.currency == "USD" and journey.outcome_label == "Won"
    assert [(t.partner_name, t.touch_type, t.days, t.channel) for t in journey.touches] == [
        (a.partner1.name, TouchpointType.REFERRAL, 19, a.partner1.name),
        (a.partner2.name, TouchpointType.COSELL, 10, a.partner2.name),
        (a.partner1.name, TouchpointType.TECHNICAL_VALIDATION, 0, a.partner1.name),
    ]
    for model, shares in WON_SHARES.items():
        assert [t.shares[model] for t in journey.touches] == pytest.approx(shares), model
        assert [t.credits[model] for t in journey.touches] == pytest.approx([5000 * s for s in shares]), model
    why = dict(response.context["why"])
    assert why["Position-based (U-shaped)"] == "40 % to the first touch, 40 % to the last, 20 % to the middle touch"
    assert why["Linear"] == "1/3 to each of the 3 touches"
    assert why["Shapley (conversion counts)"].startswith("1/2 to each of the 2 distinct channels")
    assert "2^(−d/7)" in why["Time decay"]
    page = response.content.decode()
    assert "Markov removal effect, Shapley (conversion rates)" in page  # no per-deal split, said so
    assert reverse("attribution:detail", kwargs={"tenant_slug": "alpha", "run_id": run.public_id}) in page
    assert "2,000.00" in page and "1,000.00" in page  # position-based credits


def test_a_removed_touchpoint_reads_as_removed_and_the_query_count_is_fixed(client, world):
    a = world.a
    run = finished_run(a)
    deal = won_deal(a)
    client.force_login(a.manager)
    path = url("journey", run_id=run.public_id, registration_id=deal.public_id)
    # session, user, tenant; savepoint, tenant settings, membership; the run; the registration, the
    # touches (touchpoint type and id looked up by key), the partners, the channel labels; the base
    # template's tenant switcher (5); release, settings cleared
    assert count(client, path) == JOURNEY_QUERIES
    with tenant_context(a.tenant.pk):
        Touchpoint.objects.filter(touch_type=TouchpointType.COSELL, occurred_at__month=3, occurred_at__day=10).delete()
    response = client.get(path)
    assert [t.touch_type_label for t in response.context["journey"].touches] == ["Referral", "removed", "Technical validation"]
    assert response.context["journey"].touches[1].shares["linear"] == pytest.approx(1 / 3)  # as the run saw it


JOURNEY_QUERIES = 18


def test_unknown_deals_foreign_runs_and_partner_users_get_404(client, world):
    a = world.a
    run = finished_run(a)
    deal = won_deal(a)
    untouched = won_deal(a, 700)  # won, but no partner touched it: not in the run
    client.force_login(a.manager)
    assert client.get(url("journey", run_id=run.public_id, registration_id=untouched.public_id)).status_code == 404
    client.force_login(a.partner1_admin)
    assert client.get(url("journey", run_id=run.public_id, registration_id=deal.public_id)).status_code == 404
    assert client.get(url("journeys", run_id=run.public_id)).status_code == 404
    client.force_login(world.b.owner)
    for name, kwargs in (("journey", {"registration_id": deal.public_id}), ("journeys", {}), ("journeys_export", {})):
        assert client.get(url(name, slug=world.b.tenant.slug, run_id=run.public_id, **kwargs)).status_code == 404


def test_a_pruned_run_says_so_and_how_to_get_the_detail_back(client, world):
    a = world.a
    runs = [finished_run(a, build=i == 0) for i in range(DETAILS_KEPT_RUNS + 1)]
    with tenant_context(a.tenant.pk):
        attribution_details_prune(tenant=a.tenant)
        assert not AttributionRun.objects.get(pk=runs[0].pk).details_kept
    deal = won_deal(a)
    client.force_login(a.manager)
    for name, kwargs in (("journey", {"registration_id": deal.public_id}), ("journeys", {}), ("journeys_export", {})):
        response = client.get(url(name, run_id=runs[0].public_id, **kwargs))
        assert response.status_code == 410
        assert "per-deal detail was pruned" in response.content.decode() and "start a new run" in response.content.decode()
    detail = client.get(reverse("attribution:detail", kwargs={"tenant_slug": "alpha", "run_id": runs[0].public_id}))
    assert 'data-testid="details-pruned"' in detail.content.decode()
    kept = client.get(reverse("attribution:detail", kwargs={"tenant_slug": "alpha", "run_id": runs[1].public_id}))
    assert url("journeys", run_id=runs[1].public_id) in kept.content.decode()


def _listed(response) -> list[tuple]:
    return [(r["customer"], r["outcome_label"], str(r["outcome_on"]), r["value"], r["touches"]) for r in response.context["rows"]]


def test_the_deals_list_groups_touches_per_deal_and_filters(client, world):
    a = world.a
    run = finished_run(a)
    client.force_login(a.analyst)
    path = url("journeys", run_id=run.public_id)
    response = client.get(path)
    assert response.status_code == 200
    listed = _listed(response)
    # expired 03-12, lost 03-15, won 03-20 (three touches), open at 03-31
    assert [row[1:] for row in listed] == [
        ("Expired", "2026-03-12", 0, 1),
        ("Lost", "2026-03-15", 0, 1),
        ("Won", "2026-03-20", 5000, 3),
        ("Open at the period's end", "2026-03-31", 0, 1),
    ]
    assert listed[2][0] == won_deal(a).customer_name
    by_id = sorted([(a.partner1.pk, a.partner1.name), (a.partner2.pk, a.partner2.name)])
    assert response.context["rows"][2]["partners"] == [name for _pk, name in by_id]
    assert [r[1] for r in _listed(client.get(path + "?outcome=1"))] == ["Won"]
    by_p2 = client.get(path + f"?partner={a.partner2.public_id}")
    assert [r[1] for r in _listed(by_p2)] == ["Lost", "Won"]
    bad = client.get(path + "?outcome=9&partner=nope")
    assert bad.status_code == 200 and len(_listed(bad)) == 4 and bad.context["form"].errors  # kept, error shown
    assert url("journey", run_id=run.public_id, registration_id=won_deal(a).public_id) in response.content.decode()


def test_the_deals_list_costs_a_fixed_number_of_queries(client, world):
    a = world.a
    run = finished_run(a)
    client.force_login(a.manager)
    path = url("journeys", run_id=run.public_id)
    # session, user, tenant; savepoint, tenant settings, membership; the run; the partners (filter and
    # names); the paginator's count and one page grouped by registration; the page's registrations;
    # the tenant switcher (5); release, settings cleared
    assert count(client, path) == LIST_QUERIES
    more = finished_run(a, build=False)  # same journeys again, in a newer run: still one page
    assert count(client, url("journeys", run_id=more.public_id)) == LIST_QUERIES


LIST_QUERIES = 18


def test_the_deals_csv_has_one_row_per_touch_with_each_models_share_and_credit(client, world):
    a = world.a
    run = finished_run(a)
    deal = won_deal(a)
    client.force_login(a.manager)
    response = client.get(url("journeys_export", run_id=run.public_id))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 6  # 1 + 1 + 3 + 1 touches
    won = [r for r in rows if r["deal"] == str(deal.public_id)]
    assert [(r["position"], r["date"], r["partner"], r["type"], r["days"]) for r in won] == [
        ("0", "2026-03-01", a.partner1.name, "referral", "19.0"),
        ("1", "2026-03-10", a.partner2.name, "cosell", "10.0"),
        ("2", "2026-03-20", a.partner1.name, "technical_validation", "0.0"),
    ]
    for model, shares in WON_SHARES.items():
        assert [float(r[f"{model}_share"]) for r in won] == pytest.approx(shares)
        assert [float(r[f"{model}_value"]) for r in won] == pytest.approx([5000 * s for s in shares])
    assert "markov_share" not in rows[0]


def test_a_run_by_partner_rolls_up_by_type_and_current_tier(client, world):
    a = world.a
    with tenant_context(a.tenant.pk):
        gold = Tier.objects.create(tenant=a.tenant, name="Gold", rank=2)
        PartnerOrganization.objects.filter(pk=a.partner1.pk).update(tier=gold)
    run = finished_run(a)
    client.force_login(a.analyst)
    response = client.get(reverse("attribution:detail", kwargs={"tenant_slug": "alpha", "run_id": run.public_id}))
    rollup = response.context["rollup"]
    models = [m for m, _label in rollup["models"]]
    linear, first = models.index("linear"), models.index("first_touch")
    by_type = {r["label"]: r["cells"] for r in rollup["by_type"]}
    by_tier = {r["label"]: r["cells"] for r in rollup["by_tier"]}
    # linear: partner 1 (Reseller, Gold) 2 of 3 touches of 5,000; partner 2 (MSP, no tier) 1 of 3
    assert by_type["Reseller"][linear] == pytest.approx(10000 / 3)
    assert by_type["Managed service provider"][linear] == pytest.approx(5000 / 3)
    assert by_tier["Gold"][first] == pytest.approx(5000) and by_tier["No tier"][first] == pytest.approx(0)
    assert [r["label"] for r in rollup["by_tier"]] == ["Gold", "No tier"]
    assert "current tier" in response.content.decode()
    by_tier_run = finished_run(a, dimension=ChannelDimension.TIER, build=False)
    assert (
        client.get(reverse("attribution:detail", kwargs={"tenant_slug": "alpha", "run_id": by_tier_run.public_id})).context[
            "rollup"
        ]
        is None
    )


def test_the_trend_has_one_column_per_run_period_and_chart_data(client, world):
    a = world.a
    march = finished_run(a)
    with tenant_context(a.tenant.pk):
        run = attribution_run_create(
            tenant=a.tenant,
            actor=a.manager,
            period_start=datetime.date(2026, 2, 1),
            period_end=datetime.date(2026, 2, 28),
            dimension="partner",
            enqueue=False,
        )
        february = run_attribution(tenant=a.tenant, actor=a.manager, run=run)
    finished_run(a, dimension=ChannelDimension.TIER, build=False)  # another dimension: not in the trend
    client.force_login(a.analyst)
    response = client.get(url("trend") + "?dimension=partner&model=linear")
    table = response.context["table"]
    assert [c["public_id"] for c in table["columns"]] == [february.public_id, march.public_id]
    cells = {r["label"]: r["cells"] for r in table["rows"]}
    assert cells[a.partner1.name] == pytest.approx([0, 10000 / 3])
    assert cells[a.partner2.name] == pytest.approx([0, 5000 / 3])
    assert table["chart"]["labels"] == ["2026-02-01 – 2026-02-28", "2026-03-01 – 2026-03-31"]
    page = response.content.decode()
    assert "attribution-trend-data" in page and "chart.umd.min.js" in page
    bad = client.get(url("trend") + "?dimension=planet&model=linear")
    assert bad.status_code == 200 and bad.context["form"].errors and bad.context["table"] is None


def test_the_runs_list_filters_and_exports(client, world):
    a = world.a
    by_partner = finished_run(a)
    by_tier = finished_run(a, dimension=ChannelDimension.TIER, build=False)
    client.force_login(a.analyst)
    listed = client.get(url("list") + "?dimension=tier")
    assert [r.pk for r in listed.context["page"]] == [by_tier.pk]
    assert [r.pk for r in client.get(url("list") + "?on=2026-03-15&status=succeeded").context["page"]] == [
        by_tier.pk,
        by_partner.pk,
    ]
    assert list(client.get(url("list") + "?on=2026-04-01").context["page"]) == []
    bad = client.get(url("list") + "?on=not-a-date")
    assert bad.status_code == 200 and bad.context["filters"].errors and len(bad.context["page"]) == 2
    exported = client.get(url("runs_export") + "?dimension=partner")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert [r["run"] for r in rows] == [str(by_partner.public_id)]
    assert rows[0]["value"] == "5000.0" and rows[0]["details_kept"] == "yes" and rows[0]["journeys"] == "4"
