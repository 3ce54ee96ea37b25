from __future__ import annotations

import json

import pytest
from django.test import RequestFactory

from ecosystem.accounts.models import Role
from ecosystem.accounts.services import membership_add
from ecosystem.audit.models import AuditEntry
from ecosystem.portal.errors import server_error
from ecosystem.tenancy.context import tenant_context
from partners.services import partner_create
from tests.factories import PartnerFactory


def test_the_dashboard_shows_real_counts(client, world):
    with tenant_context(world.a.tenant.pk):
        PartnerFactory.create_batch(3, tenant=world.a.tenant, partner_type="isv", status="prospect")
    client.force_login(world.a.analyst)
    response = client.get("/t/alpha/")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="partners-total">5<' in body
    chart = json.loads(body.split('id="by-type-data" type="application/json">')[1].split("</script>")[0])
    counts = dict(zip(chart["labels"], chart["values"], strict=True))
    assert counts["Reseller"] == 1
    assert counts["Managed service provider"] == 1
    assert counts["Independent software vendor"] == 3


def test_the_partner_portal_shows_the_partners_own_organisation(client, world):
    client.force_login(world.a.partner1_admin)
    body = client.get("/p/alpha/").content.decode()
    assert world.a.partner1.name in body
    assert world.a.partner2.name not in body
    assert 'data-testid="team-size">2<' in body  # the admin and the rep of partner 1


def test_staff_and_partner_users_are_each_kept_to_their_own_portal(client, world):
    client.force_login(world.a.partner1_admin)
    assert client.get("/t/alpha/").status_code == 404
    client.force_login(world.a.manager)
    assert client.get("/p/alpha/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in_and_back(client, world):
    response = client.get("/t/alpha/partners/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/t/alpha/partners/"


def test_an_unknown_tenant_gets_the_friendly_404(client, world):
    client.force_login(world.a.manager)
    response = client.get("/t/no-such-program/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_the_500_page_is_friendly_and_the_api_gets_the_envelope(rf: RequestFactory):
    page = server_error(rf.get("/t/alpha/"))
    assert page.status_code == 500
    assert "Something went wrong on our side" in page.content.decode()
    api = server_error(rf.get("/api/v1/t/alpha/partners/"))
    assert json.loads(api.content) == {
        "type": "server_error",
        "code": "error",
        "detail": "A server error occurred.",
        "attr": None,
    }


def test_the_tenant_switcher_lists_every_program_of_a_person(client, world):
    with tenant_context(world.b.tenant.pk):
        membership_add(tenant=world.b.tenant, actor=None, user=world.a.manager, role=Role.ANALYST)
    client.force_login(world.a.manager)
    body = client.get("/t/alpha/").content.decode()
    assert 'data-testid="tenant-switcher"' in body
    assert "/t/beta/" in body
    assert client.get("/t/beta/").status_code == 200


def test_a_partner_user_in_two_programs_sees_both_in_the_switcher(client, world):
    """The partner restriction in one tenant must not hide the person's memberships elsewhere."""
    with tenant_context(world.b.tenant.pk):
        membership_add(
            tenant=world.b.tenant, actor=None, user=world.a.partner1_admin, role=Role.PARTNER_ADMIN, partner=world.b.partner1
        )
    client.force_login(world.a.partner1_admin)
    body = client.get("/p/alpha/").content.decode()
    assert "/p/beta/" in body


def test_people_with_one_program_see_no_switcher(client, world):
    client.force_login(world.a.manager)
    assert 'data-testid="tenant-switcher"' not in client.get("/t/alpha/").content.decode()


def test_owners_read_the_audit_log_and_filter_it(client, world):
    with tenant_context(world.a.tenant.pk):
        partner_create(tenant=world.a.tenant, actor=world.a.manager, name="Audited Co", partner_type="si")
    client.force_login(world.a.owner)
    body = client.get("/t/alpha/audit/", {"action": "partner."}).content.decode()
    assert "partner.create" in body
    assert "Audited Co" in body
    assert world.a.manager.email in body


def test_the_audit_log_is_for_owners_only(client, world):
    client.force_login(world.a.manager)
    assert client.get("/t/alpha/audit/").status_code == 403


@pytest.mark.django_db
def test_audit_rows_cannot_be_changed_or_deleted(world):
    from django.db import DatabaseError, transaction

    with tenant_context(world.a.tenant.pk):
        partner_create(tenant=world.a.tenant, actor=None, name="Immutable", partner_type="si")
        entry = AuditEntry.objects.get(action="partner.create")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).update(action="tampered")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).delete()
        assert AuditEntry.objects.get(pk=entry.pk).action == "partner.create"


def test_audit_rows_carry_the_request_id_and_address(client, world):
    client.force_login(world.a.manager)
    client.post(
        "/t/alpha/partners/new/",
        {"name": "Traced", "partner_type": "si", "status": "active"},
        HTTP_X_REQUEST_ID="req-abc-123",
        REMOTE_ADDR="203.0.113.9",
    )
    with tenant_context(world.a.tenant.pk):
        entry = AuditEntry.objects.get(action="partner.create")
    assert (entry.request_id, entry.ip, entry.via) == ("req-abc-123", "203.0.113.9", "portal")


def test_the_audit_log_filters_by_who_type_and_dates_and_exports(client, world):
    import datetime

    with tenant_context(world.a.tenant.pk):
        partner_create(tenant=world.a.tenant, actor=world.a.manager, name="Audited Co", partner_type="si")
        partner_create(tenant=world.a.tenant, actor=world.a.owner, name="Owned Co", partner_type="si")
    client.force_login(world.a.owner)
    today = datetime.date.today().isoformat()
    page = client.get(
        "/t/alpha/audit/",
        {"who": world.a.manager.email, "object_type": "partners.partnerorganization", "since": today, "until": today},
    )
    body = page.content.decode()
    assert "Audited Co" in body and "Owned Co" not in body
    assert "Audited Co" not in client.get("/t/alpha/audit/", {"since": "2000-01-01", "until": "2000-01-02"}).content.decode()
    import csv
    import json

    exported = client.get("/t/alpha/audit/", {"action": "partner.create", "export": "csv"}).content.decode()
    header, *rows = list(csv.reader(exported.splitlines()))
    assert header[:3] == ["when", "who", "action"] and len(rows) == 2
    newest = dict(zip(header, rows[0], strict=True))
    assert newest["who"] == world.a.owner.email and newest["object"] == "Owned Co"
    assert json.loads(newest["changes"])["name"] == [None, "Owned Co"]  # the changes as JSON: [before, after]


def test_bad_audit_filters_are_shown_with_what_was_typed(client, world):
    client.force_login(world.a.owner)
    response = client.get("/t/alpha/audit/", {"since": "2026-05-02", "until": "2026-05-01", "who": "kim"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "The end comes before the start." in body and 'value="kim"' in body
