"""``partner-contacts/`` and the import endpoints in the API: CRUD, filters, cursor pages, 200 with counts or
400 with every row error in the envelope, roles."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ecosystem.tenancy.context import tenant_context
from partners.contacts import partner_contact_create
from partners.models import PartnerContact, PartnerOrganization

pytestmark = pytest.mark.django_db

URL = "/api/v1/t/alpha/partner-contacts/"


@pytest.fixture
def manager(client, world):
    client.force_login(world.a.manager)
    return client


def add(world, partner, name, email, role="other"):
    with tenant_context(world.a.tenant.pk):
        return partner_contact_create(
            tenant=world.a.tenant, actor=world.a.owner, partner=partner, name=name, email=email, role=role
        )


def test_create_read_update_and_delete_a_contact(manager, world):
    created = manager.post(
        URL,
        {"partner": str(world.a.partner1.public_id), "name": "Ana", "email": "ana@reseller.example", "role": "primary"},
        content_type="application/json",
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["partner"], body["partner_name"], body["role"]) == (str(world.a.partner1.public_id), "Alpha Reseller", "primary")
    detail = f"{URL}{body['id']}/"
    assert manager.get(detail).json()["email"] == "ana@reseller.example"
    patched = manager.patch(detail, {"job_title": "CTO"}, content_type="application/json")
    assert (patched.status_code, patched.json()["job_title"], patched.json()["name"]) == (200, "CTO", "Ana")
    moved = manager.patch(detail, {"partner": str(world.a.partner2.public_id)}, content_type="application/json")
    assert (moved.status_code, moved.json()["code"]) == (400, "read_only")
    assert manager.delete(detail).status_code == 204
    with tenant_context(world.a.tenant.pk):
        assert not PartnerContact.objects.exists()


def test_a_duplicate_email_or_a_foreign_partner_is_a_400_naming_the_field(manager, world):
    add(world, world.a.partner1, "Ana", "ana@reseller.example")
    duplicate = manager.post(
        URL,
        {"partner": str(world.a.partner1.public_id), "name": "A", "email": "ANA@reseller.example"},
        content_type="application/json",
    )
    assert (duplicate.status_code, duplicate.json()["code"], duplicate.json()["attr"]) == (400, "duplicate_email", "email")
    foreign = manager.post(
        URL, {"partner": str(world.b.partner1.public_id), "name": "A", "email": "a@example.com"}, content_type="application/json"
    )
    assert (foreign.status_code, foreign.json()["code"]) == (400, "partner_not_found")


def test_the_list_filters_by_partner_role_and_email_and_pages_with_a_cursor(manager, world):
    ana = add(world, world.a.partner1, "Ana", "Ana@reseller.example", role="primary")
    add(world, world.a.partner1, "Ben", "ben@reseller.example", role="sales")
    cy = add(world, world.a.partner2, "Cy", "cy@msp.example", role="sales")
    ids = lambda response: [row["id"] for row in response.json()["results"]]  # noqa: E731
    assert ids(manager.get(URL, {"partner": str(world.a.partner2.public_id)})) == [str(cy.public_id)]
    assert len(ids(manager.get(URL, {"role": "sales"}))) == 2
    assert ids(manager.get(URL, {"email": "ANA@RESELLER.example"})) == [str(ana.public_id)]
    assert ids(manager.get(URL, {"ordering": "name"}))[0] == str(ana.public_id)
    first = manager.get(URL, {"page_size": 2}).json()
    second = manager.get(first["next"]).json()
    assert len(first["results"]) == 2 and len(second["results"]) == 1 and second["next"] is None


def test_importing_contacts_answers_200_with_counts(manager, world):
    add(world, world.a.partner1, "Ana", "ana@reseller.example")
    text = "partner,name,email\nAlpha Reseller,Ana Lopez,ana@reseller.example\nAlpha MSP,Cy,cy@msp.example\n"
    response = manager.post(f"{URL}import/", {"file": SimpleUploadedFile("c.csv", text.encode(), "text/csv")})
    assert response.status_code == 200
    assert response.json() == {"rows": 2, "created": 1, "updated": 1, "unchanged": 0, "ignored_columns": []}


def test_a_bad_contact_file_answers_400_with_every_row_and_writes_nothing(manager, world):
    text = "partner,name,email\nAlpha Reseller,Ana,ana@reseller.example\nBeta Reseller,Bo,bo@x.example\nAlpha MSP,,bad\n"
    response = manager.post(f"{URL}import/", {"file": SimpleUploadedFile("c.csv", text.encode(), "text/csv")})
    body = response.json()
    assert response.status_code == 400
    assert (body["type"], body["code"], body["attr"]) == ("validation_error", "rows_invalid", "file")
    assert [(r["row"], r["column"], r["code"]) for r in body["rows"]] == [
        (3, "partner", "partner_not_found"),
        (4, "name", "required"),
        (4, "email", "invalid_email"),
    ]
    assert len(body["errors"]) == 4 and body["errors"][1]["detail"].startswith("Row 3, partner:")
    with tenant_context(world.a.tenant.pk):
        assert not PartnerContact.objects.exists()


def test_importing_partners_answers_200_or_400_and_an_unreadable_file_names_the_file(manager, world):
    url = "/api/v1/t/alpha/partners/import/"
    ok = manager.post(url, {"file": SimpleUploadedFile("p.csv", b"name,partner_type\nNew Co,isv\n", "text/csv")})
    assert (ok.status_code, ok.json()["created"]) == (200, 1)
    bad = manager.post(url, {"file": SimpleUploadedFile("p.csv", b"name,partner_type\nOther,wholesaler\n", "text/csv")})
    assert (bad.status_code, bad.json()["rows"][0]["code"]) == (400, "invalid_choice")
    unreadable = manager.post(url, {"file": SimpleUploadedFile("p.csv", b"country\nDE\n", "text/csv")})
    assert (unreadable.status_code, unreadable.json()["code"], unreadable.json()["attr"]) == (400, "missing_columns", "file")
    with tenant_context(world.a.tenant.pk):
        assert not PartnerOrganization.objects.filter(name="Other").exists()


def test_analysts_read_but_cannot_import_and_partner_users_get_404(client, world):
    contact = add(world, world.a.partner1, "Ana", "ana@reseller.example")
    client.force_login(world.a.analyst)
    assert client.get(URL).status_code == 200
    upload = {"file": SimpleUploadedFile("p.csv", b"name,partner_type\nNew Co,isv\n", "text/csv")}
    response = client.post("/api/v1/t/alpha/partners/import/", upload)
    assert (response.status_code, response.json()["code"]) == (403, "role_forbidden")
    assert client.delete(f"{URL}{contact.public_id}/").status_code == 403
    client.force_login(world.a.partner1_admin)
    assert client.get(URL).status_code == 404
    assert client.get(f"{URL}{contact.public_id}/").status_code == 404
    with tenant_context(world.a.tenant.pk):
        assert PartnerContact.objects.count() == 1
        assert not PartnerOrganization.objects.filter(name="New Co").exists()
