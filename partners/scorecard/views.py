"""Scorecard pages: the partner's own (partner portal) and the same card for vendor staff, one partner
at a time (linked from the partner's page), so a manager sees what the partner sees. A period picker
(GET, works without JavaScript); an unknown period is shown with its error, over the default period.
CSV or XLSX of the figures with ``?export=csv|xlsx``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ecosystem.accounts.models import PARTNER_ROLES, STAFF_ROLES
from ecosystem.errors import ApplicationError
from ecosystem.exports import export_format, export_response
from ecosystem.portal.base import roles_required
from partners.models import PartnerOrganization
from partners.selectors import access_partner

from .definitions import DEFINITIONS, SECTIONS
from .periods import DEFAULT_PERIOD, period_choices, resolve_period
from .selectors import partner_scorecard


def _today():
    """Today (the server's day); the tests move it."""
    return timezone.localdate()


def _scorecard_page(request: HttpRequest, partner: PartnerOrganization, *, staff: bool) -> HttpResponse:
    today = _today()
    asked = request.GET.get("period", "")
    error, status = "", 200
    try:
        period, previous = resolve_period(asked, today=today)
    except ApplicationError as problem:
        error, status = problem.message, problem.status_code
        period, previous = resolve_period(DEFAULT_PERIOD, today=today)
    card = partner_scorecard(
        tenant=request.tenant,
        partner=partner,
        period_start=period.start,
        period_end=period.end,
        previous_start=previous.start,
        previous_end=previous.end,
        today=today,
    )
    if export_format(request) and not error:
        return export_response(
            request,
            filename=f"scorecard-{request.tenant.slug}-{period.start}-{period.end}.csv",
            header=["figure", "label", "unit", "period_start", "period_end", "value", "previous"],
            rows=(
                [
                    f.key,
                    str(f.label),
                    f.unit,
                    period.start,
                    period.end,
                    "" if f.value is None else f.value,
                    "" if f.previous is None else f.previous,
                ]
                for f in card.figures
            ),
        )
    context = {
        "card": card,
        "partner": partner,
        "staff": staff,
        "sections": [(key, label, card.sections.get(key, [])) for key, label in SECTIONS.items()],
        "choices": period_choices(today),
        "asked": asked or DEFAULT_PERIOD,
        "period_error": error,
        "definitions": DEFINITIONS,
    }
    return render(request, "scorecard/scorecard.html", context, status=status)


@roles_required(*PARTNER_ROLES)
def my_scorecard(request: HttpRequest) -> HttpResponse:
    """The partner's own scorecard."""
    return _scorecard_page(request, request.membership.partner, staff=False)


@roles_required(*STAFF_ROLES)
def partner_scorecard_page(request: HttpRequest, partner_id) -> HttpResponse:
    """One partner's scorecard for vendor staff; 404 for an id of another tenant."""
    return _scorecard_page(request, access_partner(tenant=request.tenant, public_id=partner_id), staff=True)
