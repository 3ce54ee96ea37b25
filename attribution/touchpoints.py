"""Touchpoints derived from the platform's own records, idempotently.

Which rows become touchpoints (``source = derived``):

- every deal registration that was not rejected → ``registration`` (the sourcing touch) for the
  registering partner, on the registration's account, at ``submitted_at``;
- every *accepted* co-sell participant whose role is not ``sourcing`` → ``cosell`` for that
  partner, on the deal's account, at ``responded_at`` (when it joined the team);
- every *accepted* lead offer whose lead is matched to a customer account → ``lead_accepted`` for
  that partner, at ``responded_at`` (the lead's registration, if any, is the touch's deal);
- every lead matched to a customer account and tagged with a funded MDF campaign (approved,
  partially approved or completed) → ``mdf_campaign_lead`` for the campaign's partner, at the lead's
  creation (the campaign generated it). A registration tagged with a campaign gets no second touch:
  its partner's registration touch is already there.

Each touch is keyed by ``external_id = derived:<kind>:<public id of the source row>``; an anti-join
on that key, backed by the table's unique index on (tenant, external_id) and ``ON CONFLICT DO
NOTHING``, makes a second run create nothing. A touch already written is not updated when its source row changes later (a touch
is a fact about a moment); a removed source row leaves its touch in place.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from deals.models import DealParticipant, DealRegistration, Lead, LeadOffer
from deals.models.cosell import CoSellRole, ParticipantStatus
from deals.models.leads import OfferStatus
from deals.models.registrations import RegistrationStatus
from ecosystem.audit.services import audit_record
from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant
from partners.mdf.models import FUNDED_STATUSES, MdfRequest

from .models import Touchpoint, TouchpointSource, TouchpointType


def derived_external_id(kind: str, public_id: Any) -> str:
    return f"derived:{kind}:{public_id}"


def _sources() -> list[tuple[str, str, str]]:
    """(kind, touch type, SELECT of tenant_id, public_id, partner_id, account_id, registration_id, occurred_at)."""
    registrations = DealRegistration._meta.db_table
    participants = DealParticipant._meta.db_table
    offers, leads = LeadOffer._meta.db_table, Lead._meta.db_table
    campaigns = MdfRequest._meta.db_table
    funded = ", ".join(f"'{status}'" for status in FUNDED_STATUSES)
    return [
        (
            "registration",
            TouchpointType.REGISTRATION,
            (
                f"SELECT r.tenant_id, r.public_id, r.partner_id, r.account_id, r.id, r.submitted_at FROM {registrations} r "
                f"WHERE r.tenant_id = %(tenant)s AND r.status <> '{RegistrationStatus.REJECTED}'"
            ),
        ),
        (
            "cosell",
            TouchpointType.COSELL,
            (
                f"SELECT p.tenant_id, p.public_id, p.partner_id, r.account_id, r.id, p.responded_at FROM {participants} p "
                f"JOIN {registrations} r ON r.id = p.registration_id "
                f"WHERE p.tenant_id = %(tenant)s AND p.status = '{ParticipantStatus.ACCEPTED}' AND p.responded_at IS NOT NULL "
                f"AND p.role <> '{CoSellRole.SOURCING}'"
            ),
        ),
        (
            "lead",
            TouchpointType.LEAD_ACCEPTED,
            (
                f"SELECT o.tenant_id, o.public_id, o.partner_id, l.account_id, l.registration_id, o.responded_at FROM {offers} o "
                f"JOIN {leads} l ON l.id = o.lead_id "
                f"WHERE o.tenant_id = %(tenant)s AND o.status = '{OfferStatus.ACCEPTED}' AND o.responded_at IS NOT NULL "
                f"AND l.account_id IS NOT NULL"
            ),
        ),
        (
            "mdf_lead",
            TouchpointType.MDF_CAMPAIGN_LEAD,
            (
                f"SELECT l.tenant_id, l.public_id, m.partner_id, l.account_id, l.registration_id, l.created_at FROM {leads} l "
                f"JOIN {campaigns} m ON m.id = l.mdf_request_id "
                f"WHERE l.tenant_id = %(tenant)s AND l.account_id IS NOT NULL AND m.status IN ({funded})"
            ),
        ),
    ]


def touchpoints_derive(*, tenant: Tenant, actor: Any = None) -> int:
    """Write the derived touchpoints that do not exist yet; returns how many were created.

    One ``INSERT … SELECT`` per source table, set-based in PostgreSQL: rows whose key already exists
    are skipped by an anti-join (and ``ON CONFLICT DO NOTHING`` covers a concurrent derive), so a
    tenant with a million registrations costs one pass, not a million objects. Runs in the tenant's
    staff scope (it reads every partner's rows). Safe to run any number of times.
    """
    table = Touchpoint._meta.db_table
    created = 0
    with tenant_atomic(), connection.cursor() as cursor:
        for kind, touch_type, source in _sources():
            cursor.execute(
                f"INSERT INTO {table} (tenant_id, public_id, partner_id, account_id, registration_id, touch_type, "
                "occurred_at, source, external_id, created_at) "
                "SELECT s.tenant_id, gen_random_uuid(), s.partner_id, s.account_id, s.id, %(type)s, s.occurred_at, "
                "%(source)s, %(prefix)s || s.public_id::text, now() "
                f"FROM ({source}) AS s (tenant_id, public_id, partner_id, account_id, id, occurred_at) "
                f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.tenant_id = s.tenant_id "
                "AND t.external_id = %(prefix)s || s.public_id::text) "
                "ON CONFLICT DO NOTHING",
                {"tenant": tenant.pk, "type": touch_type, "source": TouchpointSource.DERIVED, "prefix": f"derived:{kind}:"},
            )
            created += cursor.rowcount
        audit_record(tenant=tenant, actor=actor, action="attribution.touchpoints_derive", changes={"created": created})
    return created
