"""The database layer of tenancy, read from the catalogue and probed with raw SQL as the app role."""

from __future__ import annotations

import pytest
from django.db import connection, connections, transaction

from ecosystem.tenancy.catalogue import app_role_problems, rls_problems, tenant_tables
from ecosystem.tenancy.context import TenantScopeError, tenant_context
from partners.models import PartnerOrganization


def raw_count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_every_tenant_table_has_forced_rls_with_tenant_and_partner_policies():
    tables = tenant_tables()
    assert "partners_partnerorganization" in tables
    assert "accounts_membership" in tables
    assert "audit_auditentry" in tables
    assert rls_problems() == []


@pytest.mark.django_db
def test_app_role_is_ordinary_and_owns_nothing():
    assert app_role_problems() == []


@pytest.mark.django_db(databases=["default", "owner"])
def test_catalogue_check_fails_when_a_policy_is_dropped():
    """The check above can fail: drop one policy (inside a rolled-back transaction) and it says so."""
    with transaction.atomic(using="owner"), connections["owner"].cursor() as cursor:
        cursor.execute("DROP POLICY tenant_isolation ON partners_partnerorganization")
        assert "partners_partnerorganization: no tenant_isolation policy" in rls_problems(using="owner")
        transaction.set_rollback(True, using="owner")
    assert rls_problems(using="owner") == []


def test_orm_raises_without_tenant_scope(world):
    with pytest.raises(TenantScopeError):
        list(PartnerOrganization.objects.all())
    with pytest.raises(TenantScopeError):
        PartnerOrganization.objects.create(tenant=world.a.tenant, name="X", partner_type="msp")


def test_raw_sql_without_scope_sees_nothing_and_cannot_insert(world):
    assert raw_count("partners_partnerorganization") == 0
    insert = (
        "INSERT INTO partners_partnerorganization (tenant_id, public_id, name, partner_type, website_domain, "
        "country, status, created_at, updated_at) "
        "VALUES (%s, gen_random_uuid(), 'Intruder', 'msp', '', '', 'active', now(), now())"
    )
    with pytest.raises(Exception, match="row-level security"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(insert, [world.a.tenant.pk])


def test_raw_sql_in_scope_sees_only_that_tenant(world):
    with tenant_context(world.a.tenant.pk), connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tenant_id FROM partners_partnerorganization")
        assert [row[0] for row in cursor.fetchall()] == [world.a.tenant.pk]
    assert raw_count("partners_partnerorganization") == 0  # the scope ended with its block


def test_partner_scope_sees_only_its_own_organisation(world):
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk), connection.cursor() as cursor:
        cursor.execute("SELECT id FROM partners_partnerorganization")
        assert [row[0] for row in cursor.fetchall()] == [world.a.partner1.pk]
        cursor.execute("SELECT DISTINCT partner_id FROM accounts_membership")
        assert [row[0] for row in cursor.fetchall()] == [world.a.partner1.pk]
        cursor.execute("SELECT count(*) FROM api_apikey")  # staff-only table: nothing for partners
        assert cursor.fetchone()[0] == 0


def test_nesting_a_scope_for_another_tenant_is_refused(world):
    with tenant_context(world.a.tenant.pk), pytest.raises(TenantScopeError), tenant_context(world.b.tenant.pk):
        pass


@pytest.mark.django_db(transaction=True)
def test_after_a_committed_scope_the_same_connection_sees_nothing():
    """The empty-string trap: after a transaction set app.tenant_id, later ones read it back as ''."""
    from tests.factories import PartnerFactory, TenantFactory

    tenant = TenantFactory()
    with tenant_context(tenant.pk):
        PartnerFactory(tenant=tenant)
    # committed; same connection, new (autocommit) statements:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('app.tenant_id', true)")
        assert cursor.fetchone()[0] == ""
    assert raw_count("partners_partnerorganization") == 0
    with transaction.atomic():
        assert raw_count("partners_partnerorganization") == 0
