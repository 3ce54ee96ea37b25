"""Account pages: the home page, opening a program, and invitations from the team pages to acceptance."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ecosystem.accounts import services
from ecosystem.accounts.models import Invitation, Membership, Role, User
from ecosystem.audit.models import AuditEntry
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant
from tests.factories import MembershipFactory, UserFactory
from tests.fixtures import membership_of

from .steps import link_in_mail, mails_to, sign_up_and_verify


def invitations_of(tenant: Tenant) -> list[Invitation]:
    with tenant_context(tenant.pk):
        return list(Invitation.objects.order_by("id"))


def audit_actions(tenant: Tenant) -> list[str]:
    """The program's audited changes in order (sign-ins, also audited, are ecosystem/audit's tests' business)."""
    with tenant_context(tenant.pk):
        return list(AuditEntry.objects.exclude(action__startswith="auth.").order_by("id").values_list("action", flat=True))


def issue_invitation(tenant_world, *, email="pat@example.com", role=Role.PARTNER_MANAGER, partner=None) -> str:
    """An invitation from the tenant's owner; returns the accept link's path."""
    with tenant_context(tenant_world.tenant.pk):
        inviter = Membership.objects.get(user=tenant_world.owner)
        issued = services.invitation_create(
            tenant=tenant_world.tenant, actor=tenant_world.owner, inviter=inviter, email=email, role=role, partner=partner
        )
    return issued.accept_url


# --- home page -----------------------------------------------------------------------------------


def test_anonymous_visitors_see_the_landing_page(client, world):
    response = client.get("/")

    assert response.status_code == 200
    assert 'href="/accounts/signup/"' in response.content.decode()


def test_a_staff_member_of_one_program_goes_straight_to_its_vendor_portal(client, world):
    client.force_login(world.a.analyst)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/t/alpha/"


def test_a_partner_user_of_one_program_goes_straight_to_its_partner_portal(client, world):
    client.force_login(world.a.partner1_rep)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/p/alpha/"


def test_a_person_in_several_programs_chooses_one(client, world):
    # Given a partner admin of alpha who is also an analyst at beta
    with tenant_context(world.b.tenant.pk):
        MembershipFactory(tenant=world.b.tenant, user=world.a.partner1_admin, role=Role.ANALYST)
    client.force_login(world.a.partner1_admin)

    # When they open the home page
    response = client.get("/")

    # Then both programs are offered, each with the right portal
    body = response.content.decode()
    assert response.status_code == 200
    assert "Choose a program" in body
    assert 'href="/p/alpha/"' in body and ">Alpha<" in body
    assert 'href="/t/beta/"' in body and ">Beta<" in body


def test_the_chooser_leaves_out_programs_the_person_was_removed_from(client, world):
    # Given the removed partner manager of alpha, who is active at beta and at a third program
    with tenant_context(world.b.tenant.pk):
        MembershipFactory(tenant=world.b.tenant, user=world.a.revoked, role=Role.ANALYST)
    services.tenant_create(name="Gamma", slug="gamma", owner=world.a.revoked, actor=world.a.revoked)
    client.force_login(world.a.revoked)

    body = client.get("/").content.decode()

    assert 'href="/t/beta/"' in body and 'href="/t/gamma/"' in body
    assert "/alpha/" not in body


def test_a_person_without_a_program_is_offered_to_start_one(client, world):
    client.force_login(world.outsider)

    response = client.get("/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "You are not part of a program yet" in body
    assert 'href="/start/"' in body


# --- opening a program ---------------------------------------------------------------------------


def test_the_start_page_needs_a_signed_in_person(client, world):
    response = client.get("/start/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/start/"


def test_a_verified_person_opens_a_program_and_lands_in_its_portal(client, world):
    client.force_login(world.outsider)

    response = client.post("/start/", {"name": "Orbit Systems", "slug": "orbit"})

    assert response.status_code == 302
    assert response["Location"] == "/t/orbit/"
    tenant = Tenant.objects.get(slug="orbit")
    assert membership_of(world.outsider, tenant).role == Role.OWNER


def test_a_new_program_asks_its_staff_for_an_authenticator_by_default(client, world):
    client.force_login(world.outsider)
    client.post("/start/", {"name": "Orbit Systems", "slug": "orbit"})

    response = client.get("/t/orbit/")

    assert Tenant.objects.get(slug="orbit").require_staff_mfa is True
    assert response["Location"] == "/accounts/2fa/totp/activate/?next=/t/orbit/"


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("orbit-", "not starting or ending with a hyphen"),
        ("orbit_systems", "Use 1 to 40 lower-case letters, digits and hyphens"),
        ("admin", "This address is reserved. Choose another."),
        ("alpha", "This address is taken. Choose another."),
    ],
)
def test_a_bad_address_shows_the_error_by_the_field_and_keeps_what_was_typed(client, world, slug, message):
    # Given a verified person on the start page
    client.force_login(world.outsider)

    # When they submit an address that is malformed, reserved or taken
    response = client.post("/start/", {"name": "Orbit & Sons", "slug": slug})

    # Then the page comes back with the error and both typed values
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body
    assert 'class="form-control is-invalid"' in body
    assert f'value="{slug}"' in body
    assert 'value="Orbit &amp; Sons"' in body
    assert not Tenant.objects.filter(name="Orbit & Sons").exists()


