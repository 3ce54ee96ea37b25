"""Account services: opening a program, invitations and memberships. Each change writes one audit row;
each refusal changes nothing."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from ecosystem.accounts import services
from ecosystem.accounts.models import Invitation, Membership, Role
from ecosystem.audit.models import AuditEntry
from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.tenancy.context import restrict_to_partner, tenant_context
from ecosystem.tenancy.models import Tenant
from tests.factories import UserFactory
from tests.fixtures import membership_of


def audit_actions(tenant: Tenant) -> list[str]:
    with tenant_context(tenant.pk):
        return list(
            AuditEntry.objects.exclude(action__startswith="auth.").order_by("id").values_list("action", flat=True)
        )  # not the sign-ins


def invite(tenant_world, *, by, email="newcomer@example.com", role=Role.PARTNER_MANAGER, partner=None):
    """``by`` invites as the portal would let them: partner users inside their organisation's scope."""
    tenant = tenant_world.tenant
    with tenant_context(tenant.pk):
        inviter = Membership.objects.get(user=by) if by is not None else None
        if inviter is not None and inviter.partner_id:
            restrict_to_partner(inviter.partner_id)
        return services.invitation_create(tenant=tenant, actor=by, inviter=inviter, email=email, role=role, partner=partner)


def accept(tenant_world, *, token: str, user):
    with tenant_context(tenant_world.tenant.pk):
        return services.invitation_accept(tenant=tenant_world.tenant, token=token, user=user)


def token_of(issued) -> str:
    return issued.accept_url.rstrip("/").rsplit("/", 1)[1]


# --- tenant_create -------------------------------------------------------------------------------


def test_opening_a_program_makes_the_person_its_owner_and_audits_both(world):
    # When a verified person opens a program
    tenant = services.tenant_create(name="  Orbit Systems ", slug="Orbit", owner=world.outsider, actor=world.outsider)

    # Then it exists at the lower-cased address, they own it, and one row records each change
    assert (tenant.name, tenant.slug) == ("Orbit Systems", "orbit")
    owner = membership_of(world.outsider, tenant)
    assert (owner.role, owner.partner_id, owner.is_active) == (Role.OWNER, None, True)
    assert audit_actions(tenant) == ["tenant.create", "membership.create"]


@pytest.mark.parametrize(
    ("slug", "code"),
    [("-bad", "invalid_slug"), ("no_underscores", "invalid_slug"), ("admin", "reserved_slug"), ("start", "reserved_slug")],
)
def test_a_bad_or_reserved_address_is_refused_and_nothing_is_created(world, slug, code):
    # When a program is opened at an address that is malformed or reserved
    with pytest.raises(ApplicationError) as refused:
        services.tenant_create(name="Orbit", slug=slug, owner=world.outsider, actor=world.outsider)

    # Then the slug field gets the error and no program exists
    assert (refused.value.code, refused.value.field) == (code, "slug")
    assert not Tenant.objects.filter(name="Orbit").exists()


def test_a_taken_address_is_refused_and_the_existing_program_is_untouched(world):
    # When someone tries to open a program at an existing program's address
    with pytest.raises(ApplicationError) as refused:
        services.tenant_create(name="Impostor", slug="alpha", owner=world.outsider, actor=world.outsider)

    # Then it is refused and the existing program keeps its name and its members
    assert (refused.value.code, refused.value.field) == ("slug_taken", "slug")
    world.a.tenant.refresh_from_db()
    assert world.a.tenant.name == "Alpha"
    with tenant_context(world.a.tenant.pk):
        assert not Membership.objects.filter(user=world.outsider).exists()


def test_a_program_is_not_left_without_its_owner_when_the_owner_cannot_be_added(world, monkeypatch):
    # Given a failure while the first owner is added (database error, bug)
    def broken_audit(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "audit_record", broken_audit)

    # When a program is opened
    with pytest.raises(RuntimeError):
        services.tenant_create(name="Orbit", slug="orbit", owner=world.outsider, actor=world.outsider)

    # Then no ownerless program holds the address
    assert not Tenant.objects.filter(slug="orbit").exists()


