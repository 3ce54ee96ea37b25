"""A partner's contacts: the services, the section on the partner's page (with its query budget), the
add / edit / remove pages, and the import pages (roles, template, result, errors kept on screen)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ecosystem.audit.models import AuditEntry
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import tenant_context
from partners.contacts import partner_contact_create, partner_contact_delete, partner_contact_update
from partners.models import PartnerContact, PartnerOrganization

pytestmark = pytest.mark.django_db


def add(world, partner=None, **values):
    values = {"name": "Ana Lopez", "email": "ana@reseller.example", **values}
    with tenant_context(world.a.tenant.pk):
        return partner_contact_create(tenant=world.a.tenant, actor=world.a.owner, partner=partner or world.a.partner1, **values)


# --- services --------------------------------------------------------------------------------------


def test_one_contact_per_partner_and_email_whatever_its_case(world):
    add(world)
    with tenant_context(world.a.tenant.pk):
        with pytest.raises(ApplicationError) as duplicate:
            partner_contact_create(
                tenant=world.a.tenant, actor=world.a.owner, partner=world.a.partner1, name="Ana", email="ANA@reseller.example"
            )
        other_partner = partner_contact_create(
            tenant=world.a.tenant, actor=world.a.owner, partner=world.a.partner2, name="Ana", email="ana@reseller.example"
        )
        assert (duplicate.value.code, duplicate.value.field) == ("duplicate_email", "email")
        assert PartnerContact.objects.count() == 2 and other_partner.partner == world.a.partner2


def test_update_and_delete_write_one_audit_row_each_and_a_no_op_writes_none(world):
    contact = add(world)
    with tenant_context(world.a.tenant.pk):
        partner_contact_update(tenant=world.a.tenant, actor=world.a.manager, contact=contact, name="Ana Lopez")
        partner_contact_update(tenant=world.a.tenant, actor=world.a.manager, contact=contact, role="billing")
        partner_contact_delete(tenant=world.a.tenant, actor=world.a.manager, contact=contact)
        actions = list(
            AuditEntry.objects.filter(object_id=str(contact.public_id)).order_by("id").values_list("action", flat=True)
        )
        assert actions == ["partner.contact_create", "partner.contact_update", "partner.contact_delete"]
        assert not PartnerContact.objects.exists()


def test_partner_users_never_read_another_partners_contacts_in_the_database(world):
    add(world)
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner2.pk):
        assert PartnerContact.objects.count() == 0  # row-level security, partner policy
    with tenant_context(world.b.tenant.pk):
        assert PartnerContact.objects.count() == 0  # the other tenant's


# --- the partner's page ----------------------------------------------------------------------------


def detail(world) -> str:
    return f"/t/alpha/partners/{world.a.partner1.public_id}/"


def test_the_partner_page_lists_its_contacts_in_a_constant_number_of_queries(client, world):
    add(world)
    client.force_login(world.a.analyst)
    client.get(detail(world))  # warm the session and caches
    with CaptureQueriesContext(connection) as one:
        response = client.get(detail(world))
    page = response.content.decode()
    assert page.count('data-testid="contact"') == 1 and "ana@reseller.example" in page
    assert 'data-testid="contact-add-link"' not in page  # analysts read only
    for i in range(5):
        add(world, name=f"Person {i}", email=f"p{i}@reseller.example")
    with CaptureQueriesContext(connection) as six:
        response = client.get(detail(world))
    assert response.content.decode().count('data-testid="contact"') == 6
    contact_queries = [q["sql"] for q in six.captured_queries if 'FROM "partners_partnercontact"' in q["sql"]]
    assert len(contact_queries) == 1  # the contacts section: one query, whatever their number
    assert len(six) == len(one) == 21  # the whole page, unchanged by the number of contacts


def test_a_manager_adds_edits_and_removes_a_contact_on_the_partner_page(client, world):
    client.force_login(world.a.manager)
    base = f"{detail(world)}contacts/"
    response = client.post(f"{base}new/", {"name": "Ben", "email": "ben@reseller.example", "role": "sales"})
    assert response.status_code == 302
    with tenant_context(world.a.tenant.pk):
        contact = PartnerContact.objects.get()
    assert (contact.partner_id, contact.role) == (world.a.partner1.pk, "sales")
    duplicate = client.post(f"{base}new/", {"name": "Ben 2", "email": "BEN@reseller.example", "role": "other"})
    assert duplicate.status_code == 400 and "already has a contact with this email" in duplicate.content.decode()
    edit = client.post(
        f"{base}{contact.public_id}/edit/", {"name": "Ben Okafor", "email": "ben@reseller.example", "role": "technical"}
    )
    assert edit.status_code == 302
    assert client.get(f"{base}{contact.public_id}/delete/").status_code == 405
    assert client.post(f"{base}{contact.public_id}/delete/").status_code == 302
    with tenant_context(world.a.tenant.pk):
        assert not PartnerContact.objects.exists()


def test_a_contact_is_reached_only_through_its_own_partner(client, world):
    contact = add(world)
    client.force_login(world.a.manager)
    other = f"/t/alpha/partners/{world.a.partner2.public_id}/contacts/{contact.public_id}/"
    assert client.get(f"{other}edit/").status_code == 404
    assert client.post(f"{other}delete/").status_code == 404
    with tenant_context(world.a.tenant.pk):
        assert PartnerContact.objects.filter(pk=contact.pk).exists()


def test_analysts_cannot_change_contacts_and_partner_users_get_404(client, world):
    contact = add(world)
    base = f"{detail(world)}contacts/"
    client.force_login(world.a.analyst)
    assert client.post(f"{base}new/", {"name": "X", "email": "x@example.com", "role": "other"}).status_code == 403
    assert client.post(f"{base}{contact.public_id}/delete/").status_code == 403
    client.force_login(world.a.partner1_admin)
    for url in (
        f"{base}new/",
        f"{base}{contact.public_id}/edit/",
        "/t/alpha/partners/import/",
        "/t/alpha/partners/contacts/import/",
    ):
        assert client.get(url).status_code == 404
    with tenant_context(world.a.tenant.pk):
        assert PartnerContact.objects.count() == 1


# --- the import pages ------------------------------------------------------------------------------


def upload(text: str) -> dict:
    return {"file": SimpleUploadedFile("partners.csv", text.encode(), "text/csv")}


def test_a_manager_imports_partners_and_sees_the_counts(client, world):
    client.force_login(world.a.manager)
    list_page = client.get("/t/alpha/partners/").content.decode()
    assert 'data-testid="partners-import-link"' in list_page
    text = "name,partner_type,country\nNew One,msp,DE\nAlpha MSP,msp,\nAlpha Reseller,,FR\n"
    response = client.post("/t/alpha/partners/import/", upload(text))
    assert response.status_code == 200
    assert "3 rows read: 1 created, 1 updated, 1 unchanged." in response.content.decode()
    with tenant_context(world.a.tenant.pk):
        assert PartnerOrganization.objects.get(name="New One").country.code == "DE"


def test_a_bad_file_keeps_every_row_error_on_screen_and_writes_nothing(client, world):
    client.force_login(world.a.manager)
    text = "partner,name,email,role\nAlpha Reseller,Ann,ann@x.example,\nNobody,Bob,bob@x.example,\nAlpha MSP,Cy,nope,chief\n"
    response = client.post("/t/alpha/partners/contacts/import/", upload(text))
    page = response.content.decode()
    assert response.status_code == 400
    assert [(e.row, e.column, e.code) for e in response.context["errors"]] == [
        (3, "partner", "partner_not_found"),
        (4, "email", "invalid_email"),
        (4, "role", "invalid_choice"),
    ]
    assert page.count('data-testid="row-error"') == 3 and "choose the file again" in page
    with tenant_context(world.a.tenant.pk):
        assert not PartnerContact.objects.exists()


def test_the_template_csv_downloads_and_imports_as_it_is(client, world):
    client.force_login(world.a.owner)
    template = client.get("/t/alpha/partners/import/", {"template": "csv"})
    assert template["Content-Type"].startswith("text/csv")
    assert (
        template.content.decode().splitlines()[0]
        == "public_id,name,partner_type,country,website,regions,capabilities,tier,status"
    )
    contacts = client.get("/t/alpha/partners/contacts/import/", {"template": "csv"}).content.decode()
    assert contacts.splitlines()[0] == "partner,name,email,phone,title,role"


def test_analysts_cannot_import(client, world):
    client.force_login(world.a.analyst)
    assert 'data-testid="partners-import-link"' not in client.get("/t/alpha/partners/").content.decode()
    assert client.get("/t/alpha/partners/import/").status_code == 403
    assert client.post("/t/alpha/partners/import/", upload("name,partner_type\nX,msp\n")).status_code == 403
    assert (
        client.post("/t/alpha/partners/contacts/import/", upload("partner,name,email\nAlpha MSP,X,x@x.example\n")).status_code
        == 403
    )
    with tenant_context(world.a.tenant.pk):
        assert not PartnerOrganization.objects.filter(name="X").exists()
        assert not PartnerContact.objects.exists()


def test_a_partner_admin_reads_their_own_organisations_contacts_on_the_team_page_only(client, world):
    add(world)
    add(world, world.a.partner2, name="Other Partner Person", email="other@msp.example")
    client.force_login(world.a.partner1_admin)
    page = client.get("/p/alpha/team/").content.decode()
    assert 'data-testid="our-contacts"' in page and "ana@reseller.example" in page
    assert "other@msp.example" not in page
    client.force_login(world.a.partner1_rep)
    assert 'data-testid="our-contacts"' not in client.get("/p/alpha/team/").content.decode()
