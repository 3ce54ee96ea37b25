"""Benchmark: the metrics dashboard (``insights:dashboard``) for a tenant of 10,000 partners,
1,000,000 deal registrations and 5,000,000 touchpoints, cold and warm, and its cache invalidation.

Seeds one tenant (as the owner role, server-side ``INSERT … SELECT generate_series``, not timed):
four tiers; 10,000 partners of every type, on the tiers (a tenth on none), in one or two regions,
mostly active; a status change to active for each active partner; 300,000 customer accounts;
1,000,000 registrations submitted over the last three years (30 % won, 30 % lost, 40 % open; a
tenth in EUR, converted through a two-rate table); five touchpoints per registration (5,000,000,
the first its derived registration touch, the others by the same or other partners before the
close); 500,000 engagement events (logins, registrations, completed courses, downloads); six
monthly churn predictions per partner and an open alert for one partner in twenty; the program's
costs for twelve quarters; twelve months of MRR for 20,000 accounts.

Then, through a Django test client logged in as the tenant's owner, for the last complete quarter:

- the cold request (cache empty) and 20 warm requests (median and p95), the queries of each
  (CaptureQueriesContext); the warm count must equal the bound this bench asserts;
- the slowest queries of the cold computation, with the plan of the slowest (EXPLAIN ANALYZE);
- invalidation: one registration saved through the ORM (a signal bumps the data version after the
  commit) and one touchpoint written by ``bulk_create`` (no signal; the fingerprint moves): each
  next request recomputes, and the figures move by what was written;
- a filtered view (one partner type, one tier), cold and warm.

Target (issue 8): under 500 ms warm, a bounded number of queries.

Run: ``.venv/bin/python -m ecosystem.devstack exec .venv/bin/python bench/dashboard.py``
(DATABASE_URL picks the server; the bench works in a database of its own, BENCH_DASHBOARD_DATABASE,
default ``bench_dashboard``; REDIS_URL picks the cache, which the bench clears). Size:
BENCH_DASHBOARD_SCALE (default 1; 0.01 for a quick check at 1 %). Appends to bench/RESULTS.md
unless BENCH_DASHBOARD_NO_RECORD is set; keeps the database with BENCH_DASHBOARD_KEEP.
"""

from __future__ import annotations

import datetime
import math
import os
import statistics
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecosystem.settings.test")

import django

django.setup()

from django.db import connection, connections, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import seeding  # noqa: E402
from bench.results import append, machine  # noqa: E402
from ecosystem.tenancy import bootstrap  # noqa: E402
from ecosystem.tenancy.context import tenant_context  # noqa: E402
from ecosystem.tenancy.models import Tenant  # noqa: E402

NAME = os.environ.get("BENCH_DASHBOARD_DATABASE", "bench_dashboard")
SCALE = float(os.environ.get("BENCH_DASHBOARD_SCALE", "1"))
PARTNERS = max(20, round(10_000 * SCALE))
DEALS = max(1000, round(1_000_000 * SCALE))
ACCOUNTS = max(300, round(300_000 * SCALE))
TOUCHES_PER_DEAL = 5
EVENTS = max(500, round(500_000 * SCALE))
REVENUE_ACCOUNTS = max(20, round(20_000 * SCALE))
REVENUE_MONTHS = 12
PREDICTIONS_PER_PARTNER = 6
WARM_RUNS = 20
TARGET_MS = 500.0
SLOW_COLD_S = 10.0
# Queries of a warm request: session, user, tenant, membership, … (the request) plus the cache's data
# version read and fingerprint (one query). A cold request adds the selectors' constant set.
WARM_QUERY_BOUND = None  # asserted equal to the first warm request's count for every warm request
TOUCH_TYPES = [
    "cosell",
    "lead_accepted",
    "mdf_campaign_lead",
    "referral",
    "technical_validation",
    "implementation",
    "renewal_support",
]
EVENT_KINDS = ["login", "login", "registration_submitted", "course_completed", "content_download"]


_owner_sql = seeding.owner_sql


