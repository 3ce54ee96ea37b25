"""Co-selling services: the team arrays row-level security reads, and the invite, answer, assign and remove rules."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from deals import workflow
from deals.cosell import (
    access_cosell_deal,
    cosell_assign,
    cosell_invite,
    cosell_remove,
    cosell_respond,
    cosell_team,
    invitable_partners,
    invitations_for_partner,
)
from deals.models import DealParticipant, DealRegistration
from ecosystem.audit.models import AuditEntry
from ecosystem.errors import ApplicationError, ConflictError, NotFoundError
from ecosystem.tenancy.context import tenant_context
from partners.models import PartnerOrganization
from tests.factories import PartnerFactory

from .support import product_lines_for, submit_as


@pytest.fixture(autouse=True)
def lines(world):
    product_lines_for(world.a.tenant)
    product_lines_for(world.b.tenant)


@pytest.fixture
def partner3(world) -> PartnerOrganization:
    with tenant_context(world.a.tenant.pk):
        return PartnerFactory(
            tenant=world.a.tenant, name="Alpha Integrator", partner_type="msp", website_domain="si.alpha.example"
        )


@pytest.fixture
def registration(world) -> DealRegistration:
    return submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin).registration


def invite(world, registration, invitee, role="implementation", **kwargs) -> DealParticipant:
    a = world.a
    with tenant_context(a.tenant.pk, partner_id=a.partner1.pk, user_id=a.partner1_admin.pk):
        return cosell_invite(
            tenant=a.tenant,
            actor=a.partner1_admin,
            partner_id=a.partner1.pk,
            registration=registration,
            invitee=invitee,
            role=role,
            **kwargs,
        )


def respond(world, participant, partner, user, *, accept: bool) -> DealParticipant:
    with tenant_context(world.a.tenant.pk, partner_id=partner.pk, user_id=user.pk):
        return cosell_respond(tenant=world.a.tenant, actor=user, partner_id=partner.pk, participant=participant, accept=accept)


def arrays(world, registration) -> tuple[list[int], dict[int, tuple[str, list[int]]]]:
    """(registration's team_partner_ids, {partner id: (status, participant row's team_partner_ids)}), as staff read them."""
    with tenant_context(world.a.tenant.pk):
        team = DealRegistration.objects.get(pk=registration.pk).team_partner_ids
        rows = {p.partner_id: (p.status, p.team_partner_ids) for p in DealParticipant.objects.filter(registration=registration)}
    return team, rows


def raw_counts(world, partner_id: int, registration) -> tuple[int, int]:
    """Rows of the registration and of its participants a partner's scope reads in plain SQL (row-level security alone)."""
    with tenant_context(world.a.tenant.pk, partner_id=partner_id), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM deals_dealregistration WHERE id = %s", [registration.pk])
        registrations = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM deals_dealparticipant WHERE registration_id = %s", [registration.pk])
        participants = cursor.fetchone()[0]
    return registrations, participants


# --- the arrays, at the database ------------------------------------------------------------------


def test_an_invitation_puts_the_registering_partner_on_the_team_as_sourcing_and_lets_the_invitee_read_only_its_row(
    world, registration, partner3
):
    p1, p2 = world.a.partner1.pk, world.a.partner2.pk

    participant = invite(world, registration, world.a.partner2)

    team, rows = arrays(world, registration)
    assert team == [p1]
    assert rows == {p1: ("accepted", [p1]), p2: ("invited", [p1, p2])}
    with tenant_context(world.a.tenant.pk):
        assert DealParticipant.objects.get(partner_id=p1).role == "sourcing"
        assert participant.invited_by_partner_id == p1
    assert raw_counts(world, p2, registration) == (0, 1)  # its invitation, not the deal
    assert raw_counts(world, p1, registration) == (1, 2)
    assert raw_counts(world, partner3.pk, registration) == (0, 0)


def test_accepting_joins_the_team_on_every_row(world, registration, partner3):
    p1, p2 = world.a.partner1.pk, world.a.partner2.pk
    participant = invite(world, registration, world.a.partner2)

    respond(world, participant, world.a.partner2, world.a.partner2_admin, accept=True)

    team, rows = arrays(world, registration)
    assert team == [p1, p2]
    assert rows == {p1: ("accepted", [p1, p2]), p2: ("accepted", [p1, p2])}
    assert raw_counts(world, p2, registration) == (1, 2)
    assert raw_counts(world, partner3.pk, registration) == (0, 0)


