"""Touchpoint pages (vendor staff): the filtered list, its CSV export, and the CSV import (owners and partner managers).

The import is all or nothing: a file with one bad row writes nothing, and the page lists every
problem (row, column, message). A browser cannot keep a chosen file across requests, so the page
says to choose it again once corrected.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from deals import imports
from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.exports import export_response
from ecosystem.portal.base import roles_required
from partners.models import PartnerOrganization

from ..models import Touchpoint
from ..touchpoint_forms import TouchpointFilterForm, TouchpointImportForm
from ..touchpoint_imports import COLUMNS, touchpoints_import

PAGE_SIZE = 50
EXPORT_HEADER = [
    "public_id",
    "external_id",
    "partner_id",
    "partner",
    "account_id",
    "account",
    "deal",
    "type",
    "occurred_at",
    "weight",
    "source",
]


def _filtered(request: HttpRequest) -> tuple[TouchpointFilterForm, QuerySet]:
    """The filter form (partner choices: one query) and the touchpoints it selects (not yet read)."""
    partners = [
        (str(public_id), name)
        for public_id, name in PartnerOrganization.objects.filter(tenant=request.tenant)
        .order_by("name", "id")
        .values_list("public_id", "name")
    ]
    form = TouchpointFilterForm(request.GET or None, partners=partners)
    values = form.values()
    touchpoints = Touchpoint.objects.filter(tenant=request.tenant)
    if values["partner"]:
        touchpoints = touchpoints.filter(partner__public_id=values["partner"])
    if values["type"]:
        touchpoints = touchpoints.filter(touch_type=values["type"])
    if values["source"]:
        touchpoints = touchpoints.filter(source=values["source"])
    if values["after"]:
        touchpoints = touchpoints.filter(occurred_at__gte=values["after"])
    if values["before"]:
        touchpoints = touchpoints.filter(occurred_at__lt=values["before"])
    return form, touchpoints.order_by("-occurred_at", "-id")


@roles_required(*STAFF_ROLES)
def touchpoint_list(request: HttpRequest) -> HttpResponse:
    form, touchpoints = _filtered(request)
    touchpoints = touchpoints.select_related("partner", "account", "registration")
    page = Paginator(touchpoints, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": form,
        "query": form.query(),
        "can_import": request.membership.role in PARTNER_EDITOR_ROLES,
    }
    return render(request, "attribution/touchpoints.html", context)


@roles_required(*STAFF_ROLES)
def touchpoint_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as CSV, every row (read as tuples, not objects)."""
    _form, touchpoints = _filtered(request)
    rows = touchpoints.values_list(
        "public_id",
        "external_id",
        "partner__public_id",
        "partner__name",
        "account__public_id",
        "account__name",
        "registration__public_id",
        "touch_type",
        "occurred_at",
        "weight",
        "source",
    )
    lines = (
        [
            public_id,
            external_id,
            partner_id,
            partner,
            account_id,
            account,
            deal or "",
            touch_type,
            occurred_at.isoformat(),
            "" if weight is None else weight,
            source,
        ]
        for public_id, external_id, partner_id, partner, account_id, account, deal, touch_type, occurred_at, weight, source in rows
    )
    return export_response(request, filename=f"touchpoints-{request.tenant.slug}.csv", header=EXPORT_HEADER, rows=lines)


@roles_required(*PARTNER_EDITOR_ROLES)
def touchpoint_import(request: HttpRequest) -> HttpResponse:
    form = TouchpointImportForm(request.POST, request.FILES) if request.method == "POST" else TouchpointImportForm()
    context: dict = {"form": form, "columns": COLUMNS, "result": None, "errors": [], "file_error": ""}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > imports.MAX_FILE_BYTES:
                context["file_error"] = _("The file is larger than 50 MB. Split it and import the parts.")
            else:
                try:
                    result = touchpoints_import(tenant=request.tenant, actor=request.user, data=upload.read())
                except imports.ImportFileInvalid as invalid:
                    context["file_error"] = invalid.message
                else:
                    if result.ok:
                        status = 200
                        context["result"] = result
                    else:
                        context["errors"] = result.errors
            context["file_name"] = upload.name
    return render(request, "attribution/touchpoints_import.html", context, status=status)
