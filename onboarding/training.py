"""Every write of training: quiz attempts, certifications, credential checks and renewal reminders.

Tenant first, actor explicit, keyword-only; each change in one transaction with its audit row;
email and tasks only after commit. Reads live in :mod:`onboarding.training_selectors`.

The rules, in one place:

* A quiz scores ``correct answers / questions`` (rounded down to a whole percent) and passes at
  the course's pass mark. Every answered submission is an attempt; a person has
  ``QUIZ_ATTEMPTS_PER_WINDOW`` attempts per ``QUIZ_ATTEMPT_WINDOW`` for one course, so the quiz
  cannot be brute-forced.
* Passing certifies: one *current* certification per person and course (a partial unique index
  is the last word). Passing while it is valid renews it (same number, later expiry); after it
  expired or was revoked, passing issues a new number.
* Passing completes the partner's open training step for the course and queues a registry check
  for its open certification step; the check completes that step when the credential verifies.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.models import Membership
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.jobs.tasks import enqueue_on_commit
from ecosystem.tenancy.models import Tenant
from partners.models import EngagementKind
from partners.services import engagement_record

from . import services
from .credentials import CredentialVerifier, VerificationResult, holder_names_match
from .models import (
    Certification,
    CheckStatus,
    Course,
    CourseCompletion,
    CredentialCheck,
    OnboardingStep,
    PlanStatus,
    QuizChoice,
    QuizQuestion,
    StepKind,
    StepStatus,
    VerifierKind,
)

QUIZ_ATTEMPTS_PER_WINDOW = 3
QUIZ_ATTEMPT_WINDOW = datetime.timedelta(hours=24)
RENEWAL_NOTICE_DAYS = 30
RENEWAL_REMIND_EVERY = datetime.timedelta(days=7)

# Crockford's base32: no I, L, O or U, so a number read aloud or typed from paper survives.
CREDENTIAL_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CREDENTIAL_GROUPS = 3  # 3 x 4 characters = 60 random bits after the program's prefix
CREDENTIAL_NUMBER_ATTEMPTS = 5


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus ``months`` calendar months; the 31st becomes the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def credential_number_new(*, tenant: Tenant) -> str:
    """A fresh, unguessable credential number such as ``ACME-7F3K-9Q2M-X4TR``."""
    prefix = re.sub(r"[^A-Z0-9]", "", tenant.slug.upper())[:6] or "CERT"
    groups = ("".join(secrets.choice(CREDENTIAL_ALPHABET) for _ in range(4)) for _ in range(CREDENTIAL_GROUPS))
    return "-".join([prefix, *groups])


def normalise_credential_number(value: str) -> str:
    """As people type it: any case, spaces around, spaces instead of hyphens."""
    return "-".join((value or "").upper().replace("-", " ").split())


# --- quiz --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuizResult:
    completion: CourseCompletion
    correct: int
    total: int
    score: int  # percent, rounded down
    passed: bool
    certification: Certification | None  # the current certification after a pass
    renewed: bool  # True when a pass renewed a valid certification instead of issuing one


def _score(*, course: Course, answers: Mapping[str, str]) -> tuple[int, int]:
    """(correct, total) for ``answers`` = {question public id: choice public id}. Every question must be answered."""
    questions = list(
        QuizQuestion.objects.filter(course=course)
        .order_by("position", "id")
        .prefetch_related(Prefetch("choices", queryset=QuizChoice.objects.order_by("position", "id")))
    )
    if not questions:
        raise ApplicationError(_("This course has no quiz yet."), code="no_quiz")
    missing = [q for q in questions if not answers.get(str(q.public_id))]
    if missing:
        raise ApplicationError(
            _("Answer every question (%(count)s left).") % {"count": len(missing)}, code="incomplete_answers", field="answers"
        )
    correct = 0
    for question in questions:
        chosen = next((c for c in question.choices.all() if str(c.public_id) == str(answers[str(question.public_id)])), None)
        if chosen is None:
            raise ApplicationError(_("Choose one of the answers given."), code="invalid_choice", field="answers")
        correct += chosen.is_correct
    return correct, len(questions)


def _lock_completion(*, tenant: Tenant, partner_id: int, user: Any, course: Course) -> CourseCompletion:
    """The person's record for the course, locked; created on the first attempt (the unique index decides races)."""
    completion = CourseCompletion.objects.select_for_update().filter(user=user, course=course).first()
    if completion is None:
        try:
            with transaction.atomic():
                CourseCompletion.objects.create(tenant=tenant, partner_id=partner_id, user=user, course=course)
        except IntegrityError:
            pass  # created by a concurrent first attempt: lock that one
        completion = CourseCompletion.objects.select_for_update().get(user=user, course=course)
    return completion