def test_declining_leaves_the_invitee_reading_nothing(world, registration):
    p1, p2 = world.a.partner1.pk, world.a.partner2.pk
    participant = invite(world, registration, world.a.partner2)

    declined = respond(world, participant, world.a.partner2, world.a.partner2_admin, accept=False)

    assert declined.status == "declined"
    team, rows = arrays(world, registration)
    assert team == [p1] and rows[p2] == ("declined", [p1])
    assert raw_counts(world, p2, registration) == (0, 0)


def test_removing_an_accepted_partner_takes_it_off_every_array(world, registration, partner3):
    p1, p2, p3 = world.a.partner1.pk, world.a.partner2.pk, partner3.pk
    second = invite(world, registration, world.a.partner2)
    respond(world, second, world.a.partner2, world.a.partner2_admin, accept=True)
    third = invite(world, registration, partner3, role="referral")

    with tenant_context(world.a.tenant.pk, user_id=world.a.manager.pk):
        cosell_remove(tenant=world.a.tenant, actor=world.a.manager, participant=second, reason="Customer chose another MSP")

    team, rows = arrays(world, registration)
    assert team == [p1]
    assert rows == {p1: ("accepted", [p1]), p2: ("removed", [p1]), p3: ("invited", [p1, p3])}
    assert raw_counts(world, p2, registration) == (0, 0)
    with tenant_context(world.a.tenant.pk):
        audit = AuditEntry.objects.get(action="deals.cosell_remove")
    assert audit.changes == {
        "participant": str(second.public_id),
        "from_status": "accepted",
        "reason": "Customer chose another MSP",
    }
    assert third.status == "invited"


def test_a_manager_assigns_a_partner_accepted_at_once_and_its_admins_hear_of_it(
    world, registration, mailoutbox, django_capture_on_commit_callbacks
):
    p1, p2 = world.a.partner1.pk, world.a.partner2.pk
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.a.tenant.pk, user_id=world.a.manager.pk):
        participant = cosell_assign(
            tenant=world.a.tenant,
            actor=world.a.manager,
            registration=registration,
            partner=world.a.partner2,
            role="implementation",
        )

    assert participant.status == "accepted" and participant.invited_by_partner_id is None
    assert arrays(world, registration)[0] == [p1, p2]
    [mail] = mailoutbox
    assert mail.to == [world.a.partner2_admin.email]
    assert "Initech Inc." in mail.body and "50000" not in mail.body and "Moving 200 VMs" not in mail.body


def test_the_invitees_admins_are_emailed_after_commit_and_the_change_is_audited(
    world, registration, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        participant = invite(world, registration, world.a.partner2, message="We need a delivery partner")
    assert mailoutbox == []  # nothing before the commit
    for callback in callbacks:
        callback()

    [mail] = mailoutbox
    assert mail.to == [world.a.partner2_admin.email]
    assert "Alpha Reseller" in mail.subject and "We need a delivery partner" in mail.body
    assert "/p/alpha/cosell/invitations/" in mail.body
    with tenant_context(world.a.tenant.pk):
        audit = AuditEntry.objects.get(action="deals.cosell_invite")
    assert audit.changes["participant"] == str(participant.public_id) and audit.changes["role"] == "implementation"


def test_a_declined_partner_can_be_invited_again_on_the_same_row(world, registration):
    participant = invite(world, registration, world.a.partner2)
    respond(world, participant, world.a.partner2, world.a.partner2_admin, accept=False)

    again = invite(world, registration, world.a.partner2, role="distribution")

    assert (again.pk, again.status, again.role) == (participant.pk, "invited", "distribution")
    assert raw_counts(world, world.a.partner2.pk, registration) == (0, 1)


# --- refusals -------------------------------------------------------------------------------------


def test_only_the_registering_partner_invites_and_anyone_else_learns_nothing(world, registration, partner3):
    a = world.a
    with pytest.raises(NotFoundError), tenant_context(a.tenant.pk, partner_id=a.partner2.pk):
        cosell_invite(
            tenant=a.tenant,
            actor=a.partner2_admin,
            partner_id=a.partner2.pk,
            registration=registration,
            invitee=partner3,
            role="referral",
        )
    assert arrays(world, registration) == ([a.partner1.pk], {})


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("itself", "already_on_team"),
        ("sourcing_role", "invalid_choice"),
        ("retired", "invalid_choice"),
        ("other_tenant", "invalid_choice"),
        ("twice", "already_on_team"),
    ],
)
def test_invitations_that_break_a_rule_are_refused_and_change_nothing(world, registration, partner3, case, code):
    a = world.a
    invitee, role = partner3, "referral"
    if case == "itself":
        invitee = a.partner1
    elif case == "sourcing_role":
        role = "sourcing"
    elif case == "retired":
        with tenant_context(a.tenant.pk):
            PartnerOrganization.objects.filter(pk=partner3.pk).update(status="retired")
        partner3.status = "retired"
    elif case == "other_tenant":
        invitee = world.b.partner1
    elif case == "twice":
        invite(world, registration, partner3)
    before = arrays(world, registration)

    with pytest.raises(ApplicationError) as refused:
        invite(world, registration, invitee, role=role)

    assert refused.value.code == code
    assert arrays(world, registration) == before


