"""``insights-metrics/``: the program metrics dashboard's figures (docs/insights.md), for vendor staff.

The query takes the page's pickers: ``period`` (``2026-Q1``; default the last complete quarter),
``partner_type``, ``tier`` (a tier's id), ``region``, ``active_signals`` (repeatable: ``login``,
``registration``, ``training``) and ``active_days``. A value that is not valid answers 400 naming it.
The figures come from the same cache as the page.
"""

from __future__ import annotations

import dataclasses

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from ecosystem.accounts.models import STAFF_ROLES
from ecosystem.api.views import TenantViewSet
from ecosystem.errors import ApplicationError
from partners.models import PartnerOrganization

from .. import cache, selectors
from ..definitions import DEFINITIONS
from ..forms import DashboardFilterForm


def figures_body(figures: selectors.Dashboard) -> dict:
    """The figures as JSON-safe values, with the derived rates and their definitions."""
    body = dataclasses.asdict(figures)
    body["period"] = {
        "quarter": f"{figures.period.year}-Q{figures.period.quarter}",
        "start": figures.period.start,
        "end": figures.period.end,
    }
    body["retention"] = {channel: dataclasses.asdict(value) for channel, value in figures.retention.items()}
    body["rates"] = {
        "approval_rate": figures.approval_rate,
        "win_rate": figures.win_rate,
        "ropi": figures.ropi,
        "active_share": figures.active_share,
    }
    body["definitions"] = {key: str(text) for key, text in DEFINITIONS.items()}
    for row in body["at_risk"]["top"]:
        row.pop("partner_id", None)  # the API names partners by their public id
    for row in body["cltv"]:
        row["partner"] = str(_public_ids(figures).get(row.pop("partner_id"), ""))
    body.pop("notes", None)
    return body


def _public_ids(figures: selectors.Dashboard) -> dict:
    ids = [row["partner_id"] for row in figures.cltv]
    return dict(PartnerOrganization.objects.filter(pk__in=ids).values_list("pk", "public_id"))


class InsightsMetricsViewSet(TenantViewSet):
    model = PartnerOrganization
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset()

    def scoped_queryset(self):
        return PartnerOrganization.objects.filter(tenant=self.tenant)

    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, description="A quarter such as 2026-Q1 (the last eight offered)."),
            OpenApiParameter("partner_type", str),
            OpenApiParameter("tier", int, description="A tier's id."),
            OpenApiParameter("region", str),
            OpenApiParameter("active_signals", str, many=True, description="login, registration, training"),
            OpenApiParameter("active_days", int, description="30, 60, 90, 180 or 365"),
        ],
        responses={200: OpenApiTypes.OBJECT},
        operation_id="insights_metrics_retrieve",
    )
    def retrieve(self, request, *args, **kwargs):
        """The dashboard's figures for the period and selection, as defined in docs/insights.md."""
        form = DashboardFilterForm(request.query_params or None)
        if form.is_bound and not form.is_valid():
            name, errors = next(iter(form.errors.items()))
            raise ApplicationError(str(errors[0]), code="invalid_filter", field=name)
        period, chosen, rule = form.values()
        figures = cache.cached_dashboard(tenant=self.tenant, period=period, chosen=chosen, rule=rule)
        return Response(figures_body(figures))
