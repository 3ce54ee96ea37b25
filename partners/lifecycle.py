"""Offboarding: retiring a partner organisation, and reactivating it.

Retiring ends every partner user's access to this tenant at once and keeps everything the partner
did (status history, engagement, audit log) for reporting. What "access" means here:

* **Memberships** of the partner's users are deactivated (the rows stay); their pending
  invitations are revoked so nobody can join afterwards.
* **Sessions** are not deleted. Django's database sessions are global: one session serves every
  program a person belongs to, and a partner company's people usually work with several vendors.
  Deleting them would sign people out of other tenants. Instead every tenant entry point reads the
  active membership on each request (``ecosystem.portal.base.tenant_view`` for the portals,
  ``ecosystem.api.views.TenantViewSet.initial`` for the API) and answers 404 without one, so a
  signed-in user of a retired partner is locked out on their very next request.
* **API keys** are tenant-wide integration keys created by owners (``ecosystem.api.models.ApiKey``
  has no partner): no key belongs to a partner, so there is none to revoke here.
* **Open deal registrations and leads** are released by
  :func:`partner_registrations_and_leads_release` (registrations: withdrawn, customers freed).

Reactivation puts the status back to active and reactivates exactly the memberships that the
latest retirement deactivated; which ones is read from that retirement's audit row, which is
append-only. Invitations revoked by the retirement stay revoked: invite people again.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.models import Invitation, Membership
from ecosystem.audit.models import AuditEntry
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.models import Tenant

from .models import PartnerOrganization, PartnerStatus
from .services import partner_update

RETIRE_ACTION = "partner.retire"
REACTIVATE_ACTION = "partner.reactivate"


def _clean_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give a reason for the record."), code="required", field="reason")
    if len(reason) > 300:
        raise ApplicationError(_("Use at most 300 characters."), code="max_length", field="reason")
    return reason


def partner_registrations_and_leads_release(*, tenant: Tenant, actor: Any, partner: PartnerOrganization) -> None:
    """Reassign or release a retiring partner's open deal registrations and leads, by the tenant's rule.

    Hook, called by :func:`partner_retire` inside its transaction. Deal registrations: the partner's
    open ones (waiting for a decision or approved) are locked and released
    (:func:`deals.workflow.registration_release_for_retired_partner`: withdrawn with the rule
    ``partner_retired``, product lines freed for other partners, a decision and an audit row each).
    Leads: open offers are withdrawn and accepted, unconverted leads taken back, and each goes to
    the routing's next candidate (:func:`deals.leads.leads_release_for_retired_partner`). Closed
    registrations and converted leads stay with the partner for reporting. Reactivation does not
    bring them back.
    """
    # deals depends on partners, not back: imported here, at call time.
    from deals.leads import leads_release_for_retired_partner
    from deals.workflow import registration_release_for_retired_partner

    registration_release_for_retired_partner(tenant=tenant, actor=actor, partner=partner)
    leads_release_for_retired_partner(tenant=tenant, actor=actor, partner=partner)


def partner_retire(*, tenant: Tenant, actor: Any, partner: PartnerOrganization, reason: str) -> PartnerOrganization:
    """Retire a partner: its users lose access to this tenant at once, its history stays.

    One transaction, locking the partner row first: revoke pending invitations (locked, so an
    acceptance racing with this either lands first and is then deactivated, or finds the
    invitation revoked), deactivate active memberships, release open registrations and leads,
    set the status to retired (kept in the status history with ``reason``), one audit row naming
    every membership and invitation it ended.
    """
    reason = _clean_reason(reason)
    with transaction.atomic():
        locked = PartnerOrganization.objects.select_for_update().get(tenant=tenant, pk=partner.pk)
        if locked.status == PartnerStatus.RETIRED:
            raise ApplicationError(_("This partner is already retired."), code="already_retired")
        from_status = locked.status
        invitations = list(
            Invitation.objects.select_for_update()
            .filter(tenant=tenant, partner=locked, accepted_at__isnull=True, revoked_at__isnull=True)
            .order_by("pk")
        )
        Invitation.objects.filter(pk__in=[i.pk for i in invitations]).update(revoked_at=timezone.now())
        memberships = list(
            Membership.objects.select_for_update().filter(tenant=tenant, partner=locked, is_active=True).order_by("pk")
        )
        Membership.objects.filter(pk__in=[m.pk for m in memberships]).update(is_active=False)
        retired = partner_update(
            tenant=tenant, actor=actor, partner=locked, status=PartnerStatus.RETIRED, reason=reason, offboarding=True
        )
        # After the status change: lead routing must already see the partner as retired.
        partner_registrations_and_leads_release(tenant=tenant, actor=actor, partner=retired)
        audit_record(
            tenant=tenant,
            actor=actor,
            action=RETIRE_ACTION,
            target=retired,
            changes={
                "reason": reason,
                "from_status": from_status,
                "memberships_deactivated": [str(m.public_id) for m in memberships],
                "invitations_revoked": [str(i.public_id) for i in invitations],
            },
        )
    return retired


def partner_reactivate(*, tenant: Tenant, actor: Any, partner: PartnerOrganization, reason: str) -> PartnerOrganization:
    """Bring a retired partner back: status active, and the memberships its last retirement deactivated.

    Memberships deactivated for other reasons (someone removed earlier, a person who has since
    joined another partner) stay as they are.
    """
    reason = _clean_reason(reason)
    with transaction.atomic():
        locked = PartnerOrganization.objects.select_for_update().get(tenant=tenant, pk=partner.pk)
        if locked.status != PartnerStatus.RETIRED:
            raise ApplicationError(_("This partner is not retired."), code="not_retired")
        retirement = (
            AuditEntry.objects.filter(
                tenant=tenant,
                action=RETIRE_ACTION,
                object_type=PartnerOrganization._meta.label_lower,
                object_id=str(locked.public_id),
            )
            .order_by("-created_at", "-id")
            .first()
        )
        deactivated = retirement.changes.get("memberships_deactivated", []) if retirement else []
        memberships = list(
            Membership.objects.select_for_update()
            .filter(tenant=tenant, partner=locked, is_active=False, public_id__in=deactivated)
            .order_by("pk")
        )
        Membership.objects.filter(pk__in=[m.pk for m in memberships]).update(is_active=True)
        reactivated = partner_update(
            tenant=tenant, actor=actor, partner=locked, status=PartnerStatus.ACTIVE, reason=reason, offboarding=True
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action=REACTIVATE_ACTION,
            target=reactivated,
            changes={"reason": reason, "memberships_reactivated": [str(m.public_id) for m in memberships]},
        )
    return reactivated
