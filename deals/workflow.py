"""After submission: a registration's decisions, stages, appeals, extensions, expiry and release.

Every service here follows one shape (the contract other parts of the deals app call):

* keyword-only, ``tenant`` first, the ``actor`` explicit (a user or an API key);
* one transaction that locks the registration row first (``select_for_update``), so two managers
  deciding at once take turns and the second sees the first's outcome;
* one :class:`~deals.models.RegistrationDecision` row citing the rule that made the decision (a
  stable code such as ``manager_approval``, ``protection_expired``, ``appeal_overturned``) and a
  reason the partner may read (never naming another partner), and one audit row;
* claims kept right: a registration that stops being active gives up its product lines
  (:func:`~deals.registrations.claims_release`); one that becomes approved holds them, and if
  another registration holds them already the approval fails with a :class:`ConflictError` that
  names nobody;
* emails only after commit (:mod:`deals.notifications`).

Services a partner calls take ``partner_id`` and answer 404 for a registration of another
organisation, exactly as for one that does not exist.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
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
from partners.models import PartnerOrganization

from . import notifications
from .models import (
    OPEN_FOR_DECISION,
    OPEN_STAGES,
    AppealStatus,
    DealRegistration,
    DealStage,
    DecisionAction,
    ExtensionStatus,
    RegistrationAppeal,
    RegistrationClaim,
    RegistrationDecision,
    RegistrationExtension,
    RegistrationStatus,
)
from .registrations import _claim, claims_release, engagement_rules, protection_days_for

REASON_MAX = 1000
# Registrations a retiring partner gives up: waiting for a decision, or approved and protected.
RELEASABLE = (*OPEN_FOR_DECISION, RegistrationStatus.APPROVED)


# --- shared steps ----------------------------------------------------------------------------------


def _clean_text(value: str | None, *, field: str, required: bool, max_length: int = REASON_MAX) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ApplicationError(_("Give a reason the partner can read."), code="required", field=field)
    if len(text) > max_length:
        raise ApplicationError(_("Use at most %(n)s characters.") % {"n": max_length}, code="max_length", field=field)
    return text


def _lock(*, tenant: Tenant, registration: DealRegistration, partner_id: int | None = None) -> DealRegistration:
    """The registration's row, locked for this transaction. A partner gets 404 for another organisation's."""
    queryset = DealRegistration.objects.select_for_update(of=("self",)).select_related("partner__tier", "submitted_by")
    locked = queryset.filter(tenant=tenant, pk=registration.pk).first()
    if locked is None or (partner_id is not None and locked.partner_id != partner_id):
        raise NotFoundError()
    return locked


def _require_status(registration: DealRegistration, allowed: tuple[str, ...], message: str) -> None:
    if registration.status not in allowed:
        raise ApplicationError(message, code="invalid_status")


def _decide(
    *,
    tenant: Tenant,
    actor: Any,
    registration: DealRegistration,
    action: str,
    rule: str,
    reason: str = "",
    to_status: str | None = None,
    audit_action: str,
    changes: dict | None = None,
    update_fields: tuple[str, ...] = (),
) -> RegistrationDecision:
    """Move ``registration`` to ``to_status`` (if given), save, and write its decision and audit rows."""
    from_status = registration.status
    fields = set(update_fields)
    if to_status is not None and to_status != from_status:
        registration.status = to_status
        fields.add("status")
    if fields:
        registration.save(update_fields=[*sorted(fields), "updated_at"])
    decision = RegistrationDecision.objects.create(
        tenant=tenant,
        registration=registration,
        partner_id=registration.partner_id,
        action=action,
        rule=rule,
        reason=reason[:REASON_MAX],
        from_status=from_status,
        to_status=registration.status,
        decided_by=person_of(actor),
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        action=audit_action,
        target=registration,
        changes={"from": from_status, "to": registration.status, "rule": rule, **(changes or {})},
    )
    return decision


def _hold_claims(registration: DealRegistration) -> None:
    """Make sure the registration holds its product lines; ConflictError (naming nobody) when taken."""
    if RegistrationClaim.objects.filter(registration=registration, is_active=True).exists():
        return
    if not _claim(registration):
        raise ConflictError(
            _(
                "Another active registration holds this customer and product line. Reject or close that one "
                "first, or wait until its protection ends."
            ),
            code="claim_taken",
        )


def _approve(*, tenant: Tenant, actor: Any, registration: DealRegistration, rule: str, reason: str) -> RegistrationDecision:
    """Approve a locked registration: claims held, protection set from the partner's tier or the program."""
    _hold_claims(registration)
    days, days_rule = protection_days_for(partner=registration.partner, rules=engagement_rules(tenant=tenant))
    registration.protected_until = timezone.localdate() + datetime.timedelta(days=days)
    registration.decided_at = timezone.now()
    registration.expiry_reminded_at = None
    return _decide(
        tenant=tenant,
        actor=actor,
        registration=registration,
        action=DecisionAction.APPROVED,
        rule=f"{rule}+{days_rule}",
        reason=reason or _("Approved: protected for %(days)s days.") % {"days": days},
        to_status=RegistrationStatus.APPROVED,
        audit_action="deals.registration_approve",
        changes={"protected_until": registration.protected_until.isoformat()},
        update_fields=("protected_until", "decided_at", "expiry_reminded_at"),
    )


