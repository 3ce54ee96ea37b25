"""Django admin for platform operators: signed in through allauth, looks across tenants through the
``platform`` alias, and audits every change. Transactional: the platform alias is its own connection
and only sees committed rows."""

from __future__ import annotations

import pytest
from django.test import Client

from ecosystem.accounts.models import Membership, User
from ecosystem.audit.models import AuditEntry, PlatformAuditEntry
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "platform"])


@pytest.fixture
def operator(committed_world) -> User:
    return UserFactory(email="operator@platform.example", is_staff=True, is_superuser=True)


@pytest.fixture
def operator_client(operator) -> Client:
    client = Client()
    client.force_login(operator)
    return client


def tenant_audit(tenant: Tenant) -> list[AuditEntry]:
    with tenant_context(tenant.pk):
        return list(AuditEntry.objects.order_by("id"))


# --- signing in ----------------------------------------------------------------------------------


def test_the_admin_login_page_hands_over_to_the_allauth_sign_in(client, committed_world):
    # When someone opens Django admin's own login page
    response = client.get("/admin/login/?next=/admin/")

    # Then they are sent to allauth's sign-in (rate limits, MFA), which brings them back afterwards
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_an_anonymous_visit_to_the_admin_never_shows_the_admin_login_form(client, committed_world):
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    body = response.content.decode()
    assert 'name="login"' in body
    assert 'name="username"' not in body


def test_an_operator_signing_in_through_allauth_reaches_the_admin(client, committed_world, operator):
    # When the operator signs in on the allauth page the admin sent them to
    response = client.post(
        "/accounts/login/?next=/admin/", {"login": operator.email, "password": "correct-horse-battery"}, follow=True
    )

    # Then they land on the admin index
    assert response.redirect_chain[-1][0] == "/admin/"
    assert response.status_code == 200
    assert "Partner Ecosystem · platform" in response.content.decode()


def test_a_signed_in_person_who_is_not_an_operator_gets_no_admin_access(client, committed_world):
    # Given the owner of a tenant (vendor staff, not a platform operator), signed in
    client.force_login(committed_world.a.owner)

    # When they open the admin and a list in it
    index = client.get("/admin/", follow=True)
    partners = client.get("/admin/partners/partnerorganization/", follow=True)

    # Then they are refused and see no data
    assert index.status_code == partners.status_code == 403
    assert committed_world.a.partner1.name not in partners.content.decode()


def test_a_staff_flag_without_permissions_shows_no_tenant_data(client, committed_world):
    staff_only = UserFactory(is_staff=True, is_superuser=False)
    client.force_login(staff_only)

    response = client.get("/admin/partners/partnerorganization/")

    assert response.status_code == 403


# --- looking across tenants ----------------------------------------------------------------------


def test_the_operator_lists_partners_of_every_tenant(operator_client, committed_world):
    response = operator_client.get("/admin/partners/partnerorganization/")

    body = response.content.decode()
    assert response.status_code == 200
    for tenant_world in (committed_world.a, committed_world.b):
        assert tenant_world.partner1.name in body
        assert tenant_world.partner2.name in body


def test_the_operator_opens_a_partner_users_membership(operator_client, committed_world):
    with tenant_context(committed_world.b.tenant.pk):
        membership = Membership.objects.get(user=committed_world.b.partner1_admin)

    response = operator_client.get(f"/admin/accounts/membership/{membership.pk}/change/")

    assert response.status_code == 200
    assert committed_world.b.partner1.name in response.content.decode()


# --- every change audited ------------------------------------------------------------------------


def test_creating_a_tenant_in_admin_writes_an_admin_audit_row_in_that_tenant(operator_client, operator, committed_world):
    response = operator_client.post(
        "/admin/tenancy/tenant/add/", {"name": "Gamma Corp", "slug": "gamma", "is_active": "on", "require_staff_mfa": "on"}
    )

    assert response.status_code == 302
    tenant = Tenant.objects.get(slug="gamma")
    [entry] = tenant_audit(tenant)
    assert (entry.action, entry.via, entry.actor_id) == ("admin.create", "admin", operator.pk)
    assert entry.object_id == str(tenant.public_id)
    assert entry.changes["slug"] == "gamma"


def test_changing_a_partner_in_admin_writes_an_admin_audit_row_in_its_tenant(operator_client, operator, committed_world):
    partner = committed_world.b.partner2
    response = operator_client.post(
        f"/admin/partners/partnerorganization/{partner.pk}/change/",
        {
            "name": "Beta MSP (renamed)",
            "partner_type": partner.partner_type,
            "website_domain": partner.website_domain,
            "country": partner.country.code,
            "status": "retired",
        },
    )

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    with tenant_context(committed_world.b.tenant.pk):
        partner.refresh_from_db()
    assert (partner.name, partner.status) == ("Beta MSP (renamed)", "retired")
    [entry] = tenant_audit(committed_world.b.tenant)
    assert (entry.action, entry.via, entry.actor_id) == ("admin.change", "admin", operator.pk)
    assert entry.object_id == str(partner.public_id)
    assert set(entry.changes) == {"name", "status"}
    assert tenant_audit(committed_world.a.tenant) == []