def _count_attempt(completion: CourseCompletion, *, now: datetime.datetime) -> None:
    window_open = completion.window_started_at is not None and now - completion.window_started_at < QUIZ_ATTEMPT_WINDOW
    if not window_open:
        completion.window_started_at, completion.window_attempts = now, 0
    if completion.window_attempts >= QUIZ_ATTEMPTS_PER_WINDOW:
        retry_at = completion.window_started_at + QUIZ_ATTEMPT_WINDOW
        raise ApplicationError(
            _("You have used your %(count)s attempts for now. Try again after %(time)s.")
            % {"count": QUIZ_ATTEMPTS_PER_WINDOW, "time": timezone.localtime(retry_at).strftime("%Y-%m-%d %H:%M")},
            code="too_many_attempts",
        )
    completion.window_attempts += 1


def quiz_submit(*, tenant: Tenant, actor: Any, partner_id: int, course: Course, answers: Mapping[str, str]) -> QuizResult:
    """Score one attempt at ``course``'s quiz by ``actor``, a user of partner ``partner_id``.

    An incomplete or invalid submission is refused before it counts as an attempt. Locks the
    person's completion record for the course (so two tabs submitting at once take turns), then
    the current certification. A pass certifies, records ``course_completed`` engagement and
    moves the partner's onboarding on (see the module docstring).
    """
    if not course.is_published:
        raise NotFoundError()
    correct, total = _score(course=course, answers=answers)
    score = correct * 100 // total
    passed = score >= course.pass_mark
    now = timezone.now()
    with transaction.atomic():
        completion = _lock_completion(tenant=tenant, partner_id=partner_id, user=actor, course=course)
        _count_attempt(completion, now=now)
        completion.partner_id = partner_id
        completion.attempts += 1
        completion.score = score
        completion.best_score = max(completion.best_score, score)
        completion.last_attempt_at = now
        if passed:
            completion.passed = True
            completion.completed_at = completion.completed_at or now
        completion.save()
        audit_record(
            tenant=tenant,
            actor=actor,
            action="training.quiz_attempt",
            target=completion,
            changes={"course": course.title, "score": score, "passed": passed, "attempt": completion.attempts},
        )
        certification, renewed = None, False
        if passed:
            certification, renewed = _certify(tenant=tenant, actor=actor, partner_id=partner_id, course=course, now=now)
            engagement_record(
                tenant=tenant,
                partner_id=partner_id,
                kind=EngagementKind.COURSE_COMPLETED,
                user=actor,
                data={"course": course.title, "score": score},
                at=now,
            )
            _course_steps_after_pass(
                tenant=tenant, actor=actor, partner_id=partner_id, course=course, certification=certification, score=score
            )
    return QuizResult(
        completion=completion,
        correct=correct,
        total=total,
        score=score,
        passed=passed,
        certification=certification,
        renewed=renewed,
    )


