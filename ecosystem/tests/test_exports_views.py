"""Every list that exports CSV exports XLSX too, through the same helper: the partner list (``?export=``)
and the business plan export (its own route, ``?format=``), with a partner named like a formula."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

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
