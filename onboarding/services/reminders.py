"""Reminder emails to partner admins about onboarding steps due soon or overdue."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.models import Role
from ecosystem.tenancy.models import Tenant
from onboarding.models import OnboardingStep, PlanStatus, StepStatus

REMIND_DAYS_BEFORE_DUE = 2
REMIND_EVERY = timedelta(days=3)


def onboarding_reminders_send(*, tenant: Tenant) -> int:
    """Email each partner's admins the steps due within two days or overdue, at most every three days.

    Three queries whatever the number of partners: the steps, the admins, one update. Returns the
    number of emails sent. Running it twice on one day sends nothing the second time.
    """
    from ecosystem.accounts.models import Membership

    now = timezone.now()
    steps = list(
        OnboardingStep.objects.filter(
            tenant=tenant,
            plan__status=PlanStatus.IN_PROGRESS,
            status__in=[StepStatus.TODO, StepStatus.REJECTED],
            due_on__lte=timezone.localdate() + timedelta(days=REMIND_DAYS_BEFORE_DUE),
        )
        .exclude(last_reminded_at__gt=now - REMIND_EVERY)
        .select_related("partner")
        .order_by("partner_id", "due_on", "position")
    )
    if not steps:
        return 0
    by_partner: dict[int, list[OnboardingStep]] = {}
    for step in steps:
        by_partner.setdefault(step.partner_id, []).append(step)
    admins: dict[int, list[str]] = {}
    for partner_id, email in Membership.objects.filter(
        tenant=tenant, partner_id__in=by_partner, role=Role.PARTNER_ADMIN, is_active=True
    ).values_list("partner_id", "user__email"):
        admins.setdefault(partner_id, []).append(email)
    sent = 0
    with transaction.atomic():
        OnboardingStep.objects.filter(pk__in=[step.pk for step in steps]).update(last_reminded_at=now)
        for partner_id, partner_steps in by_partner.items():
            recipients = admins.get(partner_id)
            if not recipients:
                continue
            context = {
                "tenant": tenant,
                "partner": partner_steps[0].partner,
                "steps": partner_steps,
                "today": timezone.localdate(),
                "site_url": settings.SITE_URL.rstrip("/"),
            }
            transaction.on_commit(
                lambda context=context, recipients=recipients: send_mail(
                    subject=_("Onboarding with %(program)s: steps due") % {"program": tenant.name},
                    message=render_to_string("onboarding/email/reminder.txt", context),
                    from_email=None,
                    recipient_list=recipients,
                )
            )
            sent += 1
    return sent
