"""A program has its SLAs from its creation: new tenants (receiver), existing ones (data migration); reads don't write."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from deals.engagement import engagement_rules_update
from deals.models import EngagementRules
from deals.sla.models import SlaDefinition
from ecosystem.accounts.services import tenant_create
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant
from tests.factories import UserFactory

migration = importlib.import_module("deals.sla.migrations.0002_default_definitions")


def stored(tenant) -> dict[str, tuple[str, int, bool]]:
    with tenant_context(tenant.pk):
        return {d.kind: (d.owed_by, d.target_hours, d.is_active) for d in SlaDefinition.objects.all()}


DEFAULTS = {
    "registration_decision": ("vendor", 48, True),
    "lead_answer": ("partner", 24, True),
    "cosell_answer": ("partner", 72, True),
    "extension_decision": ("vendor", 48, True),
    "appeal_decision": ("vendor", 72, True),
}


def test_a_program_opened_at_signup_has_its_five_slas(db):
    owner = UserFactory(email="founder@example.com")
    tenant = tenant_create(name="Gamma", slug="gamma", owner=owner, actor=owner)
    assert stored(tenant) == DEFAULTS


def write_statements(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_reading_the_sla_pages_and_api_writes_nothing(client, db):
    owner = UserFactory(email="founder@example.com")
    tenant = tenant_create(name="Gamma", slug="gamma", owner=owner, actor=owner)
    Tenant.objects.filter(pk=tenant.pk).update(require_staff_mfa=False)  # the owner has no authenticator in a test
    client.force_login(owner)
    api = APIClient()
    api.force_authenticate(owner)
    client.get(reverse("sla:overview", kwargs={"tenant_slug": "gamma"}))  # the session settles on the first visit
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("sla:overview", kwargs={"tenant_slug": "gamma"})).status_code == 200
        assert client.get(reverse("sla:breaches", kwargs={"tenant_slug": "gamma"})).status_code == 200
        assert api.get("/api/v1/t/gamma/sla-definitions/").status_code == 200
        assert api.get("/api/v1/t/gamma/sla-report/").status_code == 200
    assert not [sql for sql in write_statements(queries) if "sla_" in sql]
    assert not [sql for sql in write_statements(queries) if sql.lstrip().upper().startswith("INSERT")]
    assert len(stored(tenant)) == 5


def test_a_rule_changed_on_the_rules_page_changes_the_stored_sla_target(world):
    with tenant_context(world.a.tenant.pk):
        engagement_rules_update(
            tenant=world.a.tenant, actor=world.a.manager, values={"approval_sla_hours": 12, "lead_response_hours": 6}
        )
    found = stored(world.a.tenant)
    assert (found["registration_decision"][1], found["lead_answer"][1], found["cosell_answer"][1]) == (12, 6, 72)


def test_the_migration_gives_existing_programs_their_slas_under_row_level_security(world):
    """Run as the application role (no BYPASSRLS, like the owner role migrations run as): it sets each tenant itself."""
    with tenant_context(world.a.tenant.pk):
        SlaDefinition.objects.all().delete()
        EngagementRules.objects.create(tenant=world.a.tenant, approval_sla_hours=30, lead_response_hours=8)
    with tenant_context(world.b.tenant.pk):
        SlaDefinition.objects.filter(kind="appeal_decision").update(target_hours=100, is_active=False)
    migration.create_defaults(apps, SimpleNamespace(connection=connection))
    assert stored(world.a.tenant) == {
        **DEFAULTS,
        "registration_decision": ("vendor", 30, True),
        "lead_answer": ("partner", 8, True),
    }
    assert stored(world.b.tenant)["appeal_decision"] == ("vendor", 100, False)  # a program's own choice is kept
    assert len(stored(world.b.tenant)) == 5
    with connection.cursor() as cursor:  # and the tenant setting does not outlive it
        cursor.execute("SELECT current_setting('app.tenant_id', true)")
        assert cursor.fetchone()[0] in ("", None)
    migration.create_defaults(apps, SimpleNamespace(connection=connection))  # again: nothing changes
    assert len(stored(world.a.tenant)) == 5


@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_the_migration_runs_as_the_owner_role_that_row_level_security_binds_too(committed_world):
    """The role ``migrate`` runs as (``owner``: no BYPASSRLS, and the tables FORCE row-level security)."""
    a = committed_world.a
    with tenant_context(a.tenant.pk):
        SlaDefinition.objects.all().delete()
    assert stored(a.tenant) == {}
    migration.create_defaults(apps, SimpleNamespace(connection=connections["owner"]))
    assert stored(a.tenant) == DEFAULTS
    assert len(stored(committed_world.b.tenant)) == 5
