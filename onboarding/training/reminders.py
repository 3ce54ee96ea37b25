"""Renewal reminders: email holders before their certification expires."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.models import Membership
from ecosystem.tenancy.models import Tenant
from onboarding.models import Certification

RENEWAL_NOTICE_DAYS = 30
RENEWAL_REMIND_EVERY = datetime.timedelta(days=7)


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