def seed(today: datetime.date):
    """The tenant, its owner and its program, every bulk table written server-side (not timed)."""
    from attribution.economics.models import CostCategory, ProgramCost
    from deals.models import CurrencyRate, EngagementRules
    from ecosystem.accounts.models import Membership, Role, User
    from partners.models import Tier

    tenant = Tenant.objects.create(slug="dashboard", name="Dashboard bench", require_staff_mfa=False)
    user = User.objects.create_user("owner@dashboard.example", "bench-password-1")
    with tenant_context(tenant.pk):
        Membership.objects.create(tenant=tenant, user=user, role=Role.OWNER)
        EngagementRules.objects.create(tenant=tenant, currency="USD")
        CurrencyRate.objects.create(tenant=tenant, currency="EUR", valid_from=today - datetime.timedelta(days=1200), rate="1.08")
        CurrencyRate.objects.create(tenant=tenant, currency="EUR", valid_from=today - datetime.timedelta(days=500), rate="1.10")
        tiers = [
            Tier.objects.create(tenant=tenant, name=name, rank=rank)
            for rank, name in enumerate(["Registered", "Silver", "Gold", "Platinum"])
        ]
        quarter_index = today.year * 4 + (today.month - 1) // 3
        ProgramCost.objects.bulk_create(
            [
                ProgramCost(
                    tenant=tenant,
                    year=(quarter_index - back) // 4,
                    quarter=(quarter_index - back) % 4 + 1,
                    category=category,
                    amount=Decimal(50_000 + 10_000 * c),
                )
                for back in range(12)
                for c, category in enumerate(CostCategory.values)
            ]
        )
    tier_ids = [t.pk for t in tiers]
    started = time.perf_counter()
    today_sql = today.isoformat()
    _owner_sql(
        tenant,
        seeding.partner_statements(tenant, tier_ids=tier_ids, partners=PARTNERS, accounts=ACCOUNTS, today=today),
    )
    with tenant_context(tenant.pk):
        from deals.models import CustomerAccount
        from partners.models import PartnerOrganization

        partner_ids = list(PartnerOrganization.objects.order_by("pk").values_list("pk", flat=True))
        first_account = CustomerAccount.objects.order_by("pk").values_list("pk", flat=True).first()
    # Touchpoints: five per registration on its account; the first its derived registration touch, the
    # others 120, 90, 60 and 30 days before the close (not before the submission) by the same partner
    # or (one in five) another one.
    touches_sql = (
        "INSERT INTO attribution_touchpoint (tenant_id, public_id, partner_id, account_id, registration_id, touch_type, "
        "occurred_at, source, external_id, created_at) "
        "SELECT r.tenant_id, gen_random_uuid(), "
        "CASE WHEN j = 0 OR (r.k + j) %% 5 <> 0 THEN r.partner_id ELSE (%(partners)s::bigint[])[1 + (r.k * 13 + j * 101) %% %(np)s] END, "
        "r.account_id, r.id, CASE WHEN j = 0 THEN 'registration' ELSE (%(types)s::text[])[1 + (r.k + j) %% 7] END, "
        "CASE WHEN j = 0 THEN r.submitted_at "
        "ELSE GREATEST(r.submitted_at, COALESCE(r.closed_on, r.expected_close_date) - (5 - j) * 30 + time '14:00') END, "
        "CASE WHEN j = 0 THEN 'derived' ELSE 'imported' END, "
        "CASE WHEN j = 0 THEN 'derived:registration:' || r.public_id ELSE 'bench:' || r.id || ':' || j END, now() "
        "FROM (SELECT r.*, (r.id - min(r.id) OVER ())::int AS k FROM deals_dealregistration r WHERE r.tenant_id = %(t)s) r "
        "CROSS JOIN generate_series(0, %(per)s - 1) AS j"
    )
    events_sql = (
        "INSERT INTO partners_engagementevent (tenant_id, partner_id, kind, occurred_at, data) "
        "SELECT %(t)s, (%(partners)s::bigint[])[1 + (i * 31) %% %(np)s], (%(kinds)s::text[])[1 + (i / %(np)s) %% 5], "
        "%(today)s::date + time '12:00' - ((i * 7) %% (1095 * 24)) * interval '1 hour', '{}' "
        "FROM generate_series(0, %(n)s - 1) AS i"
    )
    predictions_sql = (
        "INSERT INTO scoring_churnprediction (tenant_id, partner_id, as_of, probability, method, drivers, computed_at) "
        "SELECT p.tenant_id, p.id, %(today)s::date - 30 * m, ((p.id * 37 + m * 11) %% 100) / 100.0, 'rules', '[]', "
        "%(today)s::date - 30 * m + time '03:00' "
        "FROM partners_partnerorganization p CROSS JOIN generate_series(0, %(m)s - 1) AS m WHERE p.tenant_id = %(t)s"
    )
    alerts_sql = (
        "INSERT INTO scoring_churnalert (tenant_id, public_id, partner_id, raised_on, probability, method, drivers, "
        "suggestion, status) "
        "SELECT p.tenant_id, gen_random_uuid(), p.id, %(today)s::date - 10, 0.9, 'rules', '[]', '{}', 'open' "
        "FROM partners_partnerorganization p WHERE p.tenant_id = %(t)s AND p.id %% 20 = 0"
    )
    revenue_sql = (
        "INSERT INTO economics_customerrevenue (tenant_id, public_id, account_id, month, mrr, managing_partner_id, source, "
        "external_id, created_at, updated_at) "
        "SELECT %(t)s, gen_random_uuid(), %(first_account)s + a, "
        "(date_trunc('month', %(today)s::date) - (m + 1) * interval '1 month')::date, 100 + (a %% 50) * 10, "
        "CASE WHEN a %% 3 = 0 THEN NULL ELSE (%(partners)s::bigint[])[1 + (a * 17) %% %(np)s] END, 'import', '', now(), now() "
        "FROM generate_series(0, %(accounts)s - 1) AS a CROSS JOIN generate_series(0, %(months)s - 1) AS m"
    )
    common = {
        "t": tenant.pk,
        "partners": partner_ids,
        "np": len(partner_ids),
        "today": today_sql,
        "first_account": first_account,
    }
    _owner_sql(
        tenant,
        [
            seeding.registration_statement(
                tenant, partner_ids=partner_ids, first_account=first_account, accounts=ACCOUNTS, registrations=DEALS, today=today
            ),
            (touches_sql, {**common, "types": TOUCH_TYPES, "per": TOUCHES_PER_DEAL}),
            (events_sql, {**common, "kinds": EVENT_KINDS, "n": EVENTS}),
            (predictions_sql, {**common, "m": PREDICTIONS_PER_PARTNER}),
            (alerts_sql, common),
            (revenue_sql, {**common, "accounts": REVENUE_ACCOUNTS, "months": REVENUE_MONTHS}),
        ],
    )
    with connections["owner"].cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    sizes = table_sizes(tenant)
    print(
        f"seeded in {time.perf_counter() - started:.1f} s (not timed): "
        + ", ".join(f"{name} {rows:,} ({size})" for name, (rows, size) in sizes.items())
    )
    return tenant, user, tiers, sizes


