"""Touchpoints imported from a CSV file and posted one by one (the services): all or nothing, every bad row
reported, external ids never duplicated, one query per lookup table."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from attribution.models import Touchpoint, TouchpointSource, TouchpointType
from attribution.touchpoint_imports import touchpoint_create, touchpoints_import
from deals.accounts import name_key
from deals.imports import ImportFileInvalid
from deals.models import CustomerAccount
from ecosystem.audit.models import AuditEntry
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import tenant_context
from tests.factories import PartnerFactory

from .support import registration

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def customer(tenant, name: str, domain: str, external_id: str = "") -> CustomerAccount:
    return CustomerAccount.objects.create(
        tenant=tenant, name=name, name_key=name_key(name), domain=domain, root_domain=domain, external_id=external_id
    )


@pytest.fixture
def alpha(world):
    """Tenant A's scope with two accounts: Acme (CRM id 001A, acme.example) and Globex (globex.example)."""
    a = world.a
    with tenant_context(a.tenant.pk):
        a.acme = customer(a.tenant, "Acme, Inc.", "acme.example", external_id="001A")
        a.globex = customer(a.tenant, "Globex", "globex.example")
        yield a


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


HEADER = "external_id,partner,account,deal,type,occurred_at,weight"


def test_a_clean_file_creates_every_row_matching_partners_and_accounts_every_way(alpha):
    deal = registration(alpha.tenant, alpha.partner1, alpha.acme, submitted=datetime.date(2026, 2, 1))
    data = csv_bytes(
        HEADER,
        f"t-1,{alpha.partner1.public_id},001A,{deal.public_id},referral,2026-03-05,0.5",
        "t-2,alpha msp,https://www.globex.example/about,,Technical validation,2026-03-06T14:30:00+01:00,",
        "t-3,ALPHA RESELLER,acme inc,,IMPLEMENTATION,3/7/2026,2",
    )
    result = touchpoints_import(tenant=alpha.tenant, actor=alpha.manager, data=data)
    assert result.ok and (result.rows, result.created, result.already_imported) == (3, 3, 0)
    rows = {t.external_id: t for t in Touchpoint.objects.all()}
    assert set(rows) == {"t-1", "t-2", "t-3"}
    one, two, three = rows["t-1"], rows["t-2"], rows["t-3"]
    assert (one.partner_id, one.account_id, one.registration_id) == (alpha.partner1.pk, alpha.acme.pk, deal.pk)
    assert one.touch_type == TouchpointType.REFERRAL and one.weight == Decimal("0.5")
    assert one.occurred_at == datetime.datetime(2026, 3, 5, tzinfo=UTC) and one.source == TouchpointSource.IMPORTED
    assert (two.partner_id, two.account_id, two.touch_type) == (alpha.partner2.pk, alpha.globex.pk, "technical_validation")
    assert two.occurred_at == datetime.datetime(2026, 3, 6, 13, 30, tzinfo=UTC) and two.weight is None
    assert (three.partner_id, three.account_id, three.touch_type) == (alpha.partner1.pk, alpha.acme.pk, "implementation")
    assert three.occurred_at == datetime.datetime(2026, 3, 7, tzinfo=UTC) and three.weight == Decimal(2)
    audit = AuditEntry.objects.get(action="attribution.touchpoints_import")
    assert audit.changes["created"] == 3 and audit.changes["already_imported"] == 0


def test_every_bad_row_is_reported_and_nothing_is_written(alpha):
    other_deal = registration(alpha.tenant, alpha.partner1, alpha.globex, submitted=datetime.date(2026, 2, 1))
    PartnerFactory(tenant=alpha.tenant, name="Twin", website_domain="twin-1.example")
    PartnerFactory(tenant=alpha.tenant, name="twin", website_domain="twin-2.example")
    data = csv_bytes(
        HEADER,
        "ok-1,Alpha Reseller,001A,,referral,2026-03-05,",  # row 2: fine
        ",Nobody,001A,,referral,2026-03-05,",  # row 3: no external id, unknown partner
        "x-4,Alpha Reseller,nowhere.example,,referral,2026-03-05,",  # row 4: unknown account
        f"x-5,Alpha Reseller,001A,{other_deal.public_id},referral,2026-03-05,",  # row 5: deal on Globex
        "x-6,Alpha Reseller,001A,,webinar,31/31/2026,-1",  # row 6: type, date, weight
        "ok-1,Twin,001A,,referral,2026-03-05,",  # row 7: repeats row 2's id, ambiguous partner
        "derived:registration:1,Alpha MSP,Globex,,cosell,2026-03-05T25:00,1.00001",  # row 8
    )
    result = touchpoints_import(tenant=alpha.tenant, actor=alpha.manager, data=data)
    found = [(e.row, e.column, e.code) for e in result.errors]
    assert found == [
        (3, "external_id", "required"),
        (3, "partner", "partner_not_found"),
        (4, "account", "account_not_found"),
        (5, "deal", "deal_account_mismatch"),
        (6, "type", "invalid_type"),
        (6, "occurred_at", "invalid_date"),
        (6, "weight", "negative_weight"),
        (7, "external_id", "duplicate_in_file"),
        (7, "partner", "ambiguous_partner"),
        (8, "external_id", "reserved_external_id"),
        (8, "occurred_at", "invalid_datetime"),
        (8, "weight", "weight_too_precise"),
    ]
    assert "Row 2" in result.errors[7].message
    assert result.created == 0 and not Touchpoint.objects.exists()
    assert not AuditEntry.objects.filter(action="attribution.touchpoints_import").exists()


