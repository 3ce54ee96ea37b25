"""Touchpoints derived from the platform's own records, idempotently.

Which rows become touchpoints (``source = derived``):

- every deal registration that was not rejected → ``registration`` (the sourcing touch) for the
  registering partner, on the registration's account, at ``submitted_at``;
- every *accepted* co-sell participant whose role is not ``sourcing`` → ``cosell`` for that
  partner, on the deal's account, at ``responded_at`` (when it joined the team);
- every *accepted* lead offer whose lead is matched to a customer account → ``lead_accepted`` for
  that partner, at ``responded_at`` (the lead's registration, if any, is the touch's deal).

Each touch is keyed by ``external_id = derived:<kind>:<public id of the source row>``; the table's
unique index on (tenant, external_id) and ``INSERT … ON CONFLICT DO NOTHING`` make a second run
create nothing. A touch already written is not updated when its source row changes later (a touch
is a fact about a moment); a removed source row leaves its touch in place.
"""

from __future__ import annotations

from typing import Any

from deals.models import DealParticipant, DealRegistration, LeadOffer
from deals.models.cosell import CoSellRole, ParticipantStatus
from deals.models.leads import OfferStatus
from deals.models.registrations import RegistrationStatus
from ecosystem.audit.services import audit_record
from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant

from .models import Touchpoint, TouchpointSource, TouchpointType

BATCH_SIZE = 5_000


def derived_external_id(kind: str, public_id: Any) -> str:
    return f"derived:{kind}:{public_id}"


def _derived_rows(tenant: Tenant) -> list[Touchpoint]:
    """One query per source table (values_list, no ORM objects read)."""
    rows: list[Touchpoint] = []

    def touch(partner_id, account_id, registration_id, touch_type, occurred_at, kind, public_id) -> None:
        rows.append(
            Touchpoint(
                tenant=tenant,
                partner_id=partner_id,
                account_id=account_id,
                registration_id=registration_id,
                touch_type=touch_type,
                occurred_at=occurred_at,
                source=TouchpointSource.DERIVED,
                external_id=derived_external_id(kind, public_id),
            )
        )

    registrations = DealRegistration.objects.exclude(status=RegistrationStatus.REJECTED).values_list(
        "id", "public_id", "partner_id", "account_id", "submitted_at"
    )
    for reg_id, public_id, partner_id, account_id, submitted_at in registrations.iterator(chunk_size=BATCH_SIZE):
        touch(partner_id, account_id, reg_id, TouchpointType.REGISTRATION, submitted_at, "registration", public_id)

    participants = (
        DealParticipant.objects.filter(status=ParticipantStatus.ACCEPTED, responded_at__isnull=False)
        .exclude(role=CoSellRole.SOURCING)
        .values_list("public_id", "partner_id", "registration__account_id", "registration_id", "responded_at")
    )
    for public_id, partner_id, account_id, reg_id, responded_at in participants.iterator(chunk_size=BATCH_SIZE):
        touch(partner_id, account_id, reg_id, TouchpointType.COSELL, responded_at, "cosell", public_id)

    offers = LeadOffer.objects.filter(
        status=OfferStatus.ACCEPTED, responded_at__isnull=False, lead__account__isnull=False
    ).values_list("public_id", "partner_id", "lead__account_id", "lead__registration_id", "responded_at")
    for public_id, partner_id, account_id, reg_id, responded_at in offers.iterator(chunk_size=BATCH_SIZE):
        touch(partner_id, account_id, reg_id, TouchpointType.LEAD_ACCEPTED, responded_at, "lead", public_id)
    return rows


def touchpoints_derive(*, tenant: Tenant, actor: Any = None) -> int:
    """Write the derived touchpoints that do not exist yet; returns how many were created.

    Runs in the tenant's staff scope (it reads every partner's rows). Safe to run any number of times.
    """
    with tenant_atomic():
        before = Touchpoint.objects.count()
        Touchpoint.objects.bulk_create(_derived_rows(tenant), batch_size=BATCH_SIZE, ignore_conflicts=True)
        created = Touchpoint.objects.count() - before
        audit_record(tenant=tenant, actor=actor, action="attribution.touchpoints_derive", changes={"created": created})
    return created
