"""Personal data pages: owners only, the export download, erasure with a typed address, retention form,
everyone's own data in both portals; bad input re-renders with what was typed."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from ecosystem.accounts.models import Membership
from ecosystem.audit.models import AuditEntry
from ecosystem.audit.services import audit_record
from ecosystem.privacy.models import ErasedPerson, PrivacySettings
from ecosystem.tenancy.context import tenant_context

from .support import NAME, give_records, named


def url(name: str, **kwargs) -> str:
    return reverse(name, kwargs={"tenant_slug": "alpha", **kwargs})


def member_id(world, user) -> str:
    with tenant_context(world.a.tenant.pk):
        return str(Membership.objects.get(user=user).public_id)


@pytest.fixture
def owner(client, world):
    client.force_login(world.a.owner)
    return client


@pytest.fixture
def rita(world):
    return named(world.a.partner1_rep)


def test_the_team_page_links_each_member_to_their_personal_data_for_owners(owner, world):
    page = owner.get(url("portal:team")).content.decode()
    assert url("privacy:member", membership_id=member_id(world, world.a.manager)) in page


def test_people_lists_staff_and_partner_users_and_filters_by_name(owner, world, rita):
    page = owner.get(url("privacy:people")).content.decode()
    assert NAME in page and world.a.manager.email in page

    filtered = owner.get(url("privacy:people"), {"q": "repsworth"}).content.decode()
    assert NAME in filtered and world.a.manager.email not in filtered


def test_the_member_page_counts_the_records_and_the_export_is_a_json_file_and_audited(owner, world, rita):
    give_records(world.a, rita, world.a.partner1)
    target = member_id(world, rita)

    page = owner.get(url("privacy:member", membership_id=target)).content.decode()
    response = owner.post(url("privacy:member_export", membership_id=target))

    assert '<code>mdf.mdfrequest</code></td><td class="text-end">1</td>' in page
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert "attachment;" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["profile"]["full_name"] == NAME
    assert [r["title"] for r in data["records"]["mdf.mdfrequest"]] == ["Rita's roadshow"]
    with tenant_context(world.a.tenant.pk):
        assert AuditEntry.objects.filter(action="privacy.export", actor=world.a.owner).count() == 1


@pytest.mark.parametrize("user_attr", ["manager", "analyst"])
def test_staff_other_than_owners_may_not_see_or_export_others_data(client, world, rita, user_attr):
    client.force_login(getattr(world.a, user_attr))
    target = member_id(world, rita)

    assert client.get(url("privacy:member", membership_id=target)).status_code == 403
    assert client.post(url("privacy:member_export", membership_id=target)).status_code == 403
    assert client.post(url("privacy:member_erase", membership_id=target), {"confirm_email": rita.email}).status_code == 403
    with tenant_context(world.a.tenant.pk):
        assert not AuditEntry.objects.filter(action__startswith="privacy.").exists()
        assert not ErasedPerson.objects.exists()


def test_a_wrong_address_re_renders_the_erase_form_with_what_was_typed(owner, world, rita):
    target = member_id(world, rita)

    response = owner.post(url("privacy:member_erase", membership_id=target), {"confirm_email": "typo@example.com"})

    page = response.content.decode()
    assert response.status_code == 400
    assert 'value="typo@example.com"' in page and "Type the person&#x27;s email address exactly" in page
    with tenant_context(world.a.tenant.pk):
        assert not ErasedPerson.objects.exists()


def test_erasing_shows_the_pseudonym_from_then_on(owner, world, rita):
    target = member_id(world, rita)

    response = owner.post(url("privacy:member_erase", membership_id=target), {"confirm_email": rita.email.upper()})

    assert response.status_code == 302
    page = owner.get(url("privacy:member", membership_id=target)).content.decode()
    assert f"Erased person #{rita.pk}" in page and NAME not in page and 'data-testid="erase-form"' not in page


def test_the_retention_form_saves_and_keeps_bad_input(owner, world):
    bad = owner.post(url("privacy:retention"), {"engagement_retention_days": "30"})
    assert bad.status_code == 400 and 'value="30"' in bad.content.decode()

    good = owner.post(url("privacy:retention"), {"engagement_retention_days": "365"})
    assert good.status_code == 302
    with tenant_context(world.a.tenant.pk):
        assert PrivacySettings.objects.get().engagement_retention_days == 365
    assert 'value="365"' in owner.get(url("privacy:retention")).content.decode()


def test_the_retention_page_reads_in_a_fixed_number_of_queries(owner, world, django_assert_num_queries):
    owner.get(url("privacy:retention"))
    # session, user, tenant; savepoint + tenant settings; membership; ours: the settings row (1);
    # the navigation's program switcher: savepoint, user settings, memberships, tenant settings back,
    # release; release the request's savepoint; clear the settings
    with django_assert_num_queries(14):
        owner.get(url("privacy:retention"))


@pytest.mark.parametrize(("user_attr", "name"), [("analyst", "privacy"), ("partner1_rep", "partner_privacy")])
def test_everyone_downloads_their_own_data_from_my_data(client, world, rita, user_attr, name):
    user = getattr(world.a, user_attr)
    client.force_login(user)

    page = client.get(url(f"{name}:my_data"))
    response = client.post(url(f"{name}:my_data_export"))

    assert page.status_code == 200 and "Download my data" in page.content.decode()
    data = json.loads(response.content)
    assert data["profile"]["email"] == user.email
    with tenant_context(world.a.tenant.pk):
        entry = AuditEntry.objects.get(action="privacy.export")
    assert entry.changes["own_data"] is True and entry.actor_id == user.pk


def test_a_partner_users_own_download_includes_rows_outside_their_partner_scope(client, world, rita):
    # an audit entry written in the staff scope (no partner) with the rep as actor
    with tenant_context(world.a.tenant.pk):
        audit_record(tenant=world.a.tenant, actor=rita, action="probe.staff_scope")
    client.force_login(rita)

    data = json.loads(client.post(url("partner_privacy:my_data_export")).content)

    assert "probe.staff_scope" in [e["action"] for e in data["records"]["audit.auditentry"]]
    with tenant_context(world.a.tenant.pk):
        entry = AuditEntry.objects.get(action="privacy.export")
    assert entry.partner_id == world.a.partner1.pk  # the export itself is recorded in the rep's own scope


def test_searching_people_by_an_erased_persons_address_does_not_tell_their_pseudonym(owner, world, rita):
    target = member_id(world, rita)
    owner.post(url("privacy:member_erase", membership_id=target), {"confirm_email": rita.email}, follow=True)

    by_address = owner.get(url("privacy:people"), {"q": "repsworth"}).content.decode()
    by_pseudonym = owner.get(url("privacy:people"), {"q": f"#{rita.pk}"}).content.decode()

    assert f"Erased person #{rita.pk}" not in by_address
    assert f"Erased person #{rita.pk}" in by_pseudonym