def test_an_unverified_person_cannot_open_a_program(client, world):
    person = UserFactory(verified=False)
    client.force_login(person)

    response = client.post("/start/", {"name": "Orbit", "slug": "orbit"})

    assert response.status_code == 400
    assert "Verify your email address first" in response.content.decode()
    assert not Tenant.objects.filter(slug="orbit").exists()


# --- inviting from the team pages ----------------------------------------------------------------


def test_the_owner_invites_a_partner_manager_who_gets_a_working_link(client, world, django_capture_on_commit_callbacks):
    # Given the owner on the team page
    client.force_login(world.a.owner)

    # When they invite a partner manager
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/t/alpha/team/", {"email": "pat@example.com", "role": Role.PARTNER_MANAGER})

    # Then the invitation is stored and audited, and the email's link opens the invitation
    assert response.status_code == 302
    [invitation] = invitations_of(world.a.tenant)
    assert (invitation.email, invitation.role, invitation.partner_id) == ("pat@example.com", Role.PARTNER_MANAGER, None)
    assert audit_actions(world.a.tenant) == ["invitation.create"]
    [message] = mails_to("pat@example.com")
    path = link_in_mail(message, containing="/invitations/alpha/")
    page = Client().get(path)
    assert page.status_code == 200
    assert "Join Alpha" in page.content.decode()
    assert "Partner manager" in page.content.decode()


def test_an_invitee_signs_up_with_the_invited_address_verifies_and_joins(client, world, django_capture_on_commit_callbacks):
    # Given an invitation for a partner manager, opened by someone without an account
    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(world.a.owner)
        client.post("/t/alpha/team/", {"email": "pat@example.com", "role": Role.PARTNER_MANAGER})
    path = link_in_mail(mails_to("pat@example.com")[0], containing="/invitations/alpha/")
    invitee = Client()
    assert invitee.get(path).status_code == 200

    # When they sign up with that address, confirm it, and accept
    confirmed = sign_up_and_verify(invitee, "pat@example.com")
    back = invitee.get(confirmed["Location"])
    assert back["Location"] == path  # the home page brings them back to the invitation
    response = invitee.post(path)

    # Then they are a partner manager of alpha, in its portal
    assert response.status_code == 302
    assert response["Location"] == "/t/alpha/"
    membership = membership_of(User.objects.get(email="pat@example.com"), world.a.tenant)
    assert (membership.role, membership.partner_id, membership.is_active) == (Role.PARTNER_MANAGER, None, True)
    assert invitee.get("/t/alpha/").status_code == 200
    assert audit_actions(world.a.tenant) == ["invitation.create", "invitation.accept"]


def test_after_accepting_the_home_page_goes_to_the_portal_not_back_to_the_used_invitation(client, world):
    # Given someone who opened an invitation before signing in, then signed in and accepted it
    person = UserFactory(email="pat@example.com")
    path = issue_invitation(world.a, email="pat@example.com", role=Role.ANALYST)
    client.get(path)
    client.force_login(person)
    assert client.post(path).status_code == 302

    # When they open the home page
    response = client.get("/")

    # Then it sends them to their program
    assert response["Location"] == "/t/alpha/"


