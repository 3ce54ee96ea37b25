"""Tier pages: the vendor's ladder and proposals, a partner's own standing."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES
from ecosystem.errors import ApplicationError
from ecosystem.exports import export_format, export_queryset
from ecosystem.portal.base import back_to_tenant, roles_required

from . import tiers
from .content import tier_content_counts as content_tier_counts
from .models import Tier, TierMetric, TierPolicy
from .selectors import access_partner


@roles_required(*STAFF_ROLES)
def tier_ladder(request: HttpRequest) -> HttpResponse:
    if export_format(request):
        # the proposed tier changes waiting for a decision (the tiers themselves are settings): one query
        return export_queryset(
            request,
            filename=f"tier-proposals-{request.tenant.slug}.csv",
            queryset=tiers.pending_proposals(tenant=request.tenant).order_by("partner__name", "id"),
            columns={
                "partner_id": "partner__public_id",
                "partner": "partner__name",
                "current_tier": "partner__tier__name",
                "proposed_tier": "eligible_tier__name",
                "below_tier_since": "below_since",
                "evaluated_at": "evaluated_at",
            },
        )
    ladder = tiers.Ladder.load(request.tenant)
    context = {
        "ladder": [(tier, [(TierMetric(m).label, minimum) for m, minimum in ladder.rules[tier.pk]]) for tier in ladder.tiers],
        "policy": TierPolicy.objects.filter(tenant=request.tenant).first(),
        "proposals": tiers.pending_proposals(tenant=request.tenant),
        "can_decide": request.membership.role in PARTNER_EDITOR_ROLES,
    }
    return render(request, "partners/tier_ladder.html", context)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def tier_evaluate_now(request: HttpRequest) -> HttpResponse:
    counts = tiers.tier_evaluate_all(tenant=request.tenant)
    messages.success(
        request,
        _(
            "Evaluated %(evaluated)s partners: %(proposed)s proposals, %(upgraded)s up, %(downgraded)s down, %(in_grace)s in grace."
        )
        % counts,
    )
    return back_to_tenant(request, "tiers:ladder")


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def tier_proposal_approve(request: HttpRequest, partner_id) -> HttpResponse:
    partner = access_partner(tenant=request.tenant, public_id=partner_id)
    try:
        tiers.tier_proposal_approve(tenant=request.tenant, actor=request.user, partner=partner)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s's tier was changed.") % {"name": partner.name})
    return back_to_tenant(request, "tiers:ladder")


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def tier_proposal_decline(request: HttpRequest, partner_id) -> HttpResponse:
    partner = access_partner(tenant=request.tenant, public_id=partner_id)
    try:
        tiers.tier_proposal_decline(
            tenant=request.tenant, actor=request.user, partner=partner, reason=request.POST.get("reason", "")
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The proposed change for %(name)s was declined.") % {"name": partner.name})
    return back_to_tenant(request, "tiers:ladder")


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def tier_override_clear(request: HttpRequest, partner_id) -> HttpResponse:
    partner = access_partner(tenant=request.tenant, public_id=partner_id)
    try:
        tiers.tier_override_clear(
            tenant=request.tenant, actor=request.user, partner=partner, reason=request.POST.get("reason", "")
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The override has ended; the next evaluation decides the tier."))
    return back_to_tenant(request, "partners:detail", partner_id=partner.public_id)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def tier_override(request: HttpRequest, partner_id) -> HttpResponse:
    partner = access_partner(tenant=request.tenant, public_id=partner_id)
    tier_id = request.POST.get("tier") or None
    tier = Tier.objects.filter(tenant=request.tenant, public_id=tier_id).first() if tier_id else None
    try:
        until = datetime.date.fromisoformat(request.POST.get("until", ""))
    except ValueError:
        messages.error(request, _("Enter the date the override ends (YYYY-MM-DD)."))
        return back_to_tenant(request, "partners:detail", partner_id=partner.public_id)
    try:
        if tier_id and tier is None:
            raise ApplicationError(_("Choose a tier of this program."), code="invalid_choice", field="tier")
        tiers.tier_override(
            tenant=request.tenant,
            actor=request.user,
            partner=partner,
            tier=tier,
            reason=request.POST.get("reason", ""),
            until=until,
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Tier set by hand until %(until)s.") % {"until": until.isoformat()})
    return back_to_tenant(request, "partners:detail", partner_id=partner.public_id)


@roles_required(*PARTNER_ROLES)
def my_tier(request: HttpRequest) -> HttpResponse:
    partner = request.membership.partner
    standing = tiers.tier_standing(tenant=request.tenant, partner=partner)
    ladder = tiers.Ladder.load(request.tenant).tiers
    # Content reserved to tiers is a benefit too: what the partner's tier opens, and what the next adds.
    reserved = content_tier_counts(tenant=request.tenant, partner_type=partner.partner_type)
    rank = standing.tier.rank if standing.tier else None
    context = {
        "standing": standing,
        "missing": [(TierMetric(m).label, minimum, current) for m, minimum, current in standing.missing],
        "ladder": ladder,
        "content_opened": sum(reserved.get(t.pk, 0) for t in ladder if rank is not None and t.rank <= rank),
        "content_next": reserved.get(standing.next_tier.pk, 0) if standing.next_tier else 0,
    }
    return render(request, "partners/my_tier.html", context)
