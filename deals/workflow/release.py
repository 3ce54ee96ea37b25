"""Offboarding: a retiring partner gives up its open registrations (called from :mod:`partners.lifecycle`)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization

from ..models import DealRegistration, DecisionAction, ExtensionStatus, RegistrationExtension, RegistrationStatus
from ..registrations import claims_release
from .steps import RELEASABLE, _decide


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
