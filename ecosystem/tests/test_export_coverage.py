"""Every portal list exports CSV and XLSX through the formula-safe helper (ecosystem/exports.py).

A portal page is a *list page* when ``PORTAL_TO_API`` maps it to a GET operation that answers an array
(bare or as a cursor page's ``results``), as ``_is_list`` in test_api_completeness decides. Each one links
to its export, and, requested by a persona that reads it with ``?export=csv`` and ``?export=xlsx`` (or its
own export route, ``EXPORT_ROUTES``), answers an attachment whose header row is filled in and whose rows
hold an object the isolation matrix seeded. Every partner is named like a formula first, so a cell that
bypassed the helper shows. A list page that does not export is in ``EXPORT_ALLOWLIST`` with the reason,
or in ``EXPORT_KNOWN_GAPS`` with what is missing (the test fails when a gap closes, so the entry goes).
"""

from __future__ import annotations

import csv
import datetime
import io
from functools import cache

import pytest
from django.db import connection
from django.db.models import Value
from django.db.models.functions import Concat
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from attribution.incentives.models import UsageFigure, UsageSource
from deals.mapping.models import MappingPartnership
from deals.models import CustomerAccount
from ecosystem.api.tests.portal_coverage import PORTAL_TO_API
from ecosystem.api.tests.test_api_completeness import _is_list, api_operations_by_name
from ecosystem.exports import _FORMULA_STARTS, XLSX_CONTENT_TYPE
from ecosystem.tenancy.context import tenant_context
from partners.models import PartnerOrganization
from scoring.models import ChurnPrediction, PredictionMethod
from tests.test_isolation_matrix import MATRIX, tenant_models, tenant_objects

pytestmark = pytest.mark.django_db

# List pages that need not export, each with the reason.
EXPORT_ALLOWLIST: dict[str, str] = {
    "onboarding:evidence": "the download of one evidence file, not a list (the API's evidence list is its counterpart)",
    "partner_onboarding:evidence": "the download of one evidence file, not a list (the API's evidence list is its counterpart)",
    "deals:product_lines": "settings: the handful of product lines a registration picks from",
    "mdf:budget": "settings: one budget's allocations, a row per tier or partner given an amount",
    "sla:overview": "settings: the handful of SLA definitions (the breaches list, sla:breaches, exports)",
    "setup:course_list": "settings: the course catalogue being authored (certifications and learners export)",
    "setup:issuers": "settings: the credential issuers (a secret each, never exported)",
    "setup:paths": "settings: the learning paths, a handful of ordered course lists",
    "partner_training:catalogue": "settings: the published courses a partner can take (its certifications export)",
    "partner_content:list": "a library of documents to download, each its own file, not records to analyse",
    "portal:api_keys": "settings: the tenant's API keys (names and scopes), never data to analyse",
    "portal:tenant_export": "the list of the owners' full data exports: each one is the export of everything",
    "privacy:people": "personal data: one person's data leaves as the privacy export (privacy:member_export), not a list",
    "scoring:churn_model": "the trained versions of the churn model, a handful of rows each with its metrics",
    "scoring:churn_model_version": "one version of the churn model and its metrics (the predictions export)",
    "webhooks:endpoints": "settings: the tenant's webhook endpoints, a handful of addresses",
    "deal_imports:list": "the log of files uploaded for import; what they imported exports from the accounts and queue",
    "mapping:home": "the handful of mapping partnerships; each partnership's overlaps export (mapping:export)",
    "partner_mapping:home": "the handful of mapping partnerships; each partnership's overlaps export",
    "partner_surveys:list": "one person's own items: the surveys open to them and their own answers",
    "partner_training:certifications": "one person's own items: their certificates (the privacy 'my data' download)",
    "partner_solutions:invitations": "an inbox of open invitations to answer, not records (the solutions list exports)",
    "partner_cosell:invitations": "an inbox of open invitations to answer, not records (the co-sell deals export)",
}

# List pages that should export and do not yet, each with what is missing. Aim: empty.
EXPORT_KNOWN_GAPS: dict[str, str] = {}