TABLES = {
    "partners": "partners_partnerorganization",
    "registrations": "deals_dealregistration",
    "touchpoints": "attribution_touchpoint",
    "accounts": "deals_customeraccount",
    "engagement events": "partners_engagementevent",
    "churn predictions": "scoring_churnprediction",
    "customer revenue months": "economics_customerrevenue",
    "program costs": "economics_programcost",
}


def table_sizes(tenant: Tenant) -> dict[str, tuple[int, str]]:
    sizes = {}
    with transaction.atomic(using="owner"), connections["owner"].cursor() as cursor:
        cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant.pk)])
        for name, table in TABLES.items():
            cursor.execute(
                f"SELECT (SELECT count(*) FROM {table} WHERE tenant_id = %s), pg_size_pretty(pg_total_relation_size(%s))",
                [tenant.pk, table],
            )
            sizes[name] = cursor.fetchone()
    return sizes


# --- measuring -------------------------------------------------------------------------------------


class Page:
    """Requests the dashboard with fixed filters and reads back the figures it was served."""

    def __init__(self, client: Client, tenant: Tenant, params: dict) -> None:
        self.client, self.tenant, self.params = client, tenant, params
        self.url = reverse("insights:dashboard", kwargs={"tenant_slug": tenant.slug})

    def get(self) -> tuple[float, int, list[dict]]:
        """(ms, number of queries, the queries) of one request."""
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = self.client.get(self.url, self.params)
            ms = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (response.status_code, response.content[:500])
        return ms, len(queries.captured_queries), list(queries.captured_queries)

    def warm(self, runs: int = WARM_RUNS) -> tuple[float, float, int]:
        """Median and p95 ms of ``runs`` warm requests, and their query count (the same for each)."""
        samples, counts = [], set()
        for _ in range(runs):
            ms, count, _queries = self.get()
            samples.append(ms)
            counts.add(count)
        assert len(counts) == 1, f"warm requests ran different numbers of queries: {sorted(counts)}"
        samples.sort()
        return statistics.median(samples), samples[math.ceil(0.95 * len(samples)) - 1], counts.pop()

    def figures(self):
        """The figures the page was served: every group read from the cache under the view's keys."""
        from attribution.insights import cache as insights_cache
        from attribution.insights import selectors
        from attribution.insights.forms import DashboardFilterForm

        with tenant_context(self.tenant.pk):
            period, chosen, rule = DashboardFilterForm(self.params).values()
            parts = insights_cache.dashboard_parts(period=period, chosen=chosen, rule=rule)
            through = insights_cache.through_cache(self.tenant.pk, parts)

            def cached_only(group, compute):
                def missing():
                    raise AssertionError(f"the {group} figures are not cached under the key of the last request")

                return through(group, missing)

            return selectors.dashboard(tenant=self.tenant, period=period, chosen=chosen, rule=rule, through=cached_only)


