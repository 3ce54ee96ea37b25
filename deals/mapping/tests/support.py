"""Helpers for the account-mapping tests: lists, an active pair, and running the match as the worker would."""

from __future__ import annotations

from ecosystem.tenancy.context import tenant_context
from tests.fixtures import TenantWorld

from ..lists import ListRow, account_list_replace
from ..matching import partnership_match
from ..models import MappingPartnership
from ..services import partnership_accept, partnership_invite

VENDOR_ROWS = [
    ListRow("customer", "shared-customer.example", "Shared Customer Inc", "v-1"),
    ListRow("prospect", "prospect-overlap.example", "Prospect Overlap Ltd", "v-2"),
    ListRow("prospect", "vendor-only-prospect.example", "Vendor Only Prospect", "v-3"),
    ListRow("open_opportunity", "open-deal.example", "Open Deal GmbH", "v-4"),
]
PARTNER_ROWS = [
    ListRow("customer", "shared-customer.example", "Shared Customer (partner)", "p-1"),
    ListRow("customer", "prospect-overlap.example", "Prospect Overlap (partner)", "p-2"),
    ListRow("customer", "zz-secret-partner-only.example", "Zeta Secret Holdings", "p-3"),
    ListRow("open_opportunity", "open-deal.example", "Open Deal (partner)", "p-4"),
]
SECRET_DOMAIN = "zz-secret-partner-only.example"
SECRET_NAME = "Zeta Secret Holdings"


def load_lists(a: TenantWorld, *, vendor=VENDOR_ROWS, partner=PARTNER_ROWS, partner_org=None) -> None:
    partner_org = partner_org or a.partner1
    with tenant_context(a.tenant.pk):
        account_list_replace(tenant=a.tenant, actor=a.owner, partner_id=None, rows=list(vendor))
    with tenant_context(a.tenant.pk, partner_id=partner_org.pk):
        account_list_replace(tenant=a.tenant, actor=a.partner1_admin, partner_id=partner_org.pk, rows=list(partner))


def active_pair(a: TenantWorld, *, vendor_sharing=None, partner_sharing=None, partner_org=None) -> MappingPartnership:
    """The vendor invites partner 1 (or ``partner_org``), the partner accepts, the match runs."""
    partner_org = partner_org or a.partner1
    with tenant_context(a.tenant.pk, user_id=a.owner.pk):
        pair = partnership_invite(
            tenant=a.tenant, actor=a.owner, partner_id=None, counterpart=partner_org, sharing=vendor_sharing
        )
    with tenant_context(a.tenant.pk, partner_id=partner_org.pk):
        partnership_accept(
            tenant=a.tenant, actor=a.partner1_admin, partner_id=partner_org.pk, partnership=pair, sharing=partner_sharing
        )
    rematch(a, pair)
    return pair


def rematch(a: TenantWorld, pair: MappingPartnership):
    with tenant_context(a.tenant.pk):
        return partnership_match(tenant=a.tenant, partnership_id=pair.pk)
