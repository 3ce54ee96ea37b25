"""CSV imports of partners and partner contacts (the services): all or nothing, every bad row reported with
its line and column, matching rules, counts of created / updated / unchanged, and the same effects as the portal."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals.imports import ImportFileInvalid
from ecosystem.audit.models import AuditEntry
from ecosystem.tenancy.context import tenant_context
from partners.contacts import partner_contact_create
from partners.imports import partner_contacts_import, partners_import
from partners.models import (
    Capability,
    PartnerContact,
    PartnerOrganization,
    PartnerStatusChange,
    Tier,
    TierChange,
)
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def alpha(world):
    """Tenant A's scope with two capabilities and a Gold tier."""
    a = world.a
    with tenant_context(a.tenant.pk):
        Capability.objects.create(tenant=a.tenant, name="Cloud migration", slug="cloud-migration")
        Capability.objects.create(tenant=a.tenant, name="Security", slug="security")
        a.gold = Tier.objects.create(tenant=a.tenant, name="Gold", rank=2)
        yield a


def counts() -> tuple[int, int, int, int, int]:
    return (
        PartnerOrganization.objects.count(),
        PartnerContact.objects.count(),
        PartnerStatusChange.objects.count(),
        TierChange.objects.count(),
        AuditEntry.objects.count(),
    )


PARTNER_HEADER = "public_id,name,partner_type,country,website,regions,capabilities,tier,status"


# --- partners --------------------------------------------------------------------------------------


def test_a_good_partner_file_creates_partners_through_the_service_with_history_tier_and_audit(alpha):
    data = csv_bytes(
        PARTNER_HEADER,
        ",Northwind Traders,reseller,de,https://www.northwind.example/about,EMEA;apac,Cloud migration; security,gold,onboarding",
        ",Contoso Services,Managed service provider,US,contoso.example,,,,",
    )
    result = partners_import(tenant=alpha.tenant, actor=alpha.manager, data=data)

    assert result.ok, result.errors
    assert (result.rows, result.created, result.updated, result.unchanged) == (2, 2, 0, 0)
    northwind = PartnerOrganization.objects.get(name="Northwind Traders")
    assert (northwind.partner_type, northwind.country.code, northwind.website_domain, northwind.status) == (
        "reseller",
        "DE",
        "northwind.example",
        "onboarding",
    )
    assert (northwind.regions, northwind.capabilities, northwind.tier) == (
        ["apac", "emea"],
        ["cloud-migration", "security"],
        alpha.gold,
    )
    contoso = PartnerOrganization.objects.get(name="Contoso Services")
    assert (contoso.partner_type, contoso.status, contoso.tier) == ("msp", "prospect", None)  # the service's default
    assert PartnerStatusChange.objects.filter(partner__in=[northwind, contoso], from_status="").count() == 2
    change = TierChange.objects.get(partner=northwind)
    assert (change.kind, change.to_tier) == ("imported", alpha.gold)
    actions = sorted(AuditEntry.objects.filter(action__startswith="partner").values_list("action", flat=True))
    assert actions == ["partner.create", "partner.create", "partner.profile_update", "partners.import"]
    assert AuditEntry.objects.get(action="partners.import").changes["created"] == 2


def test_every_kind_of_bad_partner_row_is_reported_and_nothing_is_written(alpha):
    PartnerFactory(tenant=alpha.tenant, name="Alpha Reseller Two", website_domain="taken.example")
    PartnerFactory(tenant=alpha.tenant, name="Twin", website_domain="twin1.example")
    PartnerFactory(tenant=alpha.tenant, name="twin", website_domain="twin2.example")
    data = csv_bytes(
        PARTNER_HEADER,
        ",Fine Partner,reseller,DE,fine.example,,,,",  # row 2: good, but nothing is written
        ",,reseller,,,,,,",  # 3: no name
        ",Bad Type,wholesaler,XX,not a domain,mars,Underwater basket weaving,Platinum,sleeping",  # 4
        "not-a-uuid,Someone,reseller,,,,,,",  # 5
        "00000000-0000-0000-0000-000000000001,Ghost,reseller,,,,,,",  # 6: no partner has this id
        ",New Without Type,,,,,,,",  # 7
        ",twin,,,,,,,",  # 8: two partners have this name
        ",Taker,msp,,taken.example,,,,",  # 9: another partner's domain
        ",Fine Partner,msp,,,,,,",  # 10: same new name as row 2
        ",Other,msp,,FINE.example,,,,",  # 11: same domain as row 2
        ",Retiring,msp,,,,,,retired",  # 12
    )
    before = counts()
    result = partners_import(tenant=alpha.tenant, actor=alpha.manager, data=data)

    assert [(e.row, e.column, e.code) for e in result.errors] == [
        (3, "name", "required"),
        (4, "partner_type", "invalid_choice"),
        (4, "country", "invalid_country"),
        (4, "website", "invalid_domain"),
        (4, "regions", "invalid_choice"),
        (4, "capabilities", "unknown_capability"),
        (4, "tier", "unknown_tier"),
        (4, "status", "invalid_choice"),
        (5, "public_id", "invalid_id"),
        (6, "public_id", "partner_not_found"),
        (7, "partner_type", "required"),
        (8, "name", "ambiguous_partner"),
        (9, "website", "duplicate_domain"),
        (10, "name", "duplicate_in_file"),
        (11, "website", "duplicate_in_file"),
        (12, "status", "use_offboarding"),
    ]
    assert all(e.message for e in result.errors)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    assert counts() == before  # nothing written, not even the import's own audit row