def invalidate_by_login(tenant, page) -> tuple[float, int]:
    """A partner user's login (an engagement event saved through the ORM), then the page: (ms, queries)."""
    from partners.models import EngagementKind, PartnerOrganization
    from partners.services import engagement_record

    with tenant_context(tenant.pk):
        partner_id = PartnerOrganization.objects.order_by("id").values_list("id", flat=True).first()
        engagement_record(tenant=tenant, partner_id=partner_id, kind=EngagementKind.LOGIN)
    ms, count, _queries = page.get()
    return ms, count


def slowest(queries: list[dict], top: int = 5) -> list[tuple[float, str]]:
    timed = sorted(((float(q["time"]), q["sql"]) for q in queries), reverse=True)
    return timed[:top]


def explain(tenant: Tenant, sql: str) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of a captured statement (its parameters are inlined), as the app role."""
    with tenant_context(tenant.pk), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return [row[0] for row in cursor.fetchall()]


def invalidate_by_save(tenant: Tenant, period) -> tuple[int, Decimal]:
    """Add 100,000 to one USD deal won in the period, saved through the ORM (post_save → version bump)."""
    from deals.models import DealRegistration

    with tenant_context(tenant.pk):
        deal = (
            DealRegistration.objects.filter(stage="closed_won", currency="USD", closed_on__range=(period.start, period.end))
            .order_by("pk")
            .first()
        )
        deal.closed_amount += Decimal(100_000)
        deal.save(update_fields=["closed_amount", "updated_at"])
    return deal.pk, Decimal(100_000)


def invalidate_by_bulk(tenant: Tenant, period, avoid: int) -> Decimal | None:
    """One touchpoint by bulk_create (no signal) by another partner the day before the close of a won
    USD deal of the period that no other partner influenced: that deal becomes influenced."""
    from attribution.models import Touchpoint
    from deals.models import DealRegistration

    with tenant_context(tenant.pk), connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.id, d.account_id, d.partner_id, d.closed_on, d.closed_amount FROM deals_dealregistration d "
            "CROSS JOIN LATERAL (SELECT d.status IN ('approved', 'won') AND d.decided_at IS NOT NULL "
            "AND d.protected_until IS NOT NULL AND d.closed_on <= d.protected_until AS has_source) s "
            "WHERE d.tenant_id = %(t)s AND d.stage = 'closed_won' AND d.currency = 'USD' AND d.id <> %(avoid)s "
            "AND d.closed_on BETWEEN %(start)s AND %(end)s AND NOT EXISTS (SELECT 1 FROM attribution_touchpoint t "
            "WHERE t.tenant_id = %(t)s AND t.account_id = d.account_id AND t.occurred_at >= d.closed_on - 91 "
            "AND t.occurred_at < d.closed_on + 2 AND NOT (s.has_source AND t.partner_id = d.partner_id)) "
            "ORDER BY d.id LIMIT 1",
            {"t": tenant.pk, "avoid": avoid, "start": period.start, "end": period.end},
        )
        row = cursor.fetchone()
        if row is None:
            deal = DealRegistration.objects.filter(closed_on__range=(period.start, period.end)).first()
            row = (deal.pk, deal.account_id, deal.partner_id, deal.closed_on, None)
        deal_id, account_id, partner_id, closed_on, amount = row
        from partners.models import PartnerOrganization

        other = PartnerOrganization.objects.exclude(pk=partner_id).order_by("pk").values_list("pk", flat=True).first()
        when = datetime.datetime.combine(closed_on - datetime.timedelta(days=1), datetime.time(12), tzinfo=datetime.UTC)
        Touchpoint.objects.bulk_create(
            [
                Touchpoint(
                    tenant=tenant,
                    public_id=uuid.uuid4(),
                    partner_id=other,
                    account_id=account_id,
                    registration_id=None,
                    touch_type="cosell",
                    occurred_at=when,
                    source="api",
                    external_id=f"bench:invalidate:{deal_id}",
                )
            ]
        )
    return amount


def main() -> None:
    from django.core.cache import cache

    from attribution.insights.selectors import Period

    bootstrap.drop_database(NAME)
    bootstrap.use_database(NAME)
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0]
    print(version)
    print(f"scale {SCALE:g}: {PARTNERS:,} partners, {DEALS:,} registrations, {DEALS * TOUCHES_PER_DEAL:,} touchpoints")
    today = timezone.localdate()
    period = Period.of(today).previous()
    tenant, user, tiers, sizes = seed(today)
    client = Client()
    client.force_login(user)
    cache.clear()  # this bench's Redis database (REDIS_URL) only

    everything = Page(client, tenant, {"period": f"{period.year}-Q{period.quarter}"})
    cold_ms, cold_count, cold_queries = everything.get()
    warm_median, warm_p95, warm_count = everything.warm()
    _ms, _count, warm_queries = everything.get()
    first = everything.figures()
    print(
        f"period {period.label}: cold {cold_ms:.0f} ms ({cold_count} queries); warm median {warm_median:.1f} ms, "
        f"p95 {warm_p95:.1f} ms ({warm_count} queries); ratio warm median / {TARGET_MS:.0f} ms target "
        f"{warm_median / TARGET_MS:.3f} (p95 {warm_p95 / TARGET_MS:.3f})"
    )
    print(
        f"figures: won {first.current.won:,.2f} ({first.won} deals), sourced {first.current.sourced:,.2f}, "
        f"influenced {first.current.influenced:,.2f} ({first.current.influenced_deals} deals), submitted "
        f"{first.submitted:,}, win rate {first.win_rate:.3f}, active {first.active:,} of {first.in_program:,}, "
        f"at risk {first.at_risk['predicted']:,}, partner costs {first.partner_costs:,.0f}"
    )
    top = slowest(cold_queries)
    print("slowest queries of the cold request:")
    for seconds, sql in top:
        print(f"  {seconds * 1000:8.0f} ms  {' '.join(sql.split())[:160]}")
    plan = []
    if cold_ms / 1000 > SLOW_COLD_S or os.environ.get("BENCH_DASHBOARD_EXPLAIN"):
        plan = explain(tenant, top[0][1])
        print("plan of the slowest (EXPLAIN ANALYZE, BUFFERS):")
        print("\n".join("  " + line for line in plan))

    # Invalidation 1: an ORM save → post_save → the version moves after the commit.
    deal_id, added = invalidate_by_save(tenant, period)
    saved_ms, saved_count, _ = everything.get()
    after_save = everything.figures()
    moved = after_save.current.won - first.current.won
    assert abs(moved - float(added)) < 0.01, f"won moved by {moved}, expected {added}"
    again_ms, again_count, _ = everything.get()
    print(
        f"after a registration saved through the ORM: {saved_ms:.0f} ms ({saved_count} queries, recomputed), "
        f"won {first.current.won:,.2f} → {after_save.current.won:,.2f} (+{moved:,.2f}); then {again_ms:.1f} ms "
        f"({again_count} queries, cached)"
    )

    # Invalidation 2: a bulk_create (no signal) → the fingerprint (MAX(id)) moves.
    amount = invalidate_by_bulk(tenant, period, avoid=deal_id)
    bulk_ms, bulk_count, _ = everything.get()
    after_bulk = everything.figures()
    influenced_moved = after_bulk.current.influenced_deals - after_save.current.influenced_deals
    print(
        f"after one touchpoint by bulk_create: {bulk_ms:.0f} ms ({bulk_count} queries, recomputed), influenced deals "
        f"{after_save.current.influenced_deals:,} → {after_bulk.current.influenced_deals:,}, influenced revenue "
        f"{after_save.current.influenced:,.2f} → {after_bulk.current.influenced:,.2f}"
    )
    assert bulk_count > warm_count, "the bulk write did not make the next request recompute"
    if amount is not None:
        assert influenced_moved == 1, influenced_moved
        assert abs(after_bulk.current.influenced - after_save.current.influenced - float(amount)) < 0.01

    # A filtered view: one partner type, one tier.
    ptype, tier = "msp", tiers[2]
    filtered = Page(client, tenant, {"period": f"{period.year}-Q{period.quarter}", "partner_type": ptype, "tier": tier.pk})
    f_cold_ms, f_cold_count, _ = filtered.get()
    f_median, f_p95, f_count = filtered.warm()
    sliced = filtered.figures()
    print(
        f"filtered (type {ptype}, tier {tier.name}): cold {f_cold_ms:.0f} ms ({f_cold_count} queries); warm median "
        f"{f_median:.1f} ms, p95 {f_p95:.1f} ms ({f_count} queries); ratio {f_median / TARGET_MS:.3f}; "
        f"{sliced.in_program:,} partners in the slice, sourced {sliced.current.sourced:,.2f}"
    )

    # The bounds: every warm request runs the same queries; cold requests run the same larger set.
    assert warm_count == f_count == again_count, (warm_count, f_count, again_count)
    # A save or a bulk write recomputes only the groups of figures that read what changed (fewer than cold).
    assert warm_count < bulk_count <= saved_count < cold_count, (warm_count, bulk_count, saved_count, cold_count)

    # Invalidation 3: a login (an engagement event) recomputes only the activity figures.
    login_ms, login_count = invalidate_by_login(tenant, everything)
    assert login_count == warm_count + 1, (login_count, warm_count)
    print(
        f"query bounds: warm {warm_count} (every warm request, filtered or not), cold {cold_count} "
        f"({f_cold_count} for the filtered one); after a registration save {saved_count}, after a bulk touchpoint "
        f"{bulk_count}, after a login {login_count} ({login_ms:.0f} ms: only the activity figures recomputed)"
    )
    print("queries of a warm request:")
    for query in warm_queries:
        print(f"  {' '.join(query['sql'].split())[:150]}")

    if not os.environ.get("BENCH_DASHBOARD_NO_RECORD"):
        lines = [
            "",
            f"## Metrics dashboard at {PARTNERS:,} partners, {DEALS:,} registrations ({datetime.date.today().isoformat()})",
            "",
            (
                "`bench/dashboard.py`: one tenant seeded server-side (not timed), then `insights:dashboard` requested through "
                f"the Django test client (no network) as the tenant's owner for {period.label} (the last complete quarter); "
                "Redis cache cleared first. Warm: 20 requests served from the cache (per group of figures: its data version, the bulk-table ids, the filters). "
                f"Machine: {machine(version)}. Other work shared the machine's cores while it ran."
            ),
            "",
            "Data: " + ", ".join(f"{name} {rows:,} ({size})" for name, (rows, size) in sizes.items()) + ".",
            "",
            "| request | ms | queries | ratio to 500 ms |",
            "| --- | ---: | ---: | ---: |",
            f"| cold (cache empty) | {cold_ms:.0f} | {cold_count} | {cold_ms / TARGET_MS:.2f} |",
            f"| warm, median of 20 | {warm_median:.1f} | {warm_count} | {warm_median / TARGET_MS:.3f} |",
            f"| warm, p95 of 20 | {warm_p95:.1f} | {warm_count} | {warm_p95 / TARGET_MS:.3f} |",
            f"| after one registration saved (ORM signal) | {saved_ms:.0f} | {saved_count} | {saved_ms / TARGET_MS:.2f} |",
            f"| after one touchpoint by bulk_create (fingerprint) | {bulk_ms:.0f} | {bulk_count} | {bulk_ms / TARGET_MS:.2f} |",
            f"| filtered (type {ptype}, tier {tier.name}), cold | {f_cold_ms:.0f} | {f_cold_count} | {f_cold_ms / TARGET_MS:.2f} |",
            f"| filtered, warm median / p95 | {f_median:.1f} / {f_p95:.1f} | {f_count} | {f_median / TARGET_MS:.3f} |",
            "",
            (
                f"Invalidation: +100,000 on one won deal moved won revenue by exactly that ({first.current.won:,.2f} → "
                f"{after_save.current.won:,.2f}); one touchpoint written by bulk_create moved influenced deals "
                f"{after_save.current.influenced_deals:,} → {after_bulk.current.influenced_deals:,}. "
                f"Queries after a registration save {saved_count}, after a bulk touchpoint {bulk_count}, after a login "
                f"{login_count} ({login_ms:.0f} ms; only the active-partner figures recomputed). "
                "Slowest queries of the cold request: "
                + "; ".join(f"{s * 1000:.0f} ms `{' '.join(q.split())[:70]}…`" for s, q in top[:3])
                + "."
            ),
        ]
        append("\n".join(lines) + "\n")
    if not os.environ.get("BENCH_DASHBOARD_KEEP"):
        bootstrap.drop_database(NAME)


if __name__ == "__main__":
    main()
