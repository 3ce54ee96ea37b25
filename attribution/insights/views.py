"""The metrics dashboard (vendor staff) and the rows behind its figures.

Figures come from :mod:`attribution.insights.selectors` through the cache of
:mod:`attribution.insights.cache`; the rows behind them are read live (a page at a time) and export
to CSV or XLSX through :mod:`ecosystem.exports`.
"""

from __future__ import annotations

import datetime
import math

from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from deals.currency import rate_table
from deals.models import DealRegistration
from ecosystem.accounts.models import STAFF_ROLES
from ecosystem.exports import export_format, export_response
from ecosystem.portal.base import roles_required
from ecosystem.portal.lists import filter_query
from partners.models import PartnerOrganization

from . import cache, selectors
from .definitions import DEFINITIONS
from .forms import SIGNAL_LABELS, DashboardFilterForm

PAGE_SIZE = 50
ROW_METRICS = {
    "won": _("Closed-won deals"),
    "sourced": _("Partner-sourced deals"),
    "influenced": _("Partner-influenced deals"),
    "touched": _("Partner-touched deals"),
    "pipeline": _("Registrations submitted"),
    "velocity": _("Deals won, with their days to close"),
    "active": _("Partners of the program and their activity"),
    "time_to_value": _("Partners' first wins"),
    "tiers": _("Partners per tier"),
}


def _filters(request: HttpRequest) -> tuple[DashboardFilterForm, selectors.Period, selectors.Slice, selectors.ActiveRule]:
    form = DashboardFilterForm(request.GET or None)
    period, chosen, rule = form.values()
    return form, period, chosen, rule


@roles_required(*STAFF_ROLES)
def dashboard(request: HttpRequest) -> HttpResponse:
    form, period, chosen, rule = _filters(request)
    figures = cache.cached_dashboard(tenant=request.tenant, period=period, chosen=chosen, rule=rule)
    charts = {
        "revenue": {
            "labels": [q.label for q in figures.revenue],
            "datasets": [
                {"label": _("Sourced"), "data": [round(q.sourced, 2) for q in figures.revenue]},
                {"label": _("Influenced"), "data": [round(q.influenced, 2) for q in figures.revenue]},
                {"label": _("All closed-won"), "data": [round(q.won, 2) for q in figures.revenue]},
            ],
        },
        "psat": {
            "labels": [q["label"] for q in figures.psat["trend"]],
            "datasets": [
                {"label": _("NPS"), "data": [None if q["nps"] is None else round(q["nps"], 1) for q in figures.psat["trend"]]}
            ],
        },
        "tiers": {
            "labels": [t["name"] or _("No tier") for t in figures.tiers],
            "datasets": [{"label": _("Partners"), "data": [t["partners"] for t in figures.tiers]}],
        },
    }
    context = {
        "form": form,
        "figures": figures,
        "charts": charts,
        "definitions": DEFINITIONS,
        "query": filter_query(request, form),
        "chosen": chosen,
        "rule": rule,
        "signal_labels": [SIGNAL_LABELS[s] for s in rule.signals],
        "initial": form.initial_values(),
    }
    return render(request, "insights/dashboard.html", context, status=400 if form.errors else 200)


@roles_required(*STAFF_ROLES)
def rows(request: HttpRequest) -> HttpResponse:
    """The rows behind one figure (``?figure=``), with the dashboard's filters; a page at a time, or all as CSV/XLSX."""
    metric = request.GET.get("figure", "")
    if metric not in ROW_METRICS:
        raise Http404
    form, period, chosen, rule = _filters(request)
    exporting = export_format(request) is not None
    number = _page_number(request)
    limit, offset = (None, 0) if exporting else (PAGE_SIZE, (number - 1) * PAGE_SIZE)
    header, table, total = _ROWS[metric](request=request, period=period, chosen=chosen, rule=rule, limit=limit, offset=offset)
    if exporting:
        return export_response(
            request, filename=f"{metric}-{period.year}-q{period.quarter}", header=header, rows=[r["cells"] for r in table]
        )
    pages = max(1, math.ceil(total / PAGE_SIZE))
    context = {
        "form": form,
        "metric": metric,
        "title": ROW_METRICS[metric],
        "definition": DEFINITIONS.get(metric, ""),
        "period": period,
        "header": header,
        "table": table,
        "total": total,
        "number": min(number, pages),
        "pages": pages,
        "query": filter_query(request, form),
    }
    return render(request, "insights/rows.html", context)


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", 1)))
    except ValueError:
        return 1


def _won(metric: str):
    def read(*, request, period, chosen, rule, limit, offset):
        found, total = selectors.won_rows(
            rates=rate_table(), chosen=chosen, period=period, which=metric, limit=limit, offset=offset
        )
        header = [
            "customer",
            "partner",
            "closed_on",
            "amount",
            "currency",
            "converted",
            "sourced",
            "influencing_partners",
            "registration",
        ]
        table = [
            {
                "link": ("deals:registration", r["public_id"]),
                "cells": [
                    r["customer"],
                    r["partner"],
                    r["closed_on"],
                    f"{r['amount']:.2f}",
                    r["currency"],
                    "" if r["converted"] != r["converted"] else f"{r['converted']:.2f}",
                    _("yes") if r["sourced"] else _("no"),
                    r["influencers"],
                    r["public_id"],
                ],
            }
            for r in found
        ]
        return header, table, total

    return read


