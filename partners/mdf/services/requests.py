"""Requests for funds (partners) and the decisions on them (staff), never overspending the budget."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, ConflictError, NotFoundError
from ecosystem.tenancy.models import Tenant
from ecosystem.webhooks import events as webhook_events
from partners.models import EngagementKind, PartnerOrganization
from partners.services import engagement_record

from ..models import (
    ActivityType,
    MdfBudget,
    MdfRequest,
    RequestStatus,
)
from .checks import (
    REQUESTING_STATUSES,
    Decision,
    _count,
    _date,
    _money,
    _text,
    budget_for_day,
    quarter_of,
)
from .emails import _link, _managers_on_commit, _partner_email
from .funds import _allocations_of, budget_committed, partner_funds

# --- requests --------------------------------------------------------------------------------------


def clean_request(values: dict[str, Any]) -> dict[str, Any]:
    """The request's fields, checked; the first problem raised with its field."""
    activity_type = values.get("activity_type")
    if activity_type not in ActivityType.values:
        raise ApplicationError(_("Choose the kind of activity."), code="invalid_choice", field="activity_type")
    title = " ".join(_text(values.get("title"), limit=150, field="title", required=_("Name the campaign.")).split())
    description = _text(values.get("description"), limit=4000, field="description")
    planned_spend = _money(values.get("planned_spend"), field="planned_spend")
    expected_leads = _count(values.get("expected_leads"), field="expected_leads")
    expected_pipeline = _money(values.get("expected_pipeline") or 0, field="expected_pipeline", allow_zero=True)
    start_date = _date(values.get("start_date"), field="start_date")
    end_date = _date(values.get("end_date"), field="end_date")
    if end_date < start_date:
        raise ApplicationError(_("The campaign must end on or after the day it starts."), code="dates_order", field="end_date")
    return {
        "activity_type": activity_type,
        "title": title,
        "description": description,
        "planned_spend": planned_spend,
        "expected_leads": expected_leads,
        "expected_pipeline": expected_pipeline,
        "start_date": start_date,
        "end_date": end_date,
    }


def request_submit(*, tenant: Tenant, actor: Any, partner_id: int, values: dict[str, Any]) -> MdfRequest:
    """A partner asks for funds for one campaign, from the budget of the quarter the campaign starts in.

    Refused, with the field named: bad input; no budget for that quarter (``no_budget``); a planned
    spend above the partner's remaining funds there (``exceeds_available_funds``). Nothing is held
    until a manager approves.
    """
    data = clean_request(values)
    partner = PartnerOrganization.objects.filter(tenant=tenant, pk=partner_id).first()
    if partner is None:
        raise NotFoundError()
    if partner.status not in REQUESTING_STATUSES:
        raise ApplicationError(_("Only active partners of the program can ask for funds."), code="partner_inactive")
    budget = budget_for_day(tenant=tenant, day=data["start_date"])
    if budget is None:
        year, quarter = quarter_of(data["start_date"])
        raise ApplicationError(
            _("The program has no MDF budget for Q%(q)s %(y)s yet.") % {"q": quarter, "y": year},
            code="no_budget",
            field="start_date",
        )
    funds = partner_funds(tenant=tenant, budget=budget, partner=partner)
    if data["planned_spend"] > funds.remaining:
        if funds.available == 0:
            message = _("Your organisation has no MDF allocation for %(period)s.") % {"period": budget.period}
        else:
            message = _("You have %(remaining)s %(currency)s available for %(period)s: ask for at most that.") % {
                "remaining": funds.remaining,
                "currency": budget.currency,
                "period": budget.period,
            }
        raise ApplicationError(message, code="exceeds_available_funds", field="planned_spend")
    with transaction.atomic():
        request = MdfRequest.objects.create(
            tenant=tenant,
            partner=partner,
            budget_id=budget.pk,
            currency=budget.currency,
            status=RequestStatus.SUBMITTED,
            submitted_by=person_of(actor),
            **data,
        )
        engagement_record(
            tenant=tenant,
            partner_id=partner.pk,
            kind=EngagementKind.MDF_REQUEST_SUBMITTED,
            user=person_of(actor),
            data={"request": str(request.public_id)},
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="mdf.request_submit",
            target=request,
            changes={"title": request.title, "planned_spend": str(request.planned_spend), "period": budget.period},
        )
        _managers_on_commit(
            tenant=tenant,
            subject=_("[%(program)s] New MDF request: %(title)s") % {"program": tenant.name, "title": request.title},
            body=_("%(partner)s asks for %(amount)s %(currency)s for %(title)s (%(period)s).\n\nDecide it here: %(link)s\n")
            % {
                "partner": partner.name,
                "amount": request.planned_spend,
                "currency": request.currency,
                "title": request.title,
                "period": budget.period,
                "link": _link(tenant, "/t/{slug}/mdf/requests/"),
            },
        )
    return request