def test_accepting_with_another_address_is_refused_with_a_clear_message(client, world):
    # Given an invitation for pat@, opened by the outsider who is signed in with their own address
    path = issue_invitation(world.a, email="pat@example.com")
    client.force_login(world.outsider)

    # When the outsider accepts
    response = client.post(path)

    # Then the page says which address was invited, and nothing was created or used up
    body = response.content.decode()
    assert response.status_code == 400
    assert "This invitation was sent to pat@example.com." in body
    with tenant_context(world.a.tenant.pk):
        assert not Membership.objects.filter(user=world.outsider).exists()
    [invitation] = invitations_of(world.a.tenant)
    assert invitation.is_pending
    assert audit_actions(world.a.tenant) == ["invitation.create"]


def test_an_expired_invitation_answers_the_not_valid_page(client, world):
    path = issue_invitation(world.a)
    with tenant_context(world.a.tenant.pk):
        Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    response = client.get(path)

    assert response.status_code == 404
    assert "Invitation not valid" in response.content.decode()


def test_a_revoked_invitation_answers_the_not_valid_page(client, world):
    path = issue_invitation(world.a)
    [invitation] = invitations_of(world.a.tenant)
    client.force_login(world.a.owner)
    client.post(f"/t/alpha/invitations/{invitation.public_id}/revoke/")

    response = Client().get(path)

    assert response.status_code == 404
    assert "Invitation not valid" in response.content.decode()


def test_a_token_used_with_another_programs_address_answers_404(client, world):
    # Given an invitation to alpha, and the invited person signed in
    path = issue_invitation(world.a, email=world.outsider.email)
    client.force_login(world.outsider)

    # When the token is used under beta's address
    wrong = path.replace("/invitations/alpha/", "/invitations/beta/")
    response = client.post(wrong)

    # Then beta knows no such invitation and nobody joined either program
    assert response.status_code == 404
    for tenant in (world.a.tenant, world.b.tenant):
        with tenant_context(tenant.pk):
            assert not Membership.objects.filter(user=world.outsider).exists()


def test_an_unknown_token_or_program_answers_404(client, world):
    assert client.get("/invitations/alpha/not-a-real-token/").status_code == 404
    assert client.get("/invitations/nowhere/not-a-real-token/").status_code == 404


def test_a_partner_manager_may_not_invite_staff_from_the_team_page(client, world):
    client.force_login(world.a.manager)

    response = client.post("/t/alpha/team/", {"email": "pat@example.com", "role": Role.OWNER})

    assert response.status_code == 403
    assert invitations_of(world.a.tenant) == []