# --- manager decisions -----------------------------------------------------------------------------


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


# --- stages and closing ----------------------------------------------------------------------------


def _clean_amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ApplicationError(_("Enter the closed amount as a number."), code="invalid_number", field="closed_amount") from None
    if not amount.is_finite() or amount < 0 or amount > Decimal("999999999999.99"):
        raise ApplicationError(_("Enter an amount between 0 and 999,999,999,999."), code="out_of_range", field="closed_amount")
    return amount.quantize(Decimal("0.01"))


def _clean_closed_on(value: Any) -> datetime.date:
    if isinstance(value, datetime.date):
        day = value
    else:
        try:
            day = datetime.date.fromisoformat(str(value or "").strip())
        except ValueError:
            raise ApplicationError(_("Enter the close date as YYYY-MM-DD."), code="invalid_date", field="closed_on") from None
    if day > timezone.localdate():
        raise ApplicationError(_("The close date cannot be in the future."), code="date_in_future", field="closed_on")
    return day


def registration_update_stage(
    *,
    tenant: Tenant,
    actor: Any,
    registration: DealRegistration,
    stage: str,
    closed_amount: Any = None,
    closed_on: Any = None,
) -> DealRegistration:
    """Move an active registration to another open stage, or close it won or lost.

    ``closed_won`` needs the amount and the date (status won); ``closed_lost`` the date (amount
    optional, status lost). Closing releases the product lines. Rules: ``stage_update``,
    ``closed_won``, ``closed_lost``.
    """
    if stage not in DealStage.values:
        raise ApplicationError(_("Choose a stage from the list."), code="invalid_choice", field="stage")
    amount = day = None
    if stage == DealStage.CLOSED_WON:
        if closed_amount in (None, ""):
            raise ApplicationError(_("Enter the amount the deal closed for."), code="required", field="closed_amount")
        amount = _clean_amount(closed_amount)
        day = _clean_closed_on(closed_on)
    elif stage == DealStage.CLOSED_LOST:
        amount = _clean_amount(closed_amount) if closed_amount not in (None, "") else None
        day = _clean_closed_on(closed_on)
    with transaction.atomic():
        locked = _lock(tenant=tenant, registration=registration)
        _require_status(
            locked,
            (RegistrationStatus.PENDING, RegistrationStatus.INFO_REQUESTED, RegistrationStatus.APPROVED),
            _("Only an active registration changes stage."),
        )
        from_stage = locked.stage
        if stage in OPEN_STAGES:
            if stage == from_stage:
                raise ApplicationError(_("The deal is at this stage already."), code="unchanged", field="stage")
            locked.stage = stage
            _decide(
                tenant=tenant,
                actor=actor,
                registration=locked,
                action=DecisionAction.STAGE,
                rule="stage_update",
                reason=_("Stage: %(from)s → %(to)s") % {"from": from_stage, "to": stage},
                audit_action="deals.registration_stage",
                changes={"stage": [from_stage, stage]},
                update_fields=("stage",),
            )
            return locked
        won = stage == DealStage.CLOSED_WON
        released = claims_release(registration=locked)
        locked.stage, locked.closed_amount, locked.closed_on = stage, amount, day
        decision = _decide(
            tenant=tenant,
            actor=actor,
            registration=locked,
            action=DecisionAction.WON if won else DecisionAction.LOST,
            rule="closed_won" if won else "closed_lost",
            reason=_("Closed %(how)s on %(day)s.") % {"how": _("won") if won else _("lost"), "day": day.isoformat()},
            to_status=RegistrationStatus.WON if won else RegistrationStatus.LOST,
            audit_action="deals.registration_close",
            changes={
                "stage": [from_stage, stage],
                "closed_amount": str(amount) if amount is not None else None,
                "closed_on": day.isoformat(),
                "claims_released": released,
            },
            update_fields=("stage", "closed_amount", "closed_on"),
        )
        notifications.notify_registration_decided(tenant=tenant, registration=locked, decision=decision)
    return locked