def test_partners_are_matched_by_public_id_else_exact_name_and_counted_updated_or_unchanged(alpha):
    p1, p2 = alpha.partner1, alpha.partner2  # "Alpha Reseller" (reseller), "Alpha MSP" (msp)
    data = csv_bytes(
        PARTNER_HEADER,
        f"{p1.public_id},Alpha Reseller Renamed,,FR,,,,Gold,At risk",  # by id: renamed, country, tier, status
        ",ALPHA MSP,msp,,,,,,",  # by name (any case): nothing differs
    )
    result = partners_import(tenant=alpha.tenant, actor=alpha.manager, data=data)

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    p1.refresh_from_db()
    assert (p1.name, p1.country.code, p1.tier, p1.status, p1.partner_type) == (
        "Alpha Reseller Renamed",
        "FR",
        alpha.gold,
        "at_risk",
        "reseller",
    )
    assert PartnerStatusChange.objects.filter(partner=p1, to_status="at_risk", reason="CSV import").exists()
    assert not AuditEntry.objects.filter(object_id=str(p2.public_id)).exists()
    again = partners_import(
        tenant=alpha.tenant, actor=alpha.manager, data=data.replace(b"Alpha Reseller Renamed", b"alpha reseller renamed")
    )
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)  # the name's case is a change
    same = partners_import(
        tenant=alpha.tenant,
        actor=alpha.manager,
        data=csv_bytes(PARTNER_HEADER, f"{p1.public_id},alpha reseller renamed,,FR,,,,Gold,at_risk"),
    )
    assert (same.created, same.updated, same.unchanged) == (0, 0, 1)


def test_the_same_partner_twice_in_a_file_is_reported(alpha):
    data = csv_bytes("public_id,name", f"{alpha.partner1.public_id},Alpha Reseller", "," + alpha.partner1.name.upper())
    result = partners_import(tenant=alpha.tenant, actor=alpha.manager, data=data)
    assert [(e.row, e.column, e.code) for e in result.errors] == [(3, "name", "duplicate_in_file")]


def test_tier_changes_of_a_whole_file_make_one_webhook_call_with_one_event_per_partner(alpha, monkeypatch):
    calls = []
    monkeypatch.setattr("partners.tiers.webhook_events.tier_changes", lambda *, tenant, changes: calls.append(len(changes)))
    data = csv_bytes("name,tier", "Alpha Reseller,Gold", "Alpha MSP,gold")
    result = partners_import(tenant=alpha.tenant, actor=alpha.manager, data=data)
    assert (result.updated, calls) == (2, [2])


def test_a_file_without_a_name_column_or_with_too_many_rows_is_refused_as_a_whole(alpha, monkeypatch):
    with pytest.raises(ImportFileInvalid) as missing:
        partners_import(tenant=alpha.tenant, actor=alpha.manager, data=csv_bytes("partner_type,country", "msp,DE"))
    assert missing.value.code == "missing_columns"
    monkeypatch.setattr("partners.imports.MAX_IMPORT_ROWS", 2)
    with pytest.raises(ImportFileInvalid) as too_many:
        partners_import(tenant=alpha.tenant, actor=alpha.manager, data=csv_bytes("name,partner_type", "a,msp", "b,msp", "c,msp"))
    assert too_many.value.code == "too_many_rows"