def test_importing_the_same_file_again_creates_nothing(alpha):
    data = csv_bytes(HEADER, "t-1,Alpha Reseller,001A,,referral,2026-03-05,", "t-2,Alpha MSP,Globex,,cosell,2026-03-06,")
    first = touchpoints_import(tenant=alpha.tenant, actor=alpha.manager, data=data)
    again = touchpoints_import(tenant=alpha.tenant, actor=alpha.manager, data=data)
    assert (first.created, first.already_imported) == (2, 0)
    assert (again.created, again.already_imported) == (0, 2) and again.ok
    assert Touchpoint.objects.count() == 2


def test_a_partly_overlapping_file_adds_the_new_ids_and_leaves_the_old_rows_as_they_were(alpha):
    touchpoints_import(
        tenant=alpha.tenant,
        actor=alpha.manager,
        data=csv_bytes(HEADER, "t-1,Alpha Reseller,001A,,referral,2026-03-05,", "t-2,Alpha MSP,Globex,,cosell,2026-03-06,"),
    )
    result = touchpoints_import(
        tenant=alpha.tenant,
        actor=alpha.manager,
        data=csv_bytes(
            HEADER,
            "t-2,Alpha Reseller,001A,,implementation,2026-04-01,3",  # exists: skipped, not updated
            "t-3,Alpha MSP,Globex,,renewal_support,2026-04-02,",
        ),
    )
    assert (result.rows, result.created, result.already_imported) == (2, 1, 1)
    kept = Touchpoint.objects.get(external_id="t-2")
    assert (kept.partner_id, kept.touch_type, kept.weight) == (alpha.partner2.pk, "cosell", None)
    assert sorted(Touchpoint.objects.values_list("external_id", flat=True)) == ["t-1", "t-2", "t-3"]


def test_a_file_without_a_required_column_is_refused_as_a_whole(alpha):
    with pytest.raises(ImportFileInvalid) as refused:
        touchpoints_import(tenant=alpha.tenant, actor=alpha.manager, data=csv_bytes("partner,account,type", "a,b,c"))
    assert refused.value.code == "missing_columns" and "external_id" in refused.value.message
    assert not Touchpoint.objects.exists()


def test_columns_are_found_whatever_their_case_and_order_and_others_are_ignored(alpha):
    data = csv_bytes("Type;Occurred At;Notes;Account;Partner;External ID", "Referral;2026-03-05;hello;001A;Alpha Reseller;t-9")
    result = touchpoints_import(tenant=alpha.tenant, actor=alpha.manager, data=data)
    assert result.ok and result.created == 1 and result.ignored_columns == ["Notes"]


def test_the_lookups_cost_one_query_per_table_whatever_the_number_of_rows(alpha):
    def queries(rows: int, start: int) -> int:
        lines = [HEADER] + [f"q-{start + i},Alpha Reseller,001A,,referral,2026-03-05," for i in range(rows)]
        with CaptureQueriesContext(connection) as ctx:
            result = touchpoints_import(tenant=alpha.tenant, actor=alpha.manager, data=csv_bytes(*lines))
        assert result.created == rows
        return len(ctx.captured_queries)

    # partners, accounts, savepoint, lock, existing ids, insert, audit insert, release: the same for 1 row and 50
    assert queries(1, 0) == queries(50, 100)


# --- one touchpoint --------------------------------------------------------------------------------


def test_posting_the_same_external_id_twice_gives_one_row_unchanged(alpha):
    when = datetime.datetime(2026, 3, 5, 9, tzinfo=UTC)
    first, created = touchpoint_create(
        tenant=alpha.tenant,
        actor=alpha.manager,
        partner=alpha.partner1,
        account=alpha.acme,
        touch_type=TouchpointType.REFERRAL,
        occurred_at=when,
        external_id="crm-7",
    )
    again, created_again = touchpoint_create(
        tenant=alpha.tenant,
        actor=alpha.manager,
        partner=alpha.partner2,
        account=alpha.globex,
        touch_type=TouchpointType.COSELL,
        occurred_at=when,
        weight=Decimal(3),
        external_id="crm-7",
    )
    assert created and not created_again and again.pk == first.pk
    assert (again.partner_id, again.touch_type, again.weight, again.source) == (alpha.partner1.pk, "referral", None, "api")
    assert Touchpoint.objects.count() == 1


def test_touchpoints_without_an_external_id_are_never_merged(alpha):
    when = datetime.datetime(2026, 3, 5, 9, tzinfo=UTC)
    for _ in range(2):
        touchpoint_create(
            tenant=alpha.tenant,
            actor=alpha.manager,
            partner=alpha.partner1,
            account=alpha.acme,
            touch_type="referral",
            occurred_at=when,
        )
    assert Touchpoint.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"touch_type": "webinar"}, "invalid_type", "touch_type"),
        ({"weight": Decimal("-0.5")}, "negative_weight", "weight"),
        ({"registration": "globex"}, "deal_account_mismatch", "registration"),
        ({"occurred_at": datetime.datetime(2026, 3, 5)}, "naive_datetime", "occurred_at"),
        ({"external_id": "derived:lead:1"}, "reserved_external_id", "external_id"),
    ],
)
def test_a_bad_touchpoint_is_refused_on_its_field_and_nothing_is_written(alpha, change, code, field):
    if change.get("registration") == "globex":
        change = {"registration": registration(alpha.tenant, alpha.partner1, alpha.globex, submitted=datetime.date(2026, 2, 1))}
    arguments = {
        "tenant": alpha.tenant,
        "actor": alpha.manager,
        "partner": alpha.partner1,
        "account": alpha.acme,
        "touch_type": "referral",
        "occurred_at": datetime.datetime(2026, 3, 5, tzinfo=UTC),
        **change,
    }
    with pytest.raises(ApplicationError) as refused:
        touchpoint_create(**arguments)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert not Touchpoint.objects.exists()
