"""A manager's decisions on a registration waiting for one: approve, reject, ask for information; the partner's answer."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.tenancy.models import Tenant
from ecosystem.webhooks import events as webhook_events

from .. import notifications
from ..models import OPEN_FOR_DECISION, DealRegistration, DecisionAction, RegistrationDecision, RegistrationStatus
from ..registrations import claims_release
from .steps import REASON_MAX, _approve, _clean_text, _decide, _lock, _require_status


def registration_approve(*, tenant: Tenant, actor: Any, registration: DealRegistration, reason: str = "") -> DealRegistration:
    """Approve a registration waiting for a decision (pending, under review, information requested).

    Locks the registration; holds its product lines on the account (an under-review one takes them
    now: if another active registration holds them, ``ConflictError`` ``claim_taken``, nothing
    changed); sets ``protected_until`` from the partner's tier or the program (rule
    ``manager_approval+<days rule>``). The partner's admins and the submitter are emailed after commit.
    """
    reason = _clean_text(reason, field="reason", required=False)
    with transaction.atomic():
        locked = _lock(tenant=tenant, registration=registration)
        _require_status(locked, OPEN_FOR_DECISION, _("Only a registration waiting for a decision can be approved."))
        decision = _approve(tenant=tenant, actor=actor, registration=locked, rule="manager_approval", reason=reason)
        webhook_events.registration(tenant=tenant, event_type="registration.approved", registration=locked)
        notifications.notify_registration_decided(tenant=tenant, registration=locked, decision=decision)
    return locked


def registration_reject(*, tenant: Tenant, actor: Any, registration: DealRegistration, reason: str) -> DealRegistration:
    """Reject a registration waiting for a decision, with a reason the partner reads (required).

    Its product lines are released. Rule ``manager_rejection`` (``conflict_lost`` when it was under
    review for a conflict: another registration or direct sales came first).
    """
    reason = _clean_text(reason, field="reason", required=True)
    with transaction.atomic():
        locked = _lock(tenant=tenant, registration=registration)
        _require_status(locked, OPEN_FOR_DECISION, _("Only a registration waiting for a decision can be rejected."))
        rule = "conflict_lost" if locked.conflicts.exists() else "manager_rejection"
        released = claims_release(registration=locked)
        locked.decided_at = timezone.now()
        decision = _decide(
            tenant=tenant,
            actor=actor,
            registration=locked,
            action=DecisionAction.REJECTED,
            rule=rule,
            reason=reason,
            to_status=RegistrationStatus.REJECTED,
            audit_action="deals.registration_reject",
            changes={"claims_released": released},
            update_fields=("decided_at",),
        )
        notifications.notify_registration_decided(tenant=tenant, registration=locked, decision=decision)
    return locked


def registration_request_info(*, tenant: Tenant, actor: Any, registration: DealRegistration, question: str) -> DealRegistration:
    """Ask the partner a question before deciding. Pending or under-review → information requested.

    The status it came from is kept on the decision row, so the answer puts it back there. Claims
    are untouched (a pending one keeps them; an under-review one still holds none).
    """
    question = _clean_text(question, field="question", required=True)
    with transaction.atomic():
        locked = _lock(tenant=tenant, registration=registration)
        _require_status(
            locked,
            (RegistrationStatus.PENDING, RegistrationStatus.UNDER_REVIEW),
            _("Ask for information only on a registration waiting for a decision."),
        )
        _decide(
            tenant=tenant,
            actor=actor,
            registration=locked,
            action=DecisionAction.INFO_REQUESTED,
            rule="manager_info_request",
            reason=question,
            to_status=RegistrationStatus.INFO_REQUESTED,
            audit_action="deals.registration_request_info",
        )
        notifications.notify_info_requested(tenant=tenant, registration=locked, question=question)
    return locked


def registration_provide_info(
    *, tenant: Tenant, actor: Any, partner_id: int, registration: DealRegistration, answer: str
) -> DealRegistration:
    """The partner answers the manager's question; the registration goes back to where it was."""
    answer = _clean_text(answer, field="answer", required=True, max_length=REASON_MAX)
    with transaction.atomic():
        locked = _lock(tenant=tenant, registration=registration, partner_id=partner_id)
        _require_status(locked, (RegistrationStatus.INFO_REQUESTED,), _("Nobody asked for information on this registration."))
        asked = (
            RegistrationDecision.objects.filter(registration=locked, action=DecisionAction.INFO_REQUESTED)
            .order_by("-decided_at", "-id")
            .values_list("from_status", flat=True)
            .first()
        )
        back_to = asked if asked in (RegistrationStatus.PENDING, RegistrationStatus.UNDER_REVIEW) else RegistrationStatus.PENDING
        _decide(
            tenant=tenant,
            actor=actor,
            registration=locked,
            action=DecisionAction.INFO_PROVIDED,
            rule="partner_answer",
            reason=answer,
            to_status=back_to,
            audit_action="deals.registration_provide_info",
        )
    return locked