def test_an_inactive_registration_takes_no_new_partners(world, registration):
    with tenant_context(world.a.tenant.pk):
        DealRegistration.objects.filter(pk=registration.pk).update(status="rejected")
    registration.status = "rejected"

    with pytest.raises(ApplicationError) as refused:
        invite(world, registration, world.a.partner2)

    assert refused.value.code == "registration_not_active"
    assert arrays(world, registration) == ([world.a.partner1.pk], {})


def test_an_answered_invitation_cannot_be_answered_again(world, registration):
    participant = invite(world, registration, world.a.partner2)
    respond(world, participant, world.a.partner2, world.a.partner2_admin, accept=False)

    with pytest.raises(ConflictError):
        respond(world, participant, world.a.partner2, world.a.partner2_admin, accept=True)
    assert arrays(world, registration)[0] == [world.a.partner1.pk]


def test_another_partner_cannot_answer_or_remove(world, registration, partner3):
    participant = invite(world, registration, world.a.partner2)
    before = arrays(world, registration)

    with pytest.raises(NotFoundError):
        respond(world, participant, partner3, world.a.partner2_admin, accept=True)
    with pytest.raises(NotFoundError), tenant_context(world.a.tenant.pk, partner_id=partner3.pk):
        cosell_remove(
            tenant=world.a.tenant, actor=world.a.partner2_admin, participant=participant, reason="x", partner_id=partner3.pk
        )
    assert arrays(world, registration) == before


def test_the_registering_partner_stays_on_its_deal(world, registration):
    invite(world, registration, world.a.partner2)
    with tenant_context(world.a.tenant.pk):
        sourcing = DealParticipant.objects.get(partner=world.a.partner1)

    with pytest.raises(ApplicationError) as refused, tenant_context(world.a.tenant.pk):
        cosell_remove(tenant=world.a.tenant, actor=world.a.manager, participant=sourcing, reason="try")

    assert refused.value.code == "cannot_remove_sourcing"


def test_the_registering_partner_withdraws_its_own_invitation(world, registration):
    participant = invite(world, registration, world.a.partner2)
    a = world.a
    with tenant_context(a.tenant.pk, partner_id=a.partner1.pk):
        cosell_remove(
            tenant=a.tenant, actor=a.partner1_admin, participant=participant, reason="Not needed", partner_id=a.partner1.pk
        )

    assert raw_counts(world, a.partner2.pk, registration) == (0, 0)


# --- when the registration ends ------------------------------------------------------------------


def test_rejecting_the_registration_closes_its_open_invitation_and_accepting_is_refused(world, registration):
    a = world.a
    p1, p2 = a.partner1.pk, a.partner2.pk
    participant = invite(world, registration, a.partner2)

    with tenant_context(a.tenant.pk, user_id=a.manager.pk):
        workflow.registration_reject(tenant=a.tenant, actor=a.manager, registration=registration, reason="Not a fit.")

    team, rows = arrays(world, registration)
    assert team == [p1] and rows[p2] == ("declined", [p1])
    with tenant_context(a.tenant.pk):
        closed = DealParticipant.objects.get(pk=participant.pk)
        audit = AuditEntry.objects.get(action="deals.registration_reject")
    assert closed.responded_at is not None
    assert audit.changes["invitations_closed"] == 1  # the decision closed it, not the invitee
    with tenant_context(a.tenant.pk, partner_id=p2):
        assert not DealParticipant.objects.filter(status="invited").exists()
        assert invitations_for_partner(tenant=a.tenant, partner_id=p2) == []
    assert raw_counts(world, p2, registration) == (0, 0)
    with pytest.raises(ConflictError) as refused:
        respond(world, participant, a.partner2, a.partner2_admin, accept=True)
    assert refused.value.code == "invitation_closed"
    assert arrays(world, registration) == (team, rows)


