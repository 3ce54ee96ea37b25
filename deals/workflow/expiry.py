"""The daily sweep: approvals whose protection ended expire; those about to end are reminded once.

Run per tenant by :func:`deals.tasks.protection_expiry_sweep_task` (beat, daily).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.tenancy.models import Tenant
from ecosystem.webhooks import events as webhook_events

from .. import notifications
from ..models import DealRegistration, DecisionAction, RegistrationStatus
from ..registrations import claims_release, engagement_rules
from .steps import _decide


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
        webhook_events.registrations(tenant=tenant, event_type="registration.expired", registrations=lapsed)
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
