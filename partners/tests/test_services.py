from __future__ import annotations

import pytest

from ecosystem.audit.models import AuditEntry
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import tenant_context
from partners.models import PartnerOrganization
from partners.services import partner_create, partner_update


def test_creating_a_partner_stores_normalised_fields_and_writes_one_audit_row(world):
    tenant = world.a.tenant
    with tenant_context(tenant.pk):
        partner = partner_create(
            tenant=tenant,
            actor=world.a.manager,
            name="  Zenith Cloud ",
            partner_type="msp",
            website_domain="https://www.Zenith.example/",
            country="fr",
        )
        entries = list(AuditEntry.objects.filter(object_id=str(partner.public_id)))
    assert (partner.name, partner.website_domain, partner.country.code, partner.status) == (
        "Zenith Cloud",
        "zenith.example",
        "FR",
        "prospect",
    )
    assert [(entry.action, entry.actor_id) for entry in entries] == [("partner.create", world.a.manager.pk)]
    assert entries[0].changes["website_domain"] == [None, "zenith.example"]


def test_a_second_partner_with_the_same_domain_is_refused_and_nothing_is_written(world):
    tenant = world.a.tenant
    with tenant_context(tenant.pk):
        before = (PartnerOrganization.objects.count(), AuditEntry.objects.count())
        with pytest.raises(ApplicationError) as error:
            partner_create(
                tenant=tenant, actor=world.a.manager, name="Copy", partner_type="msp", website_domain="WWW.reseller.alpha.example"
            )
        after = (PartnerOrganization.objects.count(), AuditEntry.objects.count())
    assert (error.value.code, error.value.field) == ("duplicate_domain", "website_domain")
    assert after == before


def test_the_same_domain_may_exist_in_another_tenant(world):
    with tenant_context(world.b.tenant.pk):
        partner = partner_create(
            tenant=world.b.tenant, actor=world.b.manager, name="Same", partner_type="isv", website_domain="reseller.alpha.example"
        )
    assert partner.tenant_id == world.b.tenant.pk


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("name", "   ", "required"),
        ("partner_type", "pirate", "invalid_choice"),
        ("status", "gone", "invalid_choice"),
        ("country", "XX", "invalid_choice"),
        ("website_domain", "nope", "invalid_domain"),
    ],
)
def test_bad_values_are_refused_field_by_field(world, field, value, code):
    values = {"name": "Valid", "partner_type": "msp", "website_domain": "valid.example", "country": "DE", "status": "active"}
    values[field] = value
    with tenant_context(world.a.tenant.pk), pytest.raises(ApplicationError) as error:
        partner_create(tenant=world.a.tenant, actor=None, **values)
    assert (error.value.field, error.value.code) == (field, code)


def test_updating_records_only_what_changed(world):
    tenant = world.a.tenant
    with tenant_context(tenant.pk):
        partner = partner_update(
            tenant=tenant, actor=world.a.manager, partner=world.a.partner1, status="at_risk", name=world.a.partner1.name
        )
        entry = AuditEntry.objects.get(action="partner.update")
    assert partner.status == "at_risk"
    assert entry.changes == {"status": ["active", "at_risk"]}


def test_an_update_that_changes_nothing_audits_nothing(world):
    tenant = world.a.tenant
    with tenant_context(tenant.pk):
        partner_update(tenant=tenant, actor=world.a.manager, partner=world.a.partner1, status=world.a.partner1.status)
        assert not AuditEntry.objects.filter(action="partner.update").exists()


def test_moving_a_partner_onto_a_taken_domain_is_refused(world):
    tenant = world.a.tenant
    with tenant_context(tenant.pk), pytest.raises(ApplicationError) as error:
        partner_update(tenant=tenant, actor=None, partner=world.a.partner2, website_domain=world.a.partner1.website_domain)
    assert error.value.code == "duplicate_domain"


def test_only_editable_fields_can_be_changed(world):
    with tenant_context(world.a.tenant.pk), pytest.raises(ApplicationError) as error:
        partner_update(tenant=world.a.tenant, actor=None, partner=world.a.partner1, tenant_id=world.b.tenant.pk)
    assert error.value.code == "read_only"


@pytest.mark.django_db(transaction=True)
def test_two_writers_racing_for_one_domain_end_with_one_partner(committed_world):
    """The partial unique index decides: the loser gets the same duplicate_domain answer."""
    import threading

    from django.db import connection

    tenant = committed_world.a.tenant
    results: list[str] = []
    barrier = threading.Barrier(2)

    def create(name: str) -> None:
        try:
            with tenant_context(tenant.pk):
                barrier.wait()
                partner_create(tenant=tenant, actor=None, name=name, partner_type="msp", website_domain="race.example")
            results.append("created")
        except ApplicationError as error:
            results.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(f"Racer {i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with tenant_context(tenant.pk):
        assert PartnerOrganization.objects.filter(website_domain="race.example").count() == 1
    assert sorted(results) == ["created", "duplicate_domain"]
