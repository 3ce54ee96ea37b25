"""Direct sales taking over a partner's registration, as the program's rules of engagement allow.

The policy is :attr:`~deals.models.EngagementRules.direct_takeover`, published to partners:

* ``never`` — an approved registration is the partner's until it ends: every takeover is refused;
* ``after_protection`` — only once the protection period has run out (the registration is
  approved and ``protected_until`` is in the past, or it already expired);
* ``with_consent`` — at any time, but only with the partner's consent, which the manager records
  (who agreed and how, in the reason).

A takeover ends the registration (status *withdrawn*, rule ``direct_takeover:<policy>``), releases
its product lines, and makes direct sales the account's owner. The partner reads the decision and
its reason like any other; its admins and the submitter are emailed after commit.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.errors import ApplicationError, ForbiddenError
from ecosystem.tenancy.models import Tenant

from . import notifications
from .models import AccountOwner, CustomerAccount, DealRegistration, DecisionAction, RegistrationStatus, TakeoverPolicy
from .registrations import claims_release, engagement_rules
from .workflow import _clean_text, _decide, _lock

TAKEABLE = (
    RegistrationStatus.PENDING,
    RegistrationStatus.INFO_REQUESTED,
    RegistrationStatus.APPROVED,
    RegistrationStatus.EXPIRED,
)


def takeover_allowed(*, registration: DealRegistration, policy: str, partner_consented: bool) -> tuple[bool, str]:
    """Whether the policy lets direct sales take this registration over now, and if not, why (for people)."""
    if registration.status not in TAKEABLE:
        return False, _("This registration has ended already.")
    if policy == TakeoverPolicy.NEVER:
        return False, _("The rules of engagement never let direct sales take over a partner's registration.")
    if policy == TakeoverPolicy.AFTER_PROTECTION:
        protected = registration.status != RegistrationStatus.EXPIRED and (
            registration.status != RegistrationStatus.APPROVED
            or registration.protected_until is None
            or registration.protected_until >= timezone.localdate()
        )
        if protected:
            return False, _("Direct sales may take over only after the protection period ends.")
        return True, ""
    if not partner_consented:
        return False, _("Direct sales may take over only with the partner's consent: record it first.")
    return True, ""


def registration_takeover(
    *, tenant: Tenant, actor: Any, registration: DealRegistration, reason: str, partner_consented: bool = False
) -> DealRegistration:
    """Hand the customer to direct sales, if the rules of engagement allow it now (``ForbiddenError`` otherwise)."""
    reason = _clean_text(reason, field="reason", required=True)
    rules = engagement_rules(tenant=tenant)
    with transaction.atomic():
        locked = _lock(tenant=tenant, registration=registration)
        allowed, why = takeover_allowed(registration=locked, policy=rules.direct_takeover, partner_consented=partner_consented)
        if not allowed:
            code = "registration_closed" if locked.status not in TAKEABLE else f"takeover_{rules.direct_takeover}"
            raise (ApplicationError if code == "registration_closed" else ForbiddenError)(why, code=code)
        released = claims_release(registration=locked)
        CustomerAccount.objects.filter(tenant=tenant, pk=locked.account_id).update(
            owner_kind=AccountOwner.DIRECT, owner_partner=None
        )
        decision = _decide(
            tenant=tenant,
            actor=actor,
            registration=locked,
            action=DecisionAction.WITHDRAWN,
            rule=f"direct_takeover:{rules.direct_takeover}",
            reason=_("Taken over by direct sales: %(reason)s") % {"reason": reason},
            to_status=RegistrationStatus.WITHDRAWN,
            audit_action="deals.registration_takeover",
            changes={"claims_released": released, "policy": rules.direct_takeover, "partner_consented": partner_consented},
        )
        notifications.notify_registration_decided(tenant=tenant, registration=locked, decision=decision)
    return locked