# A list page whose export is its own route (with the page's path ids): {list page: export route}.
EXPORT_ROUTES: dict[str, str] = {
    "attribution:list": "attribution:runs_export",
    "attribution:detail": "attribution:export",
    "attribution:journeys": "attribution:journeys_export",
    "attribution:touchpoints": "attribution:touchpoints_export",
    "partner_attribution:overview": "partner_attribution:export",
    "mapping:partnership": "mapping:export",
    "partner_mapping:partnership": "partner_mapping:export",
    "plans:list": "plans:export",
    "currency_rates:list": "currency_rates:export",
}

# What a seeded row shows as where it has no name column: {list page: cells one row holds}.
SEEDED_CELLS: dict[str, set[str]] = {
    "currency_rates:list": {"EUR", "2026-01-01"},  # the isolation seed's one rate, in the upload's own format
}

# Columns that name a row (company, title, e-mail, domain): a seeded row shows in an export by its public id or one
# of these.
_NAMING_FIELDS = {"name", "title", "company_name", "customer_name", "email", "contact_email", "domain", "website_domain"}


@cache
def _api_list_operations() -> set[str]:
    """``"GET <api url name>"`` of every operation that answers a list."""
    return {name for name, (method, operation) in api_operations_by_name().items() if _is_list(method, operation)}


def list_pages() -> list[str]:
    """Portal URL names that show a list (their API counterpart is a list operation)."""
    lists = _api_list_operations()
    pages = []
    for name, wanted in PORTAL_TO_API.items():
        wanted = (wanted,) if isinstance(wanted, str) else wanted
        if any(operation in lists for operation in wanted):
            pages.append(name)
    return sorted(pages)


def _reader(world, name: str):
    """A persona that reads the page: the tenant owner on the vendor side, partner 1's admin on the partner side."""
    return world.a.partner1_admin if name.split(":")[0].startswith("partner_") else world.a.owner


def _table(response) -> tuple[list[list[str]], list[str]]:
    """The export's cells as text (header first), and its text cells (a number in XLSX is not one)."""
    if response["Content-Type"].startswith(XLSX_CONTENT_TYPE):
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        texts = [cell for row in rows for cell in row if isinstance(cell, str)]
        return [["" if cell is None else str(cell) for cell in row] for row in rows], texts
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    return rows, [cell for row in rows for cell in row]


def _export_problems(client, world, objects, name: str) -> list[str]:
    route_name = EXPORT_ROUTES.get(name, name)
    ids = MATRIX[route_name].ids(objects)
    url = reverse(route_name, kwargs={"tenant_slug": world.a.tenant.slug, **{k: str(v) for k, v in ids.items()}})
    client.force_login(_reader(world, name))
    problems = []
    page_url = reverse(
        name, kwargs={"tenant_slug": world.a.tenant.slug, **{k: str(v) for k, v in MATRIX[name].ids(objects).items()}}
    )
    page = client.get(page_url).content.decode()
    links = ("export=xlsx", "format=xlsx") if route_name == name else (url,)  # ?export= or ?format= both ask for it
    if not any(link in page for link in links):
        problems.append(f"the page has no export link ({' or '.join(links)})")
    seeded = objects["all_ids"] | objects["names"]
    for fmt, content_type in (("csv", "text/csv"), ("xlsx", XLSX_CONTENT_TYPE)):
        response = client.get(url, {"export": fmt})
        disposition = response.get("Content-Disposition", "")
        if response.status_code != 200 or not response["Content-Type"].startswith(content_type):
            problems.append(f"{fmt}: {response.status_code} {response['Content-Type']} (no export)")
            continue
        if not disposition.startswith("attachment") or not disposition.rstrip('"').endswith(f".{fmt}"):
            problems.append(f"{fmt}: not an attachment named .{fmt}: {disposition!r}")
        table, texts = _table(response)
        if formulas := [cell for cell in texts if cell.startswith(_FORMULA_STARTS)]:
            problems.append(f"{fmt}: cells a spreadsheet would run, not through ecosystem.exports: {formulas[:3]}")
        if not table or not all(cell.strip() for cell in table[0]):
            problems.append(f"{fmt}: the header row has empty cells: {table[:1]}")
        wanted = SEEDED_CELLS.get(name)
        if wanted and not any(wanted <= set(row) for row in table[1:]):
            problems.append(f"{fmt}: no row holds the seeded {sorted(wanted)}")
        elif not wanted and not {cell for row in table[1:] for cell in row} & seeded:
            problems.append(f"{fmt}: no row holds a seeded object ({len(table) - 1} rows)")
    return problems