def test_the_partner_lookups_are_one_query_per_table_whatever_the_number_of_rows(alpha):
    def errors_only_queries(n: int) -> int:
        rows = [f",Partner {i},reseller,ZZ,,,,," for i in range(n)]  # every row bad: the lookups run, nothing is written
        with CaptureQueriesContext(connection) as queries:
            result = partners_import(tenant=alpha.tenant, actor=alpha.manager, data=csv_bytes(PARTNER_HEADER, *rows))
        assert len(result.errors) == n
        return len(queries)

    # savepoint + tenant settings, then partners, capabilities, tiers, partners by domain; release
    assert errors_only_queries(1) == errors_only_queries(40)


# --- contacts --------------------------------------------------------------------------------------

CONTACT_HEADER = "partner,name,email,phone,title,role"


def test_a_good_contact_file_creates_and_updates_contacts_matching_email_in_any_case(alpha):
    existing = partner_contact_create(
        tenant=alpha.tenant, actor=alpha.owner, partner=alpha.partner1, name="Ana Lopez", email="Ana@Reseller.example"
    )
    data = csv_bytes(
        CONTACT_HEADER,
        f"{alpha.partner1.public_id},Ana López,ana@reseller.EXAMPLE,+49 30 1,Alliance manager,Primary contact",
        "alpha msp,Ben Okafor,ben@msp.example,,Architect,technical",
        "Alpha MSP,Cleo Diaz,cleo@msp.example,,,",
    )
    result = partner_contacts_import(tenant=alpha.tenant, actor=alpha.manager, data=data)

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (2, 1, 0)
    existing.refresh_from_db()
    assert (existing.name, existing.email, existing.phone, existing.job_title, existing.role) == (
        "Ana López",
        "ana@reseller.EXAMPLE",
        "+49 30 1",
        "Alliance manager",
        "primary",
    )
    ben = PartnerContact.objects.get(email="ben@msp.example")
    assert (ben.partner, ben.role, ben.job_title) == (alpha.partner2, "technical", "Architect")
    assert PartnerContact.objects.get(email="cleo@msp.example").role == "other"
    actions = sorted(AuditEntry.objects.filter(action__contains="contact").values_list("action", flat=True))
    assert actions == ["partner.contact_create"] * 3 + ["partner.contact_update", "partners.contacts_import"]

    again = partner_contacts_import(tenant=alpha.tenant, actor=alpha.manager, data=data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_every_kind_of_bad_contact_row_is_reported_and_nothing_is_written(alpha, world):
    data = csv_bytes(
        CONTACT_HEADER,
        "Alpha Reseller,Fine,fine@reseller.example,,,",  # 2: good, not written
        ",No Partner,np@example.com,,,",  # 3
        "Nobody Inc,Who,who@example.com,,,",  # 4
        f"{world.b.partner1.public_id},Foreign,f@example.com,,,",  # 5: tenant B's partner: never found
        "Beta Reseller,Foreign By Name,g@example.com,,,",  # 6: tenant B's partner's name
        "Alpha Reseller,,not-an-email,,,boss",  # 7
        "Alpha Reseller,Again,FINE@reseller.example,,,",  # 8: same partner and email as row 2
        "Alpha Reseller,Long," + "x" * 250 + "@example.com," + "1" * 41 + ",,",  # 9
    )
    before = counts()
    result = partner_contacts_import(tenant=alpha.tenant, actor=alpha.manager, data=data)

    assert [(e.row, e.column, e.code) for e in result.errors] == [
        (3, "partner", "required"),
        (4, "partner", "partner_not_found"),
        (5, "partner", "partner_not_found"),
        (6, "partner", "partner_not_found"),
        (7, "name", "required"),
        (7, "email", "invalid_email"),
        (7, "role", "invalid_choice"),
        (8, "email", "duplicate_in_file"),
        (9, "email", "max_length"),
        (9, "phone", "max_length"),
    ]
    assert result.errors[2].message.startswith("Unknown partner")
    assert str(world.b.partner1.name) not in " ".join(e.message for e in result.errors)
    assert counts() == before


def test_a_contact_file_without_an_email_column_is_refused_as_a_whole(alpha):
    with pytest.raises(ImportFileInvalid) as missing:
        partner_contacts_import(tenant=alpha.tenant, actor=alpha.manager, data=csv_bytes("partner,name", "Alpha Reseller,Ann"))
    assert missing.value.code == "missing_columns"