# --- invitation_create ---------------------------------------------------------------------------


def test_an_owner_invites_a_partner_manager_with_one_audit_row(world):
    # When the owner invites a partner manager
    issued = invite(world.a, by=world.a.owner, email="New.Person@Example.com", role=Role.PARTNER_MANAGER)

    # Then a pending invitation for the lower-cased address exists, its token is stored only as a hash,
    # and one audit row records it
    invitation = issued.invitation
    assert (invitation.email, invitation.role, invitation.partner_id) == ("new.person@example.com", Role.PARTNER_MANAGER, None)
    assert invitation.is_pending
    assert token_of(issued) not in invitation.token_hash
    assert issued.accept_url == f"/invitations/alpha/{token_of(issued)}/"
    assert audit_actions(world.a.tenant) == ["invitation.create"]


def test_inviting_the_same_address_again_replaces_the_pending_invitation(world):
    # Given a pending invitation
    first = invite(world.a, by=world.a.owner)

    # When the same address is invited again
    second = invite(world.a, by=world.a.owner, role=Role.ANALYST)

    # Then only the newest invitation works, and its audit row says which one it replaced
    with tenant_context(world.a.tenant.pk):
        first.invitation.refresh_from_db()
        newest = AuditEntry.objects.get(object_id=str(second.invitation.public_id))
    assert first.invitation.revoked_at is not None
    assert second.invitation.is_pending
    with pytest.raises(NotFoundError), tenant_context(world.a.tenant.pk):
        services.invitation_find(tenant=world.a.tenant, token=token_of(first))
    assert newest.changes["replaces"] == [str(first.invitation.public_id)]
    assert audit_actions(world.a.tenant) == ["invitation.create", "invitation.create"]


def test_re_inviting_cannot_cancel_an_invitation_the_inviter_may_not_manage(world):
    # Given an owner's pending staff invitation
    staff = invite(world.a, by=world.a.owner, email="shared@example.com", role=Role.ANALYST)

    # When a partner manager invites the same address as a partner user
    with pytest.raises(ApplicationError) as error:
        invite(world.a, by=world.a.manager, email="shared@example.com", role=Role.PARTNER_REP, partner=world.a.partner1)

    # Then it is refused and the owner's invitation still works
    assert error.value.code == "already_invited"
    with tenant_context(world.a.tenant.pk):
        staff.invitation.refresh_from_db()
    assert staff.invitation.is_pending


def test_a_partner_of_another_tenant_cannot_be_invited_into(world):
    with pytest.raises(NotFoundError):
        invite(world.a, by=world.a.owner, role=Role.PARTNER_ADMIN, partner=world.b.partner1)
    with tenant_context(world.a.tenant.pk):
        assert not Invitation.objects.exists()


