"""Program > Setup > Currency rates: the rate table attribution converts deal amounts with.

Staff read it; owners and partner managers add, delete, upload and export. Every write goes
through :mod:`deals.currency_services`.
"""

from __future__ import annotations

import datetime
from itertools import groupby

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.errors import ApplicationError
from ecosystem.exports import export_response
from ecosystem.portal.base import back_to_tenant, roles_required

from . import currency_services as services
from .currency import program_currency_in_scope
from .forms import put_error
from .imports import ImportRejected
from .models import CurrencyRate
from .models.currency import rate_text

MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # a rate table is small; this is years of daily rates for many currencies


class CurrencyRateForm(forms.Form):
    currency = forms.CharField(label=gettext_lazy("Currency"), max_length=3, help_text=gettext_lazy("ISO 4217 code, e.g. EUR."))
    valid_from = forms.DateField(label=gettext_lazy("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    rate = forms.CharField(
        label=gettext_lazy("Rate"),
        max_length=30,
        help_text=gettext_lazy("Units of the program currency one unit of this currency is worth, e.g. 1.0825."),
    )


def _groups(rows: list[CurrencyRate]) -> list[dict]:
    """Rows grouped by currency (A→Z), newest first, each with the last day it is in force (None: still)."""
    groups = []
    for currency, items in groupby(rows, key=lambda r: r.currency):
        entries, until = [], None
        for row in items:  # newest first: the next newer row ends this one the day before it starts
            entries.append({"row": row, "until": until})
            until = row.valid_from - datetime.timedelta(days=1)
        groups.append({"currency": currency, "entries": entries})
    return groups


def _page(request: HttpRequest, *, form: CurrencyRateForm | None = None, import_errors=None, import_message="", status=200):
    """Queries: the membership and tenant (tenant base), the program currency, the rates."""
    can_edit = request.membership.role in PARTNER_EDITOR_ROLES
    rows = list(CurrencyRate.objects.filter(tenant=request.tenant).order_by("currency", "-valid_from", "-id"))
    context = {
        "groups": _groups(rows),
        "count": len(rows),
        "program_currency": program_currency_in_scope(),
        "can_edit": can_edit,
        "form": form or (CurrencyRateForm() if can_edit else None),
        "import_errors": import_errors or [],
        "import_message": import_message,
    }
    return render(request, "deals/currency_rates.html", context, status=status)


@roles_required(*STAFF_ROLES)
def rate_list(request: HttpRequest) -> HttpResponse:
    """The table, and (POST, editors) the form that sets one rate; a refused rate keeps what was typed."""
    if request.method != "POST":
        return _page(request)
    if request.membership.role not in PARTNER_EDITOR_ROLES:
        raise PermissionDenied(_("Your role does not allow this."))
    form = CurrencyRateForm(request.POST)
    if form.is_valid():
        try:
            saved = services.currency_rate_set(
                tenant=request.tenant,
                actor=request.user,
                currency=form.cleaned_data["currency"],
                valid_from=form.cleaned_data["valid_from"],
                rate=form.cleaned_data["rate"],
            )
        except ApplicationError as error:
            put_error(form, error)
        else:
            row = saved.row
            text = (
                _("%(code)s from %(day)s: %(rate)s added.")
                if saved.created
                else _("%(code)s from %(day)s: rate set to %(rate)s.")
            )
            messages.success(request, text % {"code": row.currency, "day": row.valid_from.isoformat(), "rate": row.rate_text})
            return back_to_tenant(request, "currency_rates:list")
    return _page(request, form=form, status=400)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def rate_delete(request: HttpRequest, rate_id) -> HttpResponse:
    row = services.access_currency_rate(tenant=request.tenant, public_id=rate_id)
    services.currency_rate_delete(tenant=request.tenant, actor=request.user, rate=row)
    messages.success(request, _("%(code)s from %(day)s deleted.") % {"code": row.currency, "day": row.valid_from.isoformat()})
    return back_to_tenant(request, "currency_rates:list")


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def rate_import(request: HttpRequest) -> HttpResponse:
    """Upload ``currency,valid_from,rate``: all rows or none; every bad row is listed on the page."""
    upload = request.FILES.get("file")
    if upload is None:
        return _page(request, import_message=_("Choose a CSV file to upload."), status=400)
    if upload.size > MAX_UPLOAD_BYTES:
        return _page(request, import_message=_("The file is larger than 5 MB."), status=400)
    try:
        imported = services.currency_rates_import(tenant=request.tenant, actor=request.user, data=upload.read())
    except ImportRejected as rejected:
        return _page(request, import_errors=rejected.errors, import_message=rejected.message, status=400)
    except ApplicationError as error:
        return _page(request, import_message=error.message, status=400)
    messages.success(
        request,
        _("%(rows)s rates imported: %(created)s new, %(updated)s changed.")
        % {"rows": imported.rows, "created": imported.created, "updated": imported.updated},
    )
    return back_to_tenant(request, "currency_rates:list")


@roles_required(*STAFF_ROLES)
def rate_export(request: HttpRequest) -> HttpResponse:
    """The whole table as CSV in the upload's own format (so it can be edited and uploaded back)."""
    rows = (
        CurrencyRate.objects.filter(tenant=request.tenant)
        .order_by("currency", "valid_from")
        .values_list("currency", "valid_from", "rate")
    )
    return export_response(
        request,
        filename=f"currency-rates-{request.tenant.slug}.csv",
        header=list(services.CSV_COLUMNS),
        rows=((currency, day.isoformat(), rate_text(rate)) for currency, day, rate in rows),
    )