def _paged(queryset, limit, offset):
    total = queryset.count()
    return (queryset if limit is None else queryset[offset : offset + limit]), total


def _pipeline(*, request, period, chosen, rule, limit, offset):
    start, end = selectors._midnight(period.start), selectors._midnight(period.end + datetime.timedelta(days=1))
    queryset = (
        DealRegistration.objects.filter(partner__in=chosen.partners(), submitted_at__gte=start, submitted_at__lt=end)
        .order_by("-submitted_at", "-id")
        .values_list("public_id", "customer_name", "partner__name", "submitted_at", "status", "stage", "value", "currency")
    )
    page, total = _paged(queryset, limit, offset)
    header = ["customer", "partner", "submitted_on", "status", "stage", "value", "currency", "registration"]
    table = [
        {
            "link": ("deals:registration", r[0]),
            "cells": [r[1], r[2], timezone.localtime(r[3]).date(), r[4], r[5], r[6], r[7], r[0]],
        }
        for r in page
    ]
    return header, table, total


def _velocity(*, request, period, chosen, rule, limit, offset):
    queryset = (
        DealRegistration.objects.filter(
            partner__in=chosen.partners(), stage="closed_won", closed_on__range=(period.start, period.end)
        )
        .order_by("-closed_on", "-id")
        .values_list("public_id", "customer_name", "partner__name", "submitted_at", "closed_on")
    )
    page, total = _paged(queryset, limit, offset)
    header = ["customer", "partner", "submitted_on", "closed_on", "days_to_close", "registration"]
    table = []
    for public_id, customer, partner, submitted_at, closed_on in page:
        submitted_on = timezone.localtime(submitted_at).date()
        table.append(
            {
                "link": ("deals:registration", public_id),
                "cells": [customer, partner, submitted_on, closed_on, (closed_on - submitted_on).days, public_id],
            }
        )
    return header, table, total


def _active(*, request, period, chosen, rule, limit, offset):
    last_day = min(period.end, timezone.localdate())
    frame = selectors.activity(chosen=chosen, rule=rule, last_day=last_day)
    frame = frame.sort_values(["active", "partner_id"], ascending=[False, True])
    page = frame if limit is None else frame.iloc[offset : offset + limit]
    partners = {
        pk: (public_id, name)
        for pk, public_id, name in PartnerOrganization.objects.filter(pk__in=page["partner_id"].tolist()).values_list(
            "pk", "public_id", "name"
        )
    }
    header = ["partner", "login", "registration", "training", "active"]
    yes = {True: _("yes"), False: _("no")}
    table = [
        {
            "link": ("partners:detail", partners.get(pid, (None, ""))[0]),
            "cells": [partners.get(pid, (None, ""))[1], yes[bool(login)], yes[bool(reg)], yes[bool(train)], yes[bool(active)]],
        }
        for pid, login, reg, train, active in page[["partner_id", "login", "registration", "training", "active"]].itertuples(
            index=False
        )
    ]
    return header, table, len(frame)


def _time_to_value(*, request, period, chosen, rule, limit, offset):
    found = selectors.time_to_value_rows(chosen=chosen, period=period)
    page = found if limit is None else found[offset : offset + limit]
    partners = {
        pk: (public_id, name)
        for pk, public_id, name in PartnerOrganization.objects.filter(pk__in=[r[0] for r in page]).values_list(
            "pk", "public_id", "name"
        )
    }
    header = ["partner", "started_on", "first_won_on", "days"]
    table = [
        {
            "link": ("partners:detail", partners.get(pid, (None, ""))[0]),
            "cells": [partners.get(pid, (None, ""))[1], timezone.localtime(started).date(), first_won, days],
        }
        for pid, started, first_won, days in page
    ]
    return header, table, len(found)


def _tiers(*, request, period, chosen, rule, limit, offset):
    queryset = (
        chosen.partners()
        .filter(status__in=selectors.PROGRAM_STATUSES)
        .order_by(F("tier__rank").desc(nulls_last=True), "name", "id")
        .values_list("public_id", "name", "tier__name", "status", "partner_type")
    )
    page, total = _paged(queryset, limit, offset)
    header = ["partner", "tier", "status", "type"]
    table = [{"link": ("partners:detail", r[0]), "cells": [r[1], r[2] or _("No tier"), r[3], r[4]]} for r in page]
    return header, table, total


_ROWS = {
    **{name: _won(name) for name in selectors.WON_SETS},
    "pipeline": _pipeline,
    "velocity": _velocity,
    "active": _active,
    "time_to_value": _time_to_value,
    "tiers": _tiers,
}