def test_expired_invitations_are_not_listed_as_waiting(world):
    from ecosystem.accounts.selectors import pending_invitations

    issued = invite(world.a, by=world.a.owner)
    with tenant_context(world.a.tenant.pk):
        assert list(pending_invitations(tenant=world.a.tenant)) == [issued.invitation]
        Invitation.objects.filter(pk=issued.invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
        assert list(pending_invitations(tenant=world.a.tenant)) == []


def test_a_partner_manager_invites_partner_users(world):
    # When a partner manager invites an admin for a partner organisation
    issued = invite(world.a, by=world.a.manager, role=Role.PARTNER_ADMIN, partner=world.a.partner1)

    # Then the invitation is for that organisation
    assert (issued.invitation.role, issued.invitation.partner_id) == (Role.PARTNER_ADMIN, world.a.partner1.pk)
    assert audit_actions(world.a.tenant) == ["invitation.create"]


@pytest.mark.parametrize("role", [Role.OWNER, Role.PARTNER_MANAGER, Role.ANALYST])
def test_a_partner_manager_may_not_invite_vendor_staff(world, role):
    # When a partner manager tries to invite vendor staff
    with pytest.raises(ApplicationError) as refused:
        invite(world.a, by=world.a.manager, role=role)

    # Then it is refused and nothing is written
    assert refused.value.code == "role_forbidden"
    with tenant_context(world.a.tenant.pk):
        assert not Invitation.objects.exists()
    assert audit_actions(world.a.tenant) == []


def test_a_partner_admin_invites_a_rep_for_their_own_organisation(world):
    # When partner1's admin invites a rep for partner1
    issued = invite(world.a, by=world.a.partner1_admin, role=Role.PARTNER_REP, partner=world.a.partner1)

    # Then the invitation exists for partner1
    assert (issued.invitation.role, issued.invitation.partner_id) == (Role.PARTNER_REP, world.a.partner1.pk)
    assert audit_actions(world.a.tenant) == ["invitation.create"]


def test_a_partner_admin_may_not_invite_for_another_partner(world):
    # When partner1's admin tries to invite a rep for partner2
    with pytest.raises(ApplicationError) as refused:
        invite(world.a, by=world.a.partner1_admin, role=Role.PARTNER_REP, partner=world.a.partner2)

    # Then it is refused and nothing is written
    assert refused.value.code == "role_forbidden"
    with tenant_context(world.a.tenant.pk):
        assert not Invitation.objects.exists()


def test_a_partner_admin_may_not_invite_vendor_staff(world):
    with pytest.raises(ApplicationError) as refused:
        invite(world.a, by=world.a.partner1_admin, role=Role.PARTNER_MANAGER)

    assert refused.value.code == "role_forbidden"
    assert audit_actions(world.a.tenant) == []


def test_a_partner_rep_may_not_invite_anyone(world):
    with pytest.raises(ApplicationError) as refused:
        invite(world.a, by=world.a.partner1_rep, role=Role.PARTNER_REP, partner=world.a.partner1)

    assert refused.value.code == "role_forbidden"
    assert audit_actions(world.a.tenant) == []


def test_partner_roles_need_a_partner_and_staff_roles_must_not_have_one(world):
    with pytest.raises(ApplicationError) as no_partner:
        invite(world.a, by=world.a.owner, role=Role.PARTNER_REP)
    with pytest.raises(ApplicationError) as staff_with_partner:
        invite(world.a, by=world.a.owner, role=Role.ANALYST, partner=world.a.partner1)

    assert (no_partner.value.code, staff_with_partner.value.code) == ("partner_required", "partner_forbidden")
    assert audit_actions(world.a.tenant) == []


def test_an_active_member_is_not_invited_again(world):
    with pytest.raises(ApplicationError) as refused:
        invite(world.a, by=world.a.owner, email=world.a.analyst.email.upper(), role=Role.PARTNER_MANAGER)

    assert (refused.value.code, refused.value.field) == ("already_member", "email")
    assert audit_actions(world.a.tenant) == []


def test_an_invalid_address_is_refused(world):
    with pytest.raises(ApplicationError) as refused:
        invite(world.a, by=world.a.owner, email="not-an-address")

    assert (refused.value.code, refused.value.field) == ("invalid_email", "email")


def test_the_invitation_email_is_sent_after_commit_with_the_link(world, django_capture_on_commit_callbacks, mailoutbox):
    # When the owner invites someone
    with django_capture_on_commit_callbacks(execute=True):
        issued = invite(world.a, by=world.a.owner)

    # Then one email goes to that address with the full accept link
    [message] = mailoutbox
    assert message.to == ["newcomer@example.com"]
    assert "Alpha" in message.subject
    assert issued.accept_url in message.body


def test_nothing_is_sent_when_the_invitation_is_refused(world, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ApplicationError):
        invite(world.a, by=world.a.manager, role=Role.OWNER)

    assert mailoutbox == []


# --- invitation_find and invitation_accept -------------------------------------------------------


def test_a_token_is_not_found_in_another_tenant(world):
    # Given an invitation to alpha
    issued = invite(world.a, by=world.a.owner)

    # When its token is looked up in beta
    with pytest.raises(NotFoundError), tenant_context(world.b.tenant.pk):
        services.invitation_find(tenant=world.b.tenant, token=token_of(issued))


def test_accepting_creates_the_membership_with_the_invited_role_and_one_audit_row(world):
    # Given an invitation for a partner admin of partner1, and the invitee with that verified address
    issued = invite(world.a, by=world.a.manager, email="pat@reseller.example", role=Role.PARTNER_ADMIN, partner=world.a.partner1)
    invitee = UserFactory(email="pat@reseller.example")

    # When the invitee accepts
    membership = accept(world.a, token=token_of(issued), user=invitee)

    # Then they are a partner admin of partner1, the invitation is used, and one row records the acceptance
    assert (membership.role, membership.partner_id, membership.is_active) == (Role.PARTNER_ADMIN, world.a.partner1.pk, True)
    with tenant_context(world.a.tenant.pk):
        issued.invitation.refresh_from_db()
    assert (issued.invitation.accepted_by, issued.invitation.is_pending) == (invitee, False)
    assert audit_actions(world.a.tenant) == ["invitation.create", "invitation.accept"]


def test_accepting_with_another_address_is_refused_and_creates_nothing(world):
    # Given an invitation for pat@
    issued = invite(world.a, by=world.a.owner, email="pat@vendor.example")

    # When the outsider (another verified address) tries to accept it
    with pytest.raises(ApplicationError) as refused:
        accept(world.a, token=token_of(issued), user=world.outsider)

    # Then the message names the invited address, and nothing changed
    assert refused.value.code == "email_mismatch"
    assert "pat@vendor.example" in refused.value.message
    with tenant_context(world.a.tenant.pk):
        assert not Membership.objects.filter(user=world.outsider).exists()
        issued.invitation.refresh_from_db()
    assert issued.invitation.is_pending
    assert audit_actions(world.a.tenant) == ["invitation.create"]


def test_accepting_with_the_address_not_yet_verified_is_refused(world):
    issued = invite(world.a, by=world.a.owner, email="pat@vendor.example")
    unverified = UserFactory(email="pat@vendor.example", verified=False)

    with pytest.raises(ApplicationError) as refused:
        accept(world.a, token=token_of(issued), user=unverified)

    assert refused.value.code == "email_mismatch"
    with tenant_context(world.a.tenant.pk):
        assert not Membership.objects.filter(user=unverified).exists()


def test_an_invitation_works_once(world):
    issued = invite(world.a, by=world.a.owner, email="pat@vendor.example")
    invitee = UserFactory(email="pat@vendor.example")
    accept(world.a, token=token_of(issued), user=invitee)

    with pytest.raises(NotFoundError):
        accept(world.a, token=token_of(issued), user=invitee)
    assert audit_actions(world.a.tenant) == ["invitation.create", "invitation.accept"]


def test_an_expired_invitation_cannot_be_accepted(world):
    issued = invite(world.a, by=world.a.owner, email="pat@vendor.example")
    invitee = UserFactory(email="pat@vendor.example")
    with tenant_context(world.a.tenant.pk):
        Invitation.objects.filter(pk=issued.invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    with pytest.raises(NotFoundError):
        accept(world.a, token=token_of(issued), user=invitee)
    with tenant_context(world.a.tenant.pk):
        assert not Membership.objects.filter(user=invitee).exists()


def test_a_removed_member_who_is_invited_again_comes_back_with_the_new_role(world):
    # Given a partner manager who was removed, then invited back as an analyst
    issued = invite(world.a, by=world.a.owner, email=world.a.revoked.email, role=Role.ANALYST)

    # When they accept
    membership = accept(world.a, token=token_of(issued), user=world.a.revoked)

    # Then their one membership is active again, as an analyst
    assert (membership.role, membership.is_active) == (Role.ANALYST, True)
    with tenant_context(world.a.tenant.pk):
        assert Membership.objects.filter(user=world.a.revoked).count() == 1


def test_accepting_never_changes_the_role_of_an_active_member(world):
    # Given the owner's address was invited as a partner rep by partner1's admin (who cannot see the
    # owner's membership: partner users' queries only reach their own organisation)
    issued = invite(
        world.a, by=world.a.partner1_admin, email=world.a.owner.email, role=Role.PARTNER_REP, partner=world.a.partner1
    )

    # When the owner accepts it
    with pytest.raises(ApplicationError) as refused:
        accept(world.a, token=token_of(issued), user=world.a.owner)

    # Then they stay owner and the program keeps its owner
    assert refused.value.code == "already_member"
    owner = membership_of(world.a.owner, world.a.tenant)
    assert (owner.role, owner.partner_id, owner.is_active) == (Role.OWNER, None, True)


# --- invitation_revoke ---------------------------------------------------------------------------


def test_revoking_an_invitation_writes_one_audit_row_and_the_link_stops_working(world):
    issued = invite(world.a, by=world.a.owner)

    with tenant_context(world.a.tenant.pk):
        owner = Membership.objects.get(user=world.a.owner)
        services.invitation_revoke(tenant=world.a.tenant, actor=world.a.owner, inviter=owner, invitation=issued.invitation)
        services.invitation_revoke(tenant=world.a.tenant, actor=world.a.owner, inviter=owner, invitation=issued.invitation)
        with pytest.raises(NotFoundError):
            services.invitation_find(tenant=world.a.tenant, token=token_of(issued))

    assert audit_actions(world.a.tenant) == ["invitation.create", "invitation.revoke"]


def test_a_partner_manager_may_not_revoke_a_staff_invitation(world):
    issued = invite(world.a, by=world.a.owner, role=Role.ANALYST)

    with tenant_context(world.a.tenant.pk):
        manager = Membership.objects.get(user=world.a.manager)
        with pytest.raises(ApplicationError):
            services.invitation_revoke(
                tenant=world.a.tenant, actor=world.a.manager, inviter=manager, invitation=issued.invitation
            )
        issued.invitation.refresh_from_db()

    assert issued.invitation.is_pending
    assert audit_actions(world.a.tenant) == ["invitation.create"]


def test_a_partner_admin_may_not_revoke_another_partners_invitation(world):
    issued = invite(world.a, by=world.a.manager, role=Role.PARTNER_REP, partner=world.a.partner1)

    with tenant_context(world.a.tenant.pk):
        admin2 = Membership.objects.get(user=world.a.partner2_admin)
        with pytest.raises(ApplicationError):
            services.invitation_revoke(
                tenant=world.a.tenant, actor=world.a.partner2_admin, inviter=admin2, invitation=issued.invitation
            )
        issued.invitation.refresh_from_db()

    assert issued.invitation.is_pending


# --- membership_deactivate and membership_add ----------------------------------------------------


def deactivate(tenant_world, *, by, member, inviter=None):
    with tenant_context(tenant_world.tenant.pk):
        inviter = inviter or Membership.objects.get(user=by)
        target = Membership.objects.select_related("partner").get(user=member)  # as the portal loads it
        if inviter.partner_id:
            restrict_to_partner(inviter.partner_id)
        return services.membership_deactivate(tenant=tenant_world.tenant, actor=by, inviter=inviter, membership=target)


def test_an_owner_removes_a_member_with_one_audit_row(world):
    membership = deactivate(world.a, by=world.a.owner, member=world.a.analyst)

    assert membership.is_active is False
    assert audit_actions(world.a.tenant) == ["membership.deactivate"]


def test_removing_a_removed_member_again_writes_nothing(world):
    deactivate(world.a, by=world.a.owner, member=world.a.revoked)

    assert audit_actions(world.a.tenant) == []


def test_the_last_owner_cannot_be_removed(world):
    # Given two owners, one of whom removed the other; the removed one still holds a page open
    second_owner = UserFactory()
    with tenant_context(world.a.tenant.pk):
        services.membership_add(tenant=world.a.tenant, actor=world.a.owner, user=second_owner, role=Role.OWNER)
        stale_second = Membership.objects.get(user=second_owner)
    deactivate(world.a, by=world.a.owner, member=second_owner)

    # When the removed owner's stale request tries to remove the remaining owner
    with pytest.raises(ApplicationError) as refused:
        deactivate(world.a, by=second_owner, member=world.a.owner, inviter=stale_second)

    # Then the program keeps its owner
    assert refused.value.code == "last_owner"
    assert membership_of(world.a.owner, world.a.tenant).is_active
    assert audit_actions(world.a.tenant) == ["membership.create", "membership.deactivate"]


def test_nobody_removes_themselves(world):
    with pytest.raises(ApplicationError) as refused:
        deactivate(world.a, by=world.a.owner, member=world.a.owner)

    assert refused.value.code == "self_removal"
    assert membership_of(world.a.owner, world.a.tenant).is_active


def test_a_partner_manager_may_not_remove_vendor_staff(world):
    with pytest.raises(ApplicationError):
        deactivate(world.a, by=world.a.manager, member=world.a.analyst)

    assert membership_of(world.a.analyst, world.a.tenant).is_active
    assert audit_actions(world.a.tenant) == []


def test_a_partner_admin_removes_a_rep_of_their_own_organisation_only(world):
    deactivate(world.a, by=world.a.partner1_admin, member=world.a.partner1_rep)
    with pytest.raises(ApplicationError):
        deactivate(world.a, by=world.a.partner1_admin, member=world.a.partner2_admin)

    assert membership_of(world.a.partner1_rep, world.a.tenant).is_active is False
    assert membership_of(world.a.partner2_admin, world.a.tenant).is_active is True
    assert audit_actions(world.a.tenant) == ["membership.deactivate"]


def test_adding_a_member_directly_writes_one_audit_row_once(world):
    person = UserFactory()
    with tenant_context(world.a.tenant.pk):
        first = services.membership_add(tenant=world.a.tenant, actor=None, user=person, role=Role.ANALYST)
        again = services.membership_add(tenant=world.a.tenant, actor=None, user=person, role=Role.ANALYST)

    assert first.pk == again.pk
    assert audit_actions(world.a.tenant) == ["membership.create"]


def test_adding_a_partner_user_without_a_partner_is_refused(world):
    with tenant_context(world.a.tenant.pk), pytest.raises(ApplicationError):
        services.membership_add(tenant=world.a.tenant, actor=None, user=UserFactory(), role=Role.PARTNER_REP)

    assert audit_actions(world.a.tenant) == []


@pytest.mark.django_db(transaction=True)
def test_two_owners_removing_each_other_at_once_leave_one_owner(committed_world):
    # Given two owners
    tenant = committed_world.a.tenant
    first, second = committed_world.a.owner, UserFactory()
    with tenant_context(tenant.pk):
        services.membership_add(tenant=tenant, actor=None, user=second, role=Role.OWNER)
    outcome: dict[str, object] = {}

    def second_removes_first() -> None:
        try:
            deactivate(committed_world.a, by=second, member=first)
            outcome["second"] = "removed"
        except ApplicationError as error:
            outcome["second"] = error.code
        finally:
            connection.close()

    # When the first removes the second and, before that commits, the second removes the first
    with tenant_context(tenant.pk):
        deactivate(committed_world.a, by=first, member=second)
        racer = threading.Thread(target=second_removes_first)
        racer.start()
        racer.join(timeout=1)  # a correct service makes it wait for our commit
    racer.join(timeout=10)

    # Then the later request is refused and exactly one owner is left
    assert outcome == {"second": "last_owner"}
    with tenant_context(tenant.pk):
        assert list(Membership.objects.filter(role=Role.OWNER, is_active=True).values_list("user", flat=True)) == [first.pk]
