"""Every list that exports CSV exports XLSX too, through the same helper: the partner list (``?export=``)
and the business plan export (its own route, ``?format=``), with a partner named like a formula."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import RequestFactory
from openpyxl import load_workbook

from ecosystem.exports import export_queryset, spreadsheet_safe
from ecosystem.tenancy.context import tenant_context
from partners.models import PartnerOrganization

pytestmark = pytest.mark.django_db


def test_the_partner_list_exports_xlsx_with_text_cells(client, world):
    a = world.a
    with tenant_context(a.tenant.pk):
        PartnerOrganization.objects.filter(pk=a.partner1.pk).update(name='=HYPERLINK("http://evil.example","x")')
    client.force_login(a.analyst)
    page = client.get("/t/alpha/partners/").content.decode()
    assert "export=xlsx" in page
    response = client.get("/t/alpha/partners/?export=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=False))
    assert [c.value for c in rows[0]][:2] == ["id", "name"]
    names = {row[1].value: row[1].data_type for row in rows[1:]}
    assert names['\'=HYPERLINK("http://evil.example","x")'] == "s" and a.partner2.name in names


def test_an_export_route_answers_xlsx_with_format(client, world):
    client.force_login(world.a.manager)
    response = client.get("/t/alpha/plans/export.csv?format=xlsx")
    assert response.status_code == 200 and 'filename="business-plans.xlsx"' in response["Content-Disposition"]
    assert load_workbook(io.BytesIO(response.content)).active.max_row == 1  # the header, no plan yet


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_queryset_writes_the_keys_as_header_and_each_row_in_the_same_order(world, django_assert_num_queries, fmt):
    a = world.a
    columns = {"partner": "name", "id": "public_id", "kind": "partner_type", "tier": "tier__name"}  # not the model's order
    request = RequestFactory().get(f"/?export={fmt}")
    with tenant_context(a.tenant.pk):
        PartnerOrganization.objects.filter(pk=a.partner1.pk).update(name="=1+1")
        partners = PartnerOrganization.objects.filter(tenant=a.tenant).order_by("name", "id")
        expected = [
            [spreadsheet_safe(p.name), str(p.public_id), p.partner_type, p.tier.name if p.tier else ""]
            for p in partners.select_related("tier")
        ]
        # a list queryset that still prefetches and joins: the export reads the four fields only, in one query
        queryset = partners.select_related("tier").prefetch_related("contacts")
        with django_assert_num_queries(1):
            response = export_queryset(request, filename="partners.csv", queryset=queryset, columns=columns)
    assert len(expected) >= 2 and "'=1+1" in [row[0] for row in expected]
    if fmt == "csv":
        assert response["Content-Disposition"] == 'attachment; filename="partners.csv"'
        parsed = list(csv.reader(io.StringIO(response.content.decode(), newline="")))
    else:
        assert response["Content-Disposition"] == 'attachment; filename="partners.xlsx"'
        sheet = load_workbook(io.BytesIO(response.content)).active
        parsed = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    assert parsed == [["partner", "id", "kind", "tier"], *expected]