def _seeded_names() -> set[str]:
    """Every naming value (see ``_NAMING_FIELDS``) of the current tenant's rows."""
    names = set()
    for model in tenant_models():
        fields = [field.attname for field in model._meta.concrete_fields if field.name in _NAMING_FIELDS]
        for row in model.objects.values_list(*fields) if fields else ():
            names.update(value for value in row if isinstance(value, str) and len(value) > 3)
    return names | {f"'{name}" for name in names if name.startswith(_FORMULA_STARTS)}


def test_every_list_page_exports_csv_and_xlsx(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    objects = tenant_objects(world.a)
    with tenant_context(world.a.tenant.pk):
        # every partner is named like a formula: each export that shows a partner must quote it
        PartnerOrganization.objects.update(name=Concat(Value("=SUM(1) "), "name"))
        objects["names"] = _seeded_names()
        # partner 1 shares its whole customer list too, so the vendor's "shared list" page has rows to export
        MappingPartnership.objects.filter(public_id=objects["mapping_pair"]).update(b_sharing={"customer": "all"})
        # a usage figure this month, for the usage list (the isolation seed has revenue, not usage)
        UsageFigure.objects.create(
            tenant=world.a.tenant,
            account=CustomerAccount.objects.order_by("id").first(),
            metric="seats",
            month=timezone.localdate().replace(day=1),
            quantity=5,
            source=UsageSource.values[0],
        )
        # and a churn prediction for partner 1, for the churn list (the seed trains no model)
        ChurnPrediction.objects.create(
            tenant=world.a.tenant,
            partner=world.a.partner1,
            as_of=timezone.localdate(),
            probability=0.42,
            method=PredictionMethod.values[0],
            drivers=[{"feature": "logins_30d", "sentence": "Nobody signed in for a month.", "contribution": 0.2}],
            computed_at=timezone.now(),
        )
    pages = list_pages()
    stale = sorted((set(EXPORT_ALLOWLIST) | set(EXPORT_KNOWN_GAPS) | set(EXPORT_ROUTES)) - set(pages))
    assert not stale, f"not list pages (any more): remove them from this module's tables: {stale}"
    found = {}
    for name in pages:
        if name in EXPORT_ALLOWLIST:
            continue
        problems = _export_problems(client, world, objects, name)
        if problems:
            found[name] = problems
    report = "\n".join(f"  {name}: {'; '.join(problems)}" for name, problems in sorted(found.items()))
    assert set(found) <= set(EXPORT_KNOWN_GAPS), f"These list pages do not export CSV and XLSX:\n{report}"
    fixed = sorted(set(EXPORT_KNOWN_GAPS) - set(found))
    assert not fixed, f"These lists export now: remove them from EXPORT_KNOWN_GAPS: {fixed}"


# --- an export reads a fixed number of queries, however many rows --------------------------------


def _leads(a, numbers: range) -> None:
    from deals.models import Lead

    respond_by = timezone.now() + datetime.timedelta(days=2)
    for n in numbers:
        Lead.objects.create(
            tenant=a.tenant, company_name=f"Lead {n}", status="offered", offered_to=a.partner1, respond_by=respond_by
        )


def _accounts(a, numbers: range) -> None:
    from deals.accounts import customer_account_create

    for n in numbers:
        customer_account_create(tenant=a.tenant, actor=a.owner, name=f"Account {n}", domain=f"account{n}.example")


@pytest.mark.parametrize(
    ("url", "reader", "seed"),
    [
        ("/t/alpha/leads/", "owner", _leads),
        ("/p/alpha/leads/", "partner1_admin", _leads),
        ("/t/alpha/deals/accounts/", "owner", _accounts),
    ],
)
def test_an_export_reads_the_same_queries_for_one_row_and_for_many(client, world, url, reader, seed):
    a = world.a
    client.force_login(getattr(a, reader))

    def export() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"export": "csv"})
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        return len(queries), len(response.content.decode().splitlines()) - 1

    with tenant_context(a.tenant.pk):
        seed(a, range(1))
    few, one = export()
    with tenant_context(a.tenant.pk):
        seed(a, range(1, 6))
    many, six = export()
    assert (one, six) == (1, 6)
    assert many == few, f"{url}: {few} queries for one row, {many} for six (a query per row)"