def _end(world, registration, how: str) -> None:
    a = world.a
    if how == "withdrawn":  # in the registering partner's own scope: the invitee's row is another partner's
        with tenant_context(a.tenant.pk, partner_id=a.partner1.pk, user_id=a.partner1_admin.pk):
            workflow.registration_withdraw(
                tenant=a.tenant, actor=a.partner1_admin, partner_id=a.partner1.pk, registration=registration
            )
        return
    with tenant_context(a.tenant.pk, user_id=a.manager.pk):
        if how == "lost":
            workflow.registration_update_stage(
                tenant=a.tenant, actor=a.manager, registration=registration, stage="closed_lost", closed_on=timezone.localdate()
            )
        elif how == "expired":
            workflow.registration_approve(tenant=a.tenant, actor=a.manager, registration=registration)
            workflow.protection_expiry_sweep(tenant=a.tenant, today=timezone.localdate() + datetime.timedelta(days=400))
        elif how == "released":
            workflow.registration_release_for_retired_partner(tenant=a.tenant, actor=a.manager, partner=a.partner1)


@pytest.mark.parametrize("how", ["withdrawn", "lost", "expired", "released"])
def test_every_end_of_the_registration_closes_invitations_and_accepted_partners_keep_the_deal(world, registration, partner3, how):
    a = world.a
    p1, p2, p3 = a.partner1.pk, a.partner2.pk, partner3.pk
    second = invite(world, registration, a.partner2)
    respond(world, second, a.partner2, a.partner2_admin, accept=True)
    third = invite(world, registration, partner3, role="referral")

    _end(world, registration, how)

    team, rows = arrays(world, registration)
    assert team == [p1, p2]  # the co-seller stays on the team of the ended deal: it is its history too
    assert rows == {p1: ("accepted", [p1, p2]), p2: ("accepted", [p1, p2]), p3: ("declined", [p1, p2])}
    assert raw_counts(world, p3, registration) == (0, 0)
    with tenant_context(a.tenant.pk, partner_id=p2):
        deal = access_cosell_deal(tenant=a.tenant, registration_id=registration.public_id, partner_id=p2)
    assert deal.customer_name == "Initech Inc."
    with pytest.raises(ConflictError):
        respond(world, third, partner3, a.partner2_admin, accept=True)


def test_a_decision_that_keeps_the_registration_active_leaves_invitations_open(world, registration):
    participant = invite(world, registration, world.a.partner2)

    with tenant_context(world.a.tenant.pk, user_id=world.a.manager.pk):
        workflow.registration_update_stage(
            tenant=world.a.tenant, actor=world.a.manager, registration=registration, stage="proposal"
        )

    assert arrays(world, registration)[1][world.a.partner2.pk] == ("invited", [world.a.partner1.pk, world.a.partner2.pk])
    accepted = respond(world, participant, world.a.partner2, world.a.partner2_admin, accept=True)
    assert accepted.status == "accepted"


# --- what each partner reads ----------------------------------------------------------------------


def test_the_team_a_co_seller_reads_is_accepted_partners_with_roles(world, registration, partner3):
    second = invite(world, registration, world.a.partner2)
    respond(world, second, world.a.partner2, world.a.partner2_admin, accept=True)
    invite(world, registration, partner3, role="referral")

    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner2.pk):
        seen = cosell_team(tenant=world.a.tenant, registration=registration, partner_id=world.a.partner2.pk)
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk):
        own = cosell_team(tenant=world.a.tenant, registration=registration, partner_id=world.a.partner1.pk)

    assert [(m.partner_name, m.role) for m in seen] == [("Alpha Reseller", "sourcing"), ("Alpha MSP", "implementation")]
    assert [(m.partner_name, m.status) for m in own] == [
        ("Alpha Reseller", "accepted"),
        ("Alpha MSP", "accepted"),
        ("Alpha Integrator", "invited"),
    ]


def test_the_partner_list_for_an_invitation_holds_names_and_types_only(world, registration, partner3):
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk):
        listed = invitable_partners(tenant=world.a.tenant, registration=registration)

    assert listed == [  # by name; not the registering partner itself, nothing about anyone's deals
        {"public_id": partner3.public_id, "name": "Alpha Integrator", "partner_type": "msp"},
        {"public_id": world.a.partner2.public_id, "name": "Alpha MSP", "partner_type": "msp"},
    ]