def registration_withdraw(*, tenant: Tenant, actor: Any, partner_id: int, registration: DealRegistration) -> DealRegistration:
    """The partner takes back its own registration (waiting or approved). Its product lines are released."""
    with transaction.atomic():
        locked = _lock(tenant=tenant, registration=registration, partner_id=partner_id)
        _require_status(locked, RELEASABLE, _("This registration has ended already."))
        released = claims_release(registration=locked)
        RegistrationExtension.objects.filter(registration=locked, status=ExtensionStatus.REQUESTED).update(
            status=ExtensionStatus.DECLINED, decided_at=timezone.now(), decision_reason=_("Registration withdrawn.")
        )
        _decide(
            tenant=tenant,
            actor=actor,
            registration=locked,
            action=DecisionAction.WITHDRAWN,
            rule="partner_withdrawal",
            reason=_("Withdrawn by the partner."),
            to_status=RegistrationStatus.WITHDRAWN,
            audit_action="deals.registration_withdraw",
            changes={"claims_released": released},
        )
    return locked


# --- appeals ---------------------------------------------------------------------------------------


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


# --- extensions ------------------------------------------------------------------------------------


def extension_request(
    *, tenant: Tenant, actor: Any, partner_id: int, registration: DealRegistration, reason: str
) -> RegistrationExtension:
    """The partner asks for more protection on its approved registration; one request waits at a time."""
    reason = _clean_text(reason, field="reason", required=True, max_length=2000)
    with transaction.atomic():
        locked = _lock(tenant=tenant, registration=registration, partner_id=partner_id)
        _require_status(locked, (RegistrationStatus.APPROVED,), _("Only an approved registration can be extended."))
        try:
            with transaction.atomic():
                extension = RegistrationExtension.objects.create(
                    tenant=tenant, registration=locked, partner_id=locked.partner_id, reason=reason, requested_by=person_of(actor)
                )
        except IntegrityError:
            raise ConflictError(_("An extension request is already waiting for an answer."), code="extension_open") from None
        audit_record(
            tenant=tenant,
            actor=actor,
            action="deals.extension_request",
            target=extension,
            changes={"registration": str(locked.public_id)},
        )
        notifications.notify_extension_requested(tenant=tenant, extension=extension)
    return extension


def extension_decide(
    *, tenant: Tenant, actor: Any, extension: RegistrationExtension, grant: bool, reason: str = ""
) -> RegistrationExtension:
    """Grant (protection + ``extension_days`` of the rules, rule ``extension_granted``) or decline a request.

    Declining needs a reason the partner reads. A granted extension re-arms the expiry reminder.
    """
    reason = _clean_text(reason, field="reason", required=not grant)
    with transaction.atomic():
        locked_ext = RegistrationExtension.objects.select_for_update(of=("self",)).filter(tenant=tenant, pk=extension.pk).first()
        if locked_ext is None:
            raise NotFoundError()
        if locked_ext.status != ExtensionStatus.REQUESTED:
            raise ApplicationError(_("This request was answered already."), code="invalid_status")
        registration = _lock(tenant=tenant, registration=locked_ext.registration)
        locked_ext.decided_by = person_of(actor)
        locked_ext.decided_at = timezone.now()
        locked_ext.decision_reason = reason
        if grant:
            _require_status(registration, (RegistrationStatus.APPROVED,), _("The registration is no longer approved."))
            days = engagement_rules(tenant=tenant).extension_days
            before = registration.protected_until or timezone.localdate()
            registration.protected_until = max(before, timezone.localdate()) + datetime.timedelta(days=days)
            registration.expiry_reminded_at = None
            locked_ext.status, locked_ext.days = ExtensionStatus.GRANTED, days
            decision = _decide(
                tenant=tenant,
                actor=actor,
                registration=registration,
                action=DecisionAction.EXTENDED,
                rule="extension_granted",
                reason=reason or _("Protection extended by %(days)s days.") % {"days": days},
                audit_action="deals.extension_grant",
                changes={"protected_until": [before.isoformat(), registration.protected_until.isoformat()]},
                update_fields=("protected_until", "expiry_reminded_at"),
            )
            locked_ext.save(update_fields=["status", "days", "decided_by", "decided_at", "decision_reason"])
            notifications.notify_registration_decided(tenant=tenant, registration=registration, decision=decision)
        else:
            locked_ext.status = ExtensionStatus.DECLINED
            locked_ext.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
            audit_record(
                tenant=tenant,
                actor=actor,
                action="deals.extension_decline",
                target=locked_ext,
                changes={"rule": "extension_declined", "registration": str(registration.public_id), "reason": reason},
            )
            decision = RegistrationDecision(
                tenant=tenant,
                registration=registration,
                partner_id=registration.partner_id,
                action=DecisionAction.EXTENDED,
                rule="extension_declined",
                reason=reason,
            )
            notifications.notify_registration_decided(tenant=tenant, registration=registration, decision=decision)
    return locked_ext