def _certify(
    *, tenant: Tenant, actor: Any, partner_id: int, course: Course, now: datetime.datetime
) -> tuple[Certification, bool]:
    """Renew the person's valid certification of ``course``, or issue a new one. Never two current ones."""
    today = timezone.localdate(now)
    expires_on = add_months(today, course.validity_months)
    current = Certification.objects.select_for_update().filter(user=actor, course=course, is_current=True).first()
    if current is not None and current.is_valid_on(today):
        previous = current.expires_on
        current.expires_on = max(current.expires_on, expires_on)
        current.renewed_at = now
        current.last_reminded_at = None  # the next expiry gets its own reminders
        current.save(update_fields=["expires_on", "renewed_at", "last_reminded_at"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="training.certification_renew",
            target=current,
            changes={"expires_on": [previous.isoformat(), current.expires_on.isoformat()]},
        )
        return current, True
    if current is not None:
        current.is_current = False
        current.save(update_fields=["is_current"])
    for _attempt in range(CREDENTIAL_NUMBER_ATTEMPTS):
        try:
            with transaction.atomic():
                certification = Certification.objects.create(
                    tenant=tenant,
                    partner_id=partner_id,
                    user=actor,
                    course=course,
                    credential_number=credential_number_new(tenant=tenant),
                    issued_at=now,
                    expires_on=expires_on,
                )
            break
        except IntegrityError:
            continue  # a number already taken (1 in 2^60), or a concurrent pass: try again, the index decides
    else:
        raise ApplicationError(_("The certification could not be issued. Please try again."), code="certification_conflict")
    audit_record(
        tenant=tenant,
        actor=actor,
        action="training.certification_issue",
        target=certification,
        changes={"course": course.title, "expires_on": expires_on.isoformat(), "replaces": str(current) if current else None},
    )
    return certification, False


def _open_course_steps(*, partner_id: int, course: Course, kind: str):
    return OnboardingStep.objects.filter(
        partner_id=partner_id, course=course, kind=kind, plan__status=PlanStatus.IN_PROGRESS
    ).exclude(status=StepStatus.DONE)


def _course_steps_after_pass(
    *, tenant: Tenant, actor: Any, partner_id: int, course: Course, certification: Certification, score: int
) -> None:
    """Complete the partner's open training steps of ``course``; queue a check for its certification steps.

    A step still waiting for the steps it depends on stays open: the partner finishes it later
    from the step's page (:func:`course_step_check`).
    """
    from .training_tasks import certification_step_verify_task

    for step in _open_course_steps(partner_id=partner_id, course=course, kind=StepKind.TRAINING):
        try:
            services.step_complete_by_evidence(
                tenant=tenant, actor=actor, step=step, result=_training_result(course=course, user=actor, score=score)
            )
        except ApplicationError:
            continue
    for step in _open_course_steps(partner_id=partner_id, course=course, kind=StepKind.CERTIFICATION):
        enqueue_on_commit(certification_step_verify_task, tenant.pk, step.pk, certification.pk)


def _training_result(*, course: Course, user: Any, score: int | None) -> dict:
    return {"course": course.title, "passed_by": user.get_full_name(), "score": score}


def course_step_check(*, tenant: Tenant, actor: Any, step: OnboardingStep) -> str:
    """The partner asks to finish a course step whose course was passed before (or before the step was unblocked).

    Training step: done at once when any person of the partner has passed the course. Certification
    step: a registry check of a valid certification of the partner is queued. Returns ``"done"`` or
    ``"checking"``; raises ``course_not_passed`` when there is nothing to go on.
    """
    if step.kind not in (StepKind.TRAINING, StepKind.CERTIFICATION) or step.course_id is None:
        raise ApplicationError(_("This step has no course."), code="wrong_step_kind")
    from .training_tasks import certification_step_verify_task

    if step.kind == StepKind.TRAINING:
        completion = (
            CourseCompletion.objects.filter(partner_id=step.partner_id, course_id=step.course_id, passed=True)
            .select_related("user", "course")
            .order_by("completed_at")
            .first()
        )
        if completion is None:
            raise ApplicationError(_("Nobody in your organisation has passed this course yet."), code="course_not_passed")
        services.step_complete_by_evidence(
            tenant=tenant,
            actor=actor,
            step=step,
            result=_training_result(course=completion.course, user=completion.user, score=completion.best_score),
        )
        return "done"
    today = timezone.localdate()
    certification = (
        Certification.objects.filter(
            partner_id=step.partner_id, course_id=step.course_id, is_current=True, revoked_at__isnull=True, expires_on__gte=today
        )
        .order_by("-expires_on")
        .first()
    )
    if certification is None:
        raise ApplicationError(_("Nobody in your organisation holds this certification yet."), code="course_not_passed")
    with transaction.atomic():
        services._lock_step_for_partner(step)  # the same refusals as ticking off: closed plan, done, blocked
        audit_record(
            tenant=tenant,
            actor=actor,
            action="training.certification_check_request",
            target=step,
            changes={"credential_number": certification.credential_number},
        )
        enqueue_on_commit(certification_step_verify_task, tenant.pk, step.pk, certification.pk)
    return "checking"


def certification_revoke(*, tenant: Tenant, actor: Any, certification: Certification, reason: str) -> Certification:
    """Withdraw a certification (issued in error, misconduct). The number then verifies as a mismatch."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give a reason for the record."), code="required", field="reason")
    with transaction.atomic():
        locked = Certification.objects.select_for_update().get(pk=certification.pk)
        if locked.revoked_at is not None:
            raise ApplicationError(_("This certification is already revoked."), code="already_revoked")
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor if getattr(actor, "pk", None) else None
        locked.revoked_reason = reason[:500]
        locked.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
        audit_record(
            tenant=tenant, actor=actor, action="training.certification_revoke", target=locked, changes={"reason": reason[:500]}
        )
    return locked


# --- credential verification -------------------------------------------------------------------


class RegistryCredentialVerifier:
    """Checks a credential against the tenant's own certification registry (the Certification table).

    ``verified`` when the number exists, is neither revoked nor expired, and names the holder
    (compared as :func:`~onboarding.credentials.holder_names_match` does); ``mismatch`` when the
    number exists but one of those fails; ``not_found`` otherwise. The evidence says which, and
    never repeats the registered holder's name, so a check cannot be used to look people up.

    Reads through the tenant's row-level security: inside a partner user's scope only that
    partner's certifications exist; the certification-step task runs with the tenant's scope.
    """

    kind = VerifierKind.REGISTRY

    def __init__(self, *, tenant: Tenant) -> None:
        self.tenant = tenant

    def verify(self, *, credential_number: str, holder_name: str, holder_email: str, issuer: str) -> VerificationResult:
        number = normalise_credential_number(credential_number)
        today = timezone.localdate()
        evidence: dict[str, Any] = {
            "verifier": VerifierKind.REGISTRY.value,
            "registry": self.tenant.slug,
            "credential_number": number,
            "issuer": issuer,
            "checked_at": timezone.now().isoformat(),
        }
        certification = (
            Certification.objects.filter(tenant=self.tenant, credential_number=number).select_related("user", "course").first()
            if number
            else None
        )
        if certification is None:
            return VerificationResult("not_found", evidence)
        holder = certification.user
        evidence.update(
            certification=str(certification.public_id),
            course=certification.course.title,
            issued_on=timezone.localdate(certification.issued_at).isoformat(),
            expires_on=certification.expires_on.isoformat(),
            revoked=certification.revoked_at is not None,
            expired=certification.expires_on < today,
            holder_matches=bool(holder.full_name) and holder_names_match(holder_name, holder.full_name),
            email_matches=bool(holder_email) and holder_email.strip().casefold() == holder.email.casefold(),
        )
        if evidence["revoked"] or evidence["expired"] or not evidence["holder_matches"]:
            return VerificationResult("mismatch", evidence)
        return VerificationResult("verified", evidence)


def credential_check_run(
    *,
    tenant: Tenant,
    partner_id: int,
    credential_number: str,
    holder_name: str,
    holder_email: str,
    issuer: str,
    kind: str,
    verifier: CredentialVerifier | None = None,
    step: OnboardingStep | None = None,
    certification: Certification | None = None,
    actor: Any = None,
    pending: CredentialCheck | None = None,
) -> CredentialCheck:
    """Ask the verifier of ``kind`` about one credential and record the answer with its evidence.

    With ``pending`` (a check recorded as ``pending`` when the partner asked), that check gets the
    answer instead of a new one being created; a check answered meanwhile is returned unchanged.

    ``registry`` uses :class:`RegistryCredentialVerifier` unless one is given; ``http`` needs the
    caller to pass the issuer's configured :class:`~onboarding.credentials.HttpCredentialVerifier`
    and, without one, records an ``error`` ("not configured") rather than asking anyone.
    The verifier runs before the transaction opens: an issuer's slow answer holds no lock.
    """
    if kind not in VerifierKind.values:
        raise ApplicationError(_("Choose how to verify the credential."), code="invalid_choice", field="kind")
    if verifier is None and kind == VerifierKind.REGISTRY:
        verifier = RegistryCredentialVerifier(tenant=tenant)
    if verifier is None:
        result = VerificationResult(
            "error",
            {"verifier": kind, "error_code": "not_configured", "error": "No verification service is configured for this issuer."},
        )
    else:
        result = verifier.verify(
            credential_number=credential_number, holder_name=holder_name, holder_email=holder_email, issuer=issuer
        )
    with transaction.atomic():
        if pending is not None:
            check = CredentialCheck.objects.select_for_update().get(pk=pending.pk)
            if check.status != CheckStatus.PENDING:
                return check  # answered by an earlier run of the same task
            check.status, check.evidence = result.status, result.evidence
            check.save(update_fields=["status", "evidence"])
            audit_record(
                tenant=tenant,
                actor=actor,
                action="training.credential_check",
                target=check,
                changes={"kind": kind, "status": result.status, "credential_number": check.credential_number},
            )
            return check
        check = CredentialCheck.objects.create(
            tenant=tenant,
            partner_id=partner_id,
            step=step,
            certification=certification,
            kind=kind,
            credential_number=credential_number[:100],
            holder_name=holder_name[:150],
            issuer=issuer[:200],
            status=result.status,
            evidence=result.evidence,
            requested_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="training.credential_check",
            target=check,
            changes={"kind": kind, "status": result.status, "credential_number": check.credential_number},
        )
    return check


def certification_step_verify(*, tenant: Tenant, step_id: int, certification_id: int) -> CredentialCheck | None:
    """Check ``certification`` in the registry for the partner's certification step; finish the step when verified.

    Safe to run twice: a step that is already done (or gone, or not a certification step of that
    partner and course) is left alone and nothing is recorded. A verified check on a step that
    still waits for other steps is recorded; the step stays open until those are done.
    """
    step = OnboardingStep.objects.select_related("plan", "course").filter(pk=step_id).first()
    if step is None or step.kind != StepKind.CERTIFICATION or step.status == StepStatus.DONE:
        return None
    if step.plan.status != PlanStatus.IN_PROGRESS:
        return None
    certification = (
        Certification.objects.select_related("user", "course").filter(pk=certification_id, partner_id=step.partner_id).first()
    )
    if certification is None or (step.course_id is not None and certification.course_id != step.course_id):
        return None
    holder = certification.user
    check = credential_check_run(
        tenant=tenant,
        partner_id=step.partner_id,
        credential_number=certification.credential_number,
        holder_name=holder.get_full_name(),
        holder_email=holder.email,
        issuer=tenant.name,
        kind=VerifierKind.REGISTRY,
        step=step,
        certification=certification,
    )
    if check.status == CheckStatus.VERIFIED:
        # Blocked by an earlier step, or finished meanwhile: the check stays on record either way.
        with contextlib.suppress(ApplicationError):
            services.step_complete_by_evidence(
                tenant=tenant,
                actor=None,
                step=step,
                result={
                    "credential_number": certification.credential_number,
                    "holder": holder.get_full_name(),
                    "course": certification.course.title,
                    "expires_on": certification.expires_on.isoformat(),
                    "check": str(check.public_id),
                },
            )
    return check


# --- renewal reminders -------------------------------------------------------------------------


def certification_renewal_reminders_send(*, tenant: Tenant) -> int:
    """Email each holder whose certification expires within 30 days, at most once a week per certification.

    Two queries and one update whatever the number of certifications; only current, unrevoked
    certifications of people still active in the program. Returns the number of emails. Running it
    twice sends nothing the second time.
    """
    now = timezone.now()
    today = timezone.localdate(now)
    active_people = Membership.objects.filter(is_active=True).values("user_id")
    due = list(
        Certification.objects.filter(
            is_current=True,
            revoked_at__isnull=True,
            expires_on__gte=today,
            expires_on__lte=today + datetime.timedelta(days=RENEWAL_NOTICE_DAYS),
            user_id__in=active_people,
        )
        .exclude(last_reminded_at__gt=now - RENEWAL_REMIND_EVERY)
        .select_related("user", "course")
        .order_by("expires_on", "id")
    )
    if not due:
        return 0
    with transaction.atomic():
        Certification.objects.filter(pk__in=[c.pk for c in due]).update(last_reminded_at=now)
        for certification in due:
            context = {
                "tenant": tenant,
                "certification": certification,
                "days_left": (certification.expires_on - today).days,
                "site_url": settings.SITE_URL.rstrip("/"),
            }
            transaction.on_commit(
                lambda context=context, email=certification.user.email: send_mail(
                    subject=_("%(program)s: your certification expires soon") % {"program": tenant.name},
                    message=render_to_string("onboarding/email/certification_renewal.txt", context),
                    from_email=None,
                    recipient_list=[email],
                )
            )
    return len(due)