def test_changing_a_user_in_admin_writes_a_platform_audit_row(operator_client, operator, committed_world):
    person = committed_world.outsider
    response = operator_client.post(
        f"/admin/accounts/user/{person.pk}/change/",
        {
            "email": person.email,
            "full_name": "Renamed Person",
            "is_active": "on",
            "date_joined_0": person.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": person.date_joined.strftime("%H:%M:%S"),
            "initial-date_joined_0": person.date_joined.strftime("%Y-%m-%d"),
            "initial-date_joined_1": person.date_joined.strftime("%H:%M:%S"),
        },
    )

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    person.refresh_from_db()
    assert person.full_name == "Renamed Person"
    [entry] = PlatformAuditEntry.objects.filter(object_type="accounts.user")
    assert (entry.action, entry.actor_id, entry.object_id) == ("admin.change", operator.pk, str(person.public_id))
    assert entry.changes == {"full_name": "Renamed Person"}


def test_creating_a_user_in_admin_never_writes_the_password_into_the_audit_log(operator_client, committed_world):
    password = "Sturdy-Unique-Passphrase-42"
    response = operator_client.post(
        "/admin/accounts/user/add/",
        {"email": "new.operator@platform.example", "usable_password": "true", "password1": password, "password2": password},
    )

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    created = User.objects.get(email="new.operator@platform.example")
    [entry] = PlatformAuditEntry.objects.filter(object_id=str(created.public_id))
    assert entry.action == "admin.create"
    assert password not in str(entry.changes)
    assert entry.changes["email"] == "new.operator@platform.example"


def test_changing_a_password_in_admin_is_audited_without_the_password(operator_client, operator, committed_world):
    person = committed_world.outsider
    password = "Sturdy-Unique-Passphrase-42"
    response = operator_client.post(
        f"/admin/accounts/user/{person.pk}/password/",
        {"usable_password": "true", "password1": password, "password2": password},
    )

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    person.refresh_from_db()
    assert person.check_password(password)
    [entry] = PlatformAuditEntry.objects.filter(object_id=str(person.public_id))
    assert (entry.action, entry.actor_id) == ("admin.change_password", operator.pk)
    assert password not in str(entry.changes)


def test_a_failed_admin_change_writes_no_audit_row(operator_client, committed_world):
    # A partner change that the form refuses (no name) changes nothing and audits nothing
    partner = committed_world.a.partner1
    response = operator_client.post(
        f"/admin/partners/partnerorganization/{partner.pk}/change/",
        {"name": "", "partner_type": partner.partner_type, "status": partner.status},
    )

    assert response.status_code == 200
    assert tenant_audit(committed_world.a.tenant) == []
    assert PartnerOrganization.objects.unscoped().using("platform").get(pk=partner.pk).name == partner.name