def request_decide(
    *, tenant: Tenant, actor: Any, request: MdfRequest, decision: str, amount: Any = None, reason: str = ""
) -> MdfRequest:
    """Approve (the planned spend), partially approve (``amount`` below it) or reject (with a reason).

    Locks the budget row, then the request and the partner's allocation rows. Approves at most the
    smaller of the partner's remaining funds and the budget's remaining, counting every other
    funded request of the quarter: a second manager approving against the same last funds waits
    for the first's commit, then gets ``insufficient_funds`` (409). A request already decided:
    ``request_decided`` (409).
    """
    if decision not in Decision.ALL:
        raise ApplicationError(_("Approve, partially approve or reject."), code="invalid_choice", field="decision")
    reason = _text(reason, limit=1000, field="reason")
    if decision == Decision.REJECT and not reason:
        raise ApplicationError(_("Give the partner a reason."), code="required", field="reason")
    with transaction.atomic():
        budget = MdfBudget.objects.select_for_update().get(tenant=tenant, pk=request.budget_id)
        locked = MdfRequest.objects.select_for_update().select_related("partner").get(tenant=tenant, pk=request.pk)
        if locked.status != RequestStatus.SUBMITTED:
            raise ConflictError(
                _("This request was decided already: %(status)s.") % {"status": locked.get_status_display()},
                code="request_decided",
            )
        approved: Decimal | None = None
        if decision == Decision.APPROVE:
            approved = locked.planned_spend
        elif decision == Decision.PARTIAL:
            approved = _money(amount, field="amount")
            if approved >= locked.planned_spend:
                raise ApplicationError(
                    _("A partial approval is below the planned spend (%(spend)s).") % {"spend": locked.planned_spend},
                    code="not_partial",
                    field="amount",
                )
        if approved is not None:
            list(_allocations_of(tenant=tenant, budget=budget, partner=locked.partner).select_for_update())
            funds = partner_funds(tenant=tenant, budget=budget, partner=locked.partner, exclude_request_id=locked.pk)
            budget_left = max(budget.amount - budget_committed(tenant=tenant, budget=budget, exclude_request_id=locked.pk), 0)
            limit = min(funds.remaining, budget_left)
            if approved > limit:
                raise ConflictError(
                    _(
                        "Only %(limit)s %(currency)s can be approved now (partner's remaining funds: %(partner)s; "
                        "%(period)s budget left: %(budget)s). Approve partially or reject."
                    )
                    % {
                        "limit": limit,
                        "currency": budget.currency,
                        "partner": funds.remaining,
                        "period": budget.period,
                        "budget": budget_left,
                    },
                    code="insufficient_funds",
                    field="amount",
                )
        locked.status = {
            Decision.APPROVE: RequestStatus.APPROVED,
            Decision.PARTIAL: RequestStatus.PARTIALLY_APPROVED,
            Decision.REJECT: RequestStatus.REJECTED,
        }[decision]
        locked.approved_amount = approved
        locked.decision_reason = reason
        locked.decided_by = person_of(actor)
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "approved_amount", "decision_reason", "decided_by", "decided_at"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action=f"mdf.request_{decision}",
            target=locked,
            changes={
                "status": locked.status,
                "approved_amount": str(approved) if approved is not None else None,
                "reason": reason,
            },
        )
        if approved is not None:
            webhook_events.mdf_request(tenant=tenant, event_type="mdf.approved", request=locked)
        if approved is not None:
            body = _("Your MDF request %(title)s is %(status)s: %(amount)s %(currency)s.\n") % {
                "title": locked.title,
                "status": locked.get_status_display().lower(),
                "amount": approved,
                "currency": locked.currency,
            }
        else:
            body = _("Your MDF request %(title)s was rejected.\n") % {"title": locked.title}
        if reason:
            body += _("Reason: %(reason)s\n") % {"reason": reason}
        body += "\n" + _link(tenant, f"/p/{{slug}}/mdf/requests/{locked.public_id}/") + "\n"
        _partner_email(
            tenant=tenant,
            partner_id=locked.partner_id,
            subject=_("MDF request %(title)s: %(status)s") % {"title": locked.title, "status": locked.get_status_display()},
            body=body,
        )
    return locked
