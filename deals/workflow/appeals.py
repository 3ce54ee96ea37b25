"""A partner appeals a rejection once; another manager than the one who decided hears it."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, Membership, User
from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, ConflictError, ForbiddenError, NotFoundError
from ecosystem.tenancy.context import across_partners
from ecosystem.tenancy.models import Tenant

from .. import notifications
from ..models import AppealStatus, DealRegistration, DecisionAction, RegistrationAppeal, RegistrationDecision, RegistrationStatus
from .steps import _approve, _clean_text, _decide, _lock, _require_status


def _deciding_manager_id(registration: DealRegistration) -> int | None:
    return (
        RegistrationDecision.objects.filter(registration=registration, action=DecisionAction.REJECTED)
        .order_by("-decided_at", "-id")
        .values_list("decided_by_id", flat=True)
        .first()
    )


def appeal_reviewer(*, tenant: Tenant, excluded_user_id: int | None) -> User | None:
    """The least-loaded owner or partner manager other than ``excluded_user_id`` (open appeals), or None.

    Ties go to the longest-standing member (lowest membership id), so the choice is stable.
    """
    with across_partners(reason="appeal: find the program's managers and their open appeals to pick a reviewer"):
        candidates = list(
            Membership.objects.filter(tenant=tenant, partner__isnull=True, role__in=PARTNER_EDITOR_ROLES, is_active=True)
            .exclude(user_id=excluded_user_id)
            .select_related("user")
            .order_by("id")
        )
        if not candidates:
            return None
        load = dict(
            RegistrationAppeal.objects.filter(
                tenant=tenant, status=AppealStatus.OPEN, assigned_to_id__in=[m.user_id for m in candidates]
            )
            .values("assigned_to_id")
            .annotate(n=Count("id"))
            .values_list("assigned_to_id", "n")
        )
    return min(candidates, key=lambda m: (load.get(m.user_id, 0), m.pk)).user


def appeal_submit(
    *, tenant: Tenant, actor: Any, partner_id: int, registration: DealRegistration, reason: str
) -> RegistrationAppeal:
    """The partner appeals the rejection of its registration, once, with a reason.

    Only a rejected registration (turned down, or lost a conflict) can be appealed. The appeal goes
    to the least-loaded owner or partner manager other than the one who rejected it; when the
    program has no other, ``ApplicationError`` ``no_other_reviewer`` and nothing is stored.
    """
    reason = _clean_text(reason, field="reason", required=True, max_length=2000)
    with transaction.atomic():
        locked = _lock(tenant=tenant, registration=registration, partner_id=partner_id)
        _require_status(locked, (RegistrationStatus.REJECTED,), _("Only a rejected registration can be appealed."))
        if RegistrationAppeal.objects.filter(registration=locked).exists():
            raise ConflictError(_("This registration was appealed already; a registration is appealed once."), code="appealed")
        excluded = _deciding_manager_id(locked)
        reviewer = appeal_reviewer(tenant=tenant, excluded_user_id=excluded)
        if reviewer is None:
            raise ApplicationError(
                _(
                    "There is no other manager in this program to hear an appeal: the manager who decided cannot "
                    "review it. Contact the program directly."
                ),
                code="no_other_reviewer",
            )
        try:
            with transaction.atomic():
                appeal = RegistrationAppeal.objects.create(
                    tenant=tenant,
                    registration=locked,
                    partner_id=locked.partner_id,
                    reason=reason,
                    submitted_by=person_of(actor),
                    assigned_to=reviewer,
                    excluded_reviewer_id=excluded,
                )
        except IntegrityError:
            raise ConflictError(
                _("This registration was appealed already; a registration is appealed once."), code="appealed"
            ) from None
        audit_record(
            tenant=tenant,
            actor=actor,
            action="deals.appeal_submit",
            target=appeal,
            changes={"registration": str(locked.public_id), "assigned_to": reviewer.pk, "excluded_reviewer": excluded},
        )
        notifications.notify_appeal_assigned(tenant=tenant, appeal=appeal)
    return appeal


def appeal_decide(*, tenant: Tenant, actor: Any, appeal: RegistrationAppeal, overturn: bool, reason: str) -> RegistrationAppeal:
    """The assigned reviewer (or an owner who did not make the first decision) decides an open appeal.

    Overturned: the registration is approved (rule ``appeal_overturned``; it takes its product lines,
    or ``ConflictError`` when another active registration holds them). Upheld: it stays rejected
    (rule ``appeal_upheld``). Either way the partner is told, with ``reason``.
    """
    reason = _clean_text(reason, field="reason", required=True)
    person = person_of(actor)
    with transaction.atomic():
        locked_appeal = RegistrationAppeal.objects.select_for_update(of=("self",)).filter(tenant=tenant, pk=appeal.pk).first()
        if locked_appeal is None:
            raise NotFoundError()
        if locked_appeal.status != AppealStatus.OPEN:
            raise ApplicationError(_("This appeal was decided already."), code="invalid_status")
        if person is None:
            raise ForbiddenError(_("An appeal is decided by a person, not an API key."), code="person_required")
        if person.pk == locked_appeal.excluded_reviewer_id:
            raise ForbiddenError(_("You made the decision under appeal; another manager reviews it."), code="own_decision")
        is_owner = Membership.objects.filter(tenant=tenant, user=person, role="owner", is_active=True).exists()
        if person.pk != locked_appeal.assigned_to_id and not is_owner:
            raise ForbiddenError(_("This appeal is assigned to another manager."), code="not_assigned")
        registration = _lock(tenant=tenant, registration=locked_appeal.registration)
        if overturn:
            _require_status(registration, (RegistrationStatus.REJECTED,), _("The registration is no longer rejected."))
            decision = _approve(tenant=tenant, actor=actor, registration=registration, rule="appeal_overturned", reason=reason)
        else:
            decision = _decide(
                tenant=tenant,
                actor=actor,
                registration=registration,
                action=DecisionAction.REJECTED,
                rule="appeal_upheld",
                reason=reason,
                audit_action="deals.registration_appeal_upheld",
            )
        locked_appeal.status = AppealStatus.OVERTURNED if overturn else AppealStatus.UPHELD
        locked_appeal.decided_by = person
        locked_appeal.decided_at = timezone.now()
        locked_appeal.decision_reason = reason
        locked_appeal.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="deals.appeal_decide",
            target=locked_appeal,
            changes={"status": locked_appeal.status, "registration": str(registration.public_id)},
        )
        notifications.notify_registration_decided(tenant=tenant, registration=registration, decision=decision)
    return locked_appeal
