"""Ongoing assurance: renewable steps (security reviews) expire, reopen and close the gate again."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.models import Role
from ecosystem.audit.services import audit_record
from ecosystem.tenancy.models import Tenant
from onboarding.models import OnboardingPlan, OnboardingStep, PlanStatus, StepKind, StepStatus

RENEWAL_NOTICE_DAYS = 30


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the last day of the month when that day does not exist)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise ValueError(day)


def is_renewal_open(step: OnboardingStep) -> bool:
    return bool(
        step.status == StepStatus.DONE
        and step.expires_on
        and step.expires_on <= timezone.localdate() + timedelta(days=RENEWAL_NOTICE_DAYS)
    )


def assurance_lapse_and_remind(*, tenant: Tenant, today: date | None = None) -> dict[str, int]:
    """Reopen renewable steps (security reviews, attestations) that lapsed, which closes the gate
    again, and remind partner admins 30 days before a lapse (at most weekly). Constant queries.
    """
    from ecosystem.accounts.models import Membership

    today = today or timezone.localdate()
    now = timezone.now()
    lapsed = list(
        OnboardingStep.objects.filter(
            tenant=tenant, status=StepStatus.DONE, expires_on__lt=today, kind=StepKind.SECURITY_REVIEW
        ).select_related("plan", "partner")
    )
    due = list(
        OnboardingStep.objects.filter(
            tenant=tenant,
            status=StepStatus.DONE,
            expires_on__gte=today,
            expires_on__lte=today + timedelta(days=RENEWAL_NOTICE_DAYS),
        )
        .exclude(last_reminded_at__gt=now - timedelta(days=7))
        .select_related("partner")
    )
    partner_ids = {step.partner_id for step in lapsed + due}
    admins: dict[int, list[str]] = {}
    for partner_id, email in Membership.objects.filter(
        tenant=tenant, partner_id__in=partner_ids, role=Role.PARTNER_ADMIN, is_active=True
    ).values_list("partner_id", "user__email"):
        admins.setdefault(partner_id, []).append(email)

    def notify(step: OnboardingStep, lapsed_now: bool) -> None:
        recipients = admins.get(step.partner_id)
        if not recipients:
            return
        context = {"tenant": tenant, "step": step, "lapsed": lapsed_now, "site_url": settings.SITE_URL.rstrip("/")}
        transaction.on_commit(
            lambda: send_mail(
                subject=_("%(program)s: %(step)s needs renewing") % {"program": tenant.name, "step": step.title},
                message=render_to_string("onboarding/email/assurance.txt", context),
                from_email=None,
                recipient_list=recipients,
            )
        )

    with transaction.atomic():
        for step in lapsed:
            step.result = {"previous": step.result, "lapsed_on": today.isoformat()}
            step.status = StepStatus.TODO
            step.expires_on = None
            step.completed_at = None
            step.due_on = today + timedelta(days=14)
            step.save(update_fields=["result", "status", "expires_on", "completed_at", "due_on"])
            if (
                step.plan.status != PlanStatus.IN_PROGRESS
                and not OnboardingPlan.objects.filter(partner_id=step.partner_id, status=PlanStatus.IN_PROGRESS).exists()
            ):
                step.plan.status = PlanStatus.IN_PROGRESS
                step.plan.completed_at = None
                step.plan.save(update_fields=["status", "completed_at"])
            audit_record(tenant=tenant, actor=None, action="onboarding.step_lapsed", target=step, changes={"kind": step.kind})
            notify(step, True)
        OnboardingStep.objects.filter(pk__in=[step.pk for step in due]).update(last_reminded_at=now)
        for step in due:
            notify(step, False)
    return {"lapsed": len(lapsed), "reminded": len(due)}
