"""What the end-to-end benches seed the same way: partners, customer accounts and deal registrations,
written server-side (``INSERT … SELECT generate_series``) as the owner role, inside the tenant's scope.

Used by bench/dashboard.py and bench/api_load.py. Each function returns ``(sql, params)`` statements
for :func:`owner_sql`, so a bench can run them together with statements of its own in one transaction.
Import after ``django.setup()``.
"""

from __future__ import annotations

import datetime

from django.db import connections, transaction

from ecosystem.tenancy.models import Tenant

TYPES = ["reseller", "msp", "isv", "si", "gsi", "distributor", "referral", "influencer"]
STATUSES = ["active"] * 7 + ["onboarding", "at_risk", "prospect", "retired"]  # 11: mostly active
REGIONS = ["na", "latam", "emea", "apac"]

Statement = tuple[str, dict]

# Partners: every type, tiers 0-3 (i % 10 = 9: no tier), one or two regions, mostly active.
PARTNERS_SQL = (
    "INSERT INTO partners_partnerorganization (tenant_id, public_id, name, partner_type, website_domain, country, "
    "status, tier_id, description, regions, capabilities, logo, created_at, updated_at) "
    "SELECT %(t)s, gen_random_uuid(), 'Partner ' || lpad(i::text, 5, '0'), (%(types)s::text[])[1 + i %% 8], "
    "'p' || i || '.partners.example', '', (%(statuses)s::text[])[1 + i %% 11], "
    "CASE WHEN i %% 10 = 9 THEN NULL ELSE (%(tiers)s::bigint[])[1 + (i / 7) %% 4] END, '', "
    "CASE WHEN i %% 3 = 0 THEN ARRAY[(%(regions)s::text[])[1 + i %% 4], (%(regions)s::text[])[1 + (i + 1) %% 4]] "
    "ELSE ARRAY[(%(regions)s::text[])[1 + i %% 4]] END, '{}', '', "
    "%(today)s::date - (200 + i %% 900) + time '09:00', now() "
    "FROM generate_series(0, %(n)s - 1) AS i"
)
STATUS_CHANGES_SQL = (
    "INSERT INTO partners_partnerstatuschange (tenant_id, partner_id, from_status, to_status, reason, changed_at) "
    "SELECT tenant_id, id, 'onboarding', 'active', 'bench', created_at + interval '30 days' "
    "FROM partners_partnerorganization WHERE tenant_id = %(t)s AND status = 'active'"
)
ACCOUNTS_SQL = (
    "INSERT INTO deals_customeraccount (tenant_id, public_id, name, name_key, domain, root_domain, industry, region, "
    "owner_kind, external_id, created_at, updated_at) "
    "SELECT %(t)s, gen_random_uuid(), 'Customer ' || i, 'customer ' || i, 'c' || i || '.example', "
    "'c' || i || '.example', '', (%(regions)s::text[])[1 + i %% 4], 'none', 'ACC' || i, now(), now() "
    "FROM generate_series(0, %(n)s - 1) AS i"
)
# Registrations: k % 10 < 3 won, < 6 lost, else open (approved in three stages, or pending);
# submitted over the last three years (a permutation of the days), closed 15-164 days later (not
# after yesterday); decided the next day, protected 90 days; one in ten in EUR. Account k * 7 mod the
# accounts (3.3 registrations each); the account's own partner, or (k % 4 = 3) another one.
REGISTRATIONS_SQL = (
    "INSERT INTO deals_dealregistration (tenant_id, public_id, partner_id, account_id, customer_name, customer_domain, "
    "contact_name, contact_email, contact_title, product_lines, solution, value, currency, expected_close_date, stage, "
    "notes, status, team_partner_ids, submitted_at, decided_at, protected_until, closed_amount, closed_on, updated_at) "
    "SELECT %(t)s, gen_random_uuid(), p.id, %(first_account)s + a.i, 'Customer ' || a.i, "
    "'c' || a.i || '.example', 'Pat', '', '', '{compute}', '', v.value, CASE WHEN k %% 10 = 2 THEN 'EUR' ELSE 'USD' END, "
    "s.day + 15 + k %% 150, "
    "CASE WHEN k %% 10 < 3 THEN 'closed_won' WHEN k %% 10 < 6 THEN 'closed_lost' "
    "WHEN k %% 10 = 6 THEN 'qualification' WHEN k %% 10 = 7 THEN 'proposal' WHEN k %% 10 = 8 THEN 'negotiation' "
    "ELSE 'prospecting' END, '', "
    "CASE WHEN k %% 10 < 3 THEN 'won' WHEN k %% 10 < 6 THEN 'lost' WHEN k %% 10 < 9 THEN 'approved' ELSE 'pending' END, "
    "ARRAY[p.id], s.day + time '10:00', CASE WHEN k %% 10 < 9 THEN s.day + 1 + time '10:00' END, "
    "CASE WHEN k %% 10 < 9 THEN s.day + 91 END, CASE WHEN k %% 10 < 3 THEN v.value END, "
    "CASE WHEN k %% 10 < 6 THEN LEAST(s.day + 15 + k %% 150, %(today)s::date - 1) END, now() "
    "FROM generate_series(0, %(n)s - 1) AS k "
    "CROSS JOIN LATERAL (SELECT %(today)s::date - 1 - (k * 389) %% 1095 AS day) s "
    "CROSS JOIN LATERAL (SELECT (1000 + (k %% 97) * 100)::numeric(14, 2) AS value) v "
    "CROSS JOIN LATERAL (SELECT (k * 7) %% %(accounts)s AS i) a "
    "CROSS JOIN LATERAL (SELECT (%(partners)s::bigint[])[1 + ((CASE WHEN k %% 4 = 3 THEN k ELSE a.i END)::bigint * 7919 %% %(np)s)::int] AS id) p"
)


def owner_sql(tenant: Tenant, statements: list[Statement]) -> None:
    """Run ``statements`` as the owner role in one transaction scoped to ``tenant`` (row-level security holds)."""
    with transaction.atomic(using="owner"), connections["owner"].cursor() as cursor:
        cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant.pk)])
        for sql, params in statements:
            cursor.execute(sql, params)


def partner_statements(
    tenant: Tenant, *, tier_ids: list[int], partners: int, accounts: int, today: datetime.date
) -> list[Statement]:
    """``partners`` partners (with a status change to active for the active ones) and ``accounts`` accounts."""
    partner_params = {
        "t": tenant.pk,
        "types": TYPES,
        "statuses": STATUSES,
        "tiers": tier_ids,
        "regions": REGIONS,
        "today": today.isoformat(),
        "n": partners,
    }
    return [
        (PARTNERS_SQL, partner_params),
        (STATUS_CHANGES_SQL, {"t": tenant.pk}),
        (ACCOUNTS_SQL, {"t": tenant.pk, "regions": REGIONS, "n": accounts}),
    ]


def registration_statement(
    tenant: Tenant, *, partner_ids: list[int], first_account: int, accounts: int, registrations: int, today: datetime.date
) -> Statement:
    """``registrations`` registrations over the partners and the accounts seeded by :func:`partner_statements`."""
    return (
        REGISTRATIONS_SQL,
        {
            "t": tenant.pk,
            "partners": partner_ids,
            "np": len(partner_ids),
            "first_account": first_account,
            "accounts": accounts,
            "n": registrations,
            "today": today.isoformat(),
        },
    )