def test_a_partner_manager_invites_a_partner_user_from_the_partners_page(client, world):
    client.force_login(world.a.manager)

    response = client.post(
        f"/t/alpha/partners/{world.a.partner2.public_id}/invite/", {"email": "sam@msp.example", "role": Role.PARTNER_REP}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/t/alpha/partners/{world.a.partner2.public_id}/"
    [invitation] = invitations_of(world.a.tenant)
    assert (invitation.email, invitation.role, invitation.partner_id) == (
        "sam@msp.example",
        Role.PARTNER_REP,
        world.a.partner2.pk,
    )


def test_the_partners_page_offers_only_partner_roles(client, world):
    client.force_login(world.a.manager)

    client.post(f"/t/alpha/partners/{world.a.partner2.public_id}/invite/", {"email": "sam@msp.example", "role": Role.OWNER})

    assert invitations_of(world.a.tenant) == []


def test_an_analyst_may_not_invite_partner_users(client, world):
    client.force_login(world.a.analyst)

    response = client.post(
        f"/t/alpha/partners/{world.a.partner2.public_id}/invite/", {"email": "sam@msp.example", "role": Role.PARTNER_REP}
    )

    assert response.status_code == 403
    assert invitations_of(world.a.tenant) == []


def test_a_partner_admin_invites_a_rep_for_their_own_organisation(client, world):
    client.force_login(world.a.partner1_admin)

    response = client.post("/p/alpha/team/", {"email": "sam@reseller.example", "role": Role.PARTNER_REP})

    assert response.status_code == 302
    [invitation] = invitations_of(world.a.tenant)
    assert (invitation.role, invitation.partner_id) == (Role.PARTNER_REP, world.a.partner1.pk)


def test_a_partner_admin_cannot_invite_staff_from_the_partner_team_page(client, world):
    client.force_login(world.a.partner1_admin)

    response = client.post("/p/alpha/team/", {"email": "sam@reseller.example", "role": Role.OWNER})

    assert response.status_code == 400
    assert invitations_of(world.a.tenant) == []


def test_a_partner_rep_cannot_invite(client, world):
    client.force_login(world.a.partner1_rep)

    response = client.post("/p/alpha/team/", {"email": "sam@reseller.example", "role": Role.PARTNER_REP})

    assert response.status_code == 403
    assert invitations_of(world.a.tenant) == []


def test_another_partners_admin_cannot_revoke_an_invitation_and_nothing_changes(client, world):
    # Given a pending invitation for partner1
    issue_invitation(world.a, email="sam@reseller.example", role=Role.PARTNER_REP, partner=world.a.partner1)
    [invitation] = invitations_of(world.a.tenant)
    client.force_login(world.a.partner2_admin)

    # When partner2's admin tries to revoke it
    response = client.post(f"/p/alpha/invitations/{invitation.public_id}/revoke/")

    # Then it is not found, still pending, and no audit row was written
    assert response.status_code == 404
    [unchanged] = invitations_of(world.a.tenant)
    assert unchanged.is_pending
    assert audit_actions(world.a.tenant) == ["invitation.create"]


def test_a_partner_admin_revokes_their_own_organisations_invitation(client, world):
    issue_invitation(world.a, email="sam@reseller.example", role=Role.PARTNER_REP, partner=world.a.partner1)
    [invitation] = invitations_of(world.a.tenant)
    client.force_login(world.a.partner1_admin)

    response = client.post(f"/p/alpha/invitations/{invitation.public_id}/revoke/")

    assert response.status_code == 302
    [revoked] = invitations_of(world.a.tenant)
    assert revoked.revoked_at is not None
    assert audit_actions(world.a.tenant) == ["invitation.create", "invitation.revoke"]


def test_another_tenants_owner_cannot_revoke_an_invitation(client, world):
    issue_invitation(world.a)
    [invitation] = invitations_of(world.a.tenant)
    client.force_login(world.b.owner)

    assert client.post(f"/t/beta/invitations/{invitation.public_id}/revoke/").status_code == 404
    assert client.post(f"/t/alpha/invitations/{invitation.public_id}/revoke/").status_code == 404
    assert invitations_of(world.a.tenant)[0].is_pending


# --- removing people -----------------------------------------------------------------------------


def test_a_removed_member_gets_404_in_the_portal_afterwards(client, world):
    # Given the owner removes the analyst
    analyst = membership_of(world.a.analyst, world.a.tenant)
    client.force_login(world.a.owner)
    assert client.post(f"/t/alpha/members/{analyst.public_id}/deactivate/").status_code == 302

    # When the analyst opens the portal
    removed = Client()
    removed.force_login(world.a.analyst)

    # Then it does not exist for them, and the home page offers nothing
    assert removed.get("/t/alpha/").status_code == 404
    assert removed.get("/t/alpha/team/").status_code == 404
    assert "You are not part of a program yet" in removed.get("/").content.decode()
    assert audit_actions(world.a.tenant) == ["membership.deactivate"]


def test_a_partner_admin_removes_their_rep_who_then_gets_404(client, world):
    rep = membership_of(world.a.partner1_rep, world.a.tenant)
    client.force_login(world.a.partner1_admin)

    assert client.post(f"/p/alpha/members/{rep.public_id}/deactivate/").status_code == 302

    removed = Client()
    removed.force_login(world.a.partner1_rep)
    assert removed.get("/p/alpha/").status_code == 404


def test_another_partners_admin_cannot_remove_a_rep(client, world):
    rep = membership_of(world.a.partner1_rep, world.a.tenant)
    client.force_login(world.a.partner2_admin)

    response = client.post(f"/p/alpha/members/{rep.public_id}/deactivate/")

    assert response.status_code == 404
    assert membership_of(world.a.partner1_rep, world.a.tenant).is_active
    assert audit_actions(world.a.tenant) == []


def test_the_only_owner_cannot_remove_themselves(client, world):
    owner = membership_of(world.a.owner, world.a.tenant)
    client.force_login(world.a.owner)

    response = client.post(f"/t/alpha/members/{owner.public_id}/deactivate/", follow=True)

    assert "You cannot remove yourself." in response.content.decode()
    assert membership_of(world.a.owner, world.a.tenant).is_active
    assert audit_actions(world.a.tenant) == []
