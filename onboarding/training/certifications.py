"""Certifications: credential numbers, issuing or renewing on a pass, revoking.

Passing certifies: one *current* certification per person and course (a partial unique index is
the last word). Passing while it is valid renews it (same number, later expiry); after it expired
or was revoked, passing issues a new number.
"""

from __future__ import annotations

import calendar
import datetime
import re
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.models import Tenant
from onboarding.models import Certification, Course

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
        locked.revoked_by = person_of(actor)
        locked.revoked_reason = reason[:500]
        locked.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
        audit_record(
            tenant=tenant, actor=actor, action="training.certification_revoke", target=locked, changes={"reason": reason[:500]}
        )
    return locked