def test_deleting_a_partner_in_admin_writes_an_admin_audit_row_with_what_was_deleted(operator_client, operator, committed_world):
    partner = committed_world.a.partner2

    response = operator_client.post(f"/admin/partners/partnerorganization/{partner.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not PartnerOrganization.objects.unscoped().using("platform").filter(pk=partner.pk).exists()
    [entry] = tenant_audit(committed_world.a.tenant)
    assert (entry.action, entry.via, entry.actor_id) == ("admin.delete", "admin", operator.pk)
    assert entry.changes["deleted"]["name"] == partner.name
    assert entry.changes["deleted"]["country"] == partner.country.code


@pytest.mark.parametrize("model", ["partners/partnerorganization", "accounts/membership", "accounts/invitation"])
def test_tenant_rows_are_not_added_in_admin(operator_client, committed_world, model):
    # The admin form cannot choose a tenant for them: they are created inside their tenant
    assert operator_client.get(f"/admin/{model}/add/").status_code == 403


def test_tenants_are_added_in_admin(operator_client, committed_world):
    assert operator_client.get("/admin/tenancy/tenant/add/").status_code == 200


def test_a_membership_cannot_be_pointed_at_another_tenants_partner(operator_client, committed_world):
    # Given a partner admin of alpha's partner1
    with tenant_context(committed_world.a.tenant.pk):
        membership = Membership.objects.get(user=committed_world.a.partner1_admin)

    # When the operator sets the membership's partner to a partner of beta
    response = operator_client.post(
        f"/admin/accounts/membership/{membership.pk}/change/",
        {
            "user": membership.user_id,
            "role": membership.role,
            "partner": committed_world.b.partner1.pk,
            "is_active": "on",
        },
    )

    # Then the form refuses it and nothing changes
    assert response.status_code == 200
    assert "partner" in response.context["adminform"].form.errors
    with tenant_context(committed_world.a.tenant.pk):
        membership.refresh_from_db()
    assert membership.partner_id == committed_world.a.partner1.pk
    assert tenant_audit(committed_world.a.tenant) == []


# --- setting a program up ------------------------------------------------------------------------


def test_an_operator_adds_a_tier_with_its_rules_to_one_tenant(operator_client, committed_world):
    from partners.models import Tier, TierRule

    tenant = committed_world.a.tenant
    response = operator_client.post(
        "/admin/partners/tier/add/",
        {
            "owning_tenant": tenant.pk,
            "name": "Gold",
            "rank": 2,
            "discount_percent": "20",
            "deal_protection_days": 120,
            "other_benefits": "",
            "rules-TOTAL_FORMS": 1,
            "rules-INITIAL_FORMS": 0,
            "rules-MIN_NUM_FORMS": 0,
            "rules-MAX_NUM_FORMS": 1000,
            "rules-0-metric": "certified_people",
            "rules-0-minimum": "3",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with tenant_context(tenant.pk):
        tier = Tier.objects.get(name="Gold")
        assert list(TierRule.objects.filter(tier=tier).values_list("metric", "tenant_id")) == [("certified_people", tenant.pk)]
    assert [e.action for e in tenant_audit(tenant)] == ["admin.create", "admin.create"]
    with tenant_context(committed_world.b.tenant.pk):
        assert not Tier.objects.exists()


def test_a_template_step_cannot_point_at_another_tenants_template(operator_client, committed_world):
    from onboarding.models import OnboardingTemplate, OnboardingTemplateStep

    with tenant_context(committed_world.b.tenant.pk):
        foreign = OnboardingTemplate.objects.create(tenant=committed_world.b.tenant, name="Beta onboarding")
    response = operator_client.post(
        "/admin/onboarding/onboardingtemplate/add/",
        {
            "owning_tenant": committed_world.a.tenant.pk,
            "name": "Alpha onboarding",
            "partner_type": "",
            "is_active": "on",
            "steps-TOTAL_FORMS": 0,
            "steps-INITIAL_FORMS": 0,
            "steps-MIN_NUM_FORMS": 0,
            "steps-MAX_NUM_FORMS": 1000,
        },
    )
    assert response.status_code == 302
    with tenant_context(committed_world.a.tenant.pk):
        assert OnboardingTemplate.objects.filter(name="Alpha onboarding").exists()
    assert foreign.tenant_id == committed_world.b.tenant.pk
    assert not OnboardingTemplateStep.objects.unscoped().using("platform").exists()


def test_the_partner_form_in_admin_has_no_logo_upload_that_would_skip_the_file_check(operator_client, committed_world):
    partner = committed_world.a.partner1

    body = operator_client.get(f"/admin/partners/partnerorganization/{partner.pk}/change/").content.decode()

    assert 'name="name"' in body and 'name="logo"' not in body


def test_the_operator_lists_learner_tracks_of_every_tenant(operator_client, committed_world):
    from onboarding.learning import learner_tracks_set

    for tenant_world in (committed_world.a, committed_world.b):
        with tenant_context(tenant_world.tenant.pk):
            learner_tracks_set(
                tenant=tenant_world.tenant,
                actor=tenant_world.partner1_admin,
                partner=tenant_world.partner1,
                user=tenant_world.partner1_rep,
                tracks=["technical"],
            )

    response = operator_client.get("/admin/onboarding/learnertrack/")

    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("Technical") >= 2
    assert committed_world.a.partner1.name in body and committed_world.b.partner1.name in body


def test_the_operator_reads_registrations_of_every_tenant_but_cannot_change_them(operator_client, committed_world):
    from deals.models import DealRegistration
    from deals.tests.support import product_lines_for, submit_as

    for tenant_world in (committed_world.a, committed_world.b):
        product_lines_for(tenant_world.tenant)
        submit_as(
            tenant_world.tenant,
            tenant_world.partner1,
            tenant_world.partner1_admin,
            customer_name=f"{tenant_world.tenant.slug} Corp",
        )
    with tenant_context(committed_world.a.tenant.pk):
        registration = DealRegistration.objects.get()

    listing = operator_client.get("/admin/deals/dealregistration/").content.decode()
    change = operator_client.post(f"/admin/deals/dealregistration/{registration.pk}/change/", {"status": "approved"})

    assert "alpha Corp" in listing and "beta Corp" in listing
    assert change.status_code == 403
    with tenant_context(committed_world.a.tenant.pk):
        assert DealRegistration.objects.get().status == "pending"