# --- the daily sweep -------------------------------------------------------------------------------


def protection_expiry_sweep(*, tenant: Tenant, today: datetime.date | None = None) -> dict[str, int]:
    """Expire approvals whose protection ended before ``today``; remind those ending within the rules' days.

    Expired (rule ``protection_expired``): status expired, product lines released, the partner told.
    Reminded: once per protection period (``expiry_reminded_at``; a granted extension re-arms it).
    Safe to run twice a day: the second run finds nothing to do. Returns the counts.
    """
    today = today or timezone.localdate()
    rules = engagement_rules(tenant=tenant)
    expired = reminded = 0
    with transaction.atomic():
        lapsed = list(
            DealRegistration.objects.select_for_update(of=("self",))
            .filter(tenant=tenant, status=RegistrationStatus.APPROVED, protected_until__lt=today)
            .select_related("submitted_by")
            .order_by("id")
        )
        for registration in lapsed:
            claims_release(registration=registration)
            _decide(
                tenant=tenant,
                actor=None,
                registration=registration,
                action=DecisionAction.EXPIRED,
                rule="protection_expired",
                reason=_("The protection period ended on %(day)s.") % {"day": registration.protected_until.isoformat()},
                to_status=RegistrationStatus.EXPIRED,
                audit_action="deals.registration_expire",
            )
            notifications.notify_expired(tenant=tenant, registration=registration)
            expired += 1
        due = list(
            DealRegistration.objects.select_for_update(of=("self",))
            .filter(
                tenant=tenant,
                status=RegistrationStatus.APPROVED,
                protected_until__gte=today,
                protected_until__lte=today + datetime.timedelta(days=rules.expiry_reminder_days),
                expiry_reminded_at__isnull=True,
            )
            .select_related("submitted_by")
            .order_by("id")
        )
        now = timezone.now()
        for registration in due:
            registration.expiry_reminded_at = now
            notifications.notify_expiry_warning(tenant=tenant, registration=registration)
            reminded += 1
        DealRegistration.objects.filter(pk__in=[r.pk for r in due]).update(expiry_reminded_at=now)
    return {"expired": expired, "reminded": reminded}


# --- offboarding -----------------------------------------------------------------------------------


def registration_release_for_retired_partner(*, tenant: Tenant, actor: Any, partner: PartnerOrganization) -> int:
    """A retiring partner gives up its open registrations (waiting or approved): withdrawn, rule ``partner_retired``.

    Called from the offboarding hook inside ``partner_retire``'s transaction. Product lines are
    released so other partners may register the customers; open extension requests are declined.
    Won, lost, rejected and expired registrations stay with the partner for reporting. Nobody is
    emailed: the partner's users have just lost access. Returns how many were released.
    """
    with transaction.atomic():
        open_registrations = list(
            DealRegistration.objects.select_for_update(of=("self",))
            .filter(tenant=tenant, partner=partner, status__in=RELEASABLE)
            .order_by("id")
        )
        RegistrationExtension.objects.filter(
            tenant=tenant, registration__in=open_registrations, status=ExtensionStatus.REQUESTED
        ).update(status=ExtensionStatus.DECLINED, decided_at=timezone.now(), decision_reason=_("The partner retired."))
        for registration in open_registrations:
            claims_release(registration=registration)
            _decide(
                tenant=tenant,
                actor=actor,
                registration=registration,
                action=DecisionAction.RELEASED,
                rule="partner_retired",
                reason=_("Released: the partner left the program."),
                to_status=RegistrationStatus.WITHDRAWN,
                audit_action="deals.registration_release",
            )
    return len(open_registrations)
