"""Offboarding: retiring a partner ends its users' access at once, keeps its history, and can be undone."""

from __future__ import annotations

import pytest

from ecosystem.accounts.models import Invitation, Membership
from ecosystem.audit.models import AuditEntry
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import tenant_context
from partners.lifecycle import partner_reactivate, partner_retire
from partners.models import EngagementEvent, PartnerOrganization, PartnerStatusChange
from partners.services import engagement_record, partner_update
from tests.factories import MembershipFactory


def retire(world, partner=None, reason="Contract ended"):
    with tenant_context(world.a.tenant.pk):
        return partner_retire(tenant=world.a.tenant, actor=world.a.manager, partner=partner or world.a.partner1, reason=reason)


def reactivate(world, partner=None, reason="Renewed for 2027"):
    with tenant_context(world.a.tenant.pk):
        return partner_reactivate(
            tenant=world.a.tenant, actor=world.a.manager, partner=partner or world.a.partner1, reason=reason
        )


def active_users(world, partner) -> set[int]:
    with tenant_context(world.a.tenant.pk):
        return set(Membership.objects.filter(partner=partner, is_active=True).values_list("user_id", flat=True))


def pending_invitation(world, email="new@reseller.alpha.example") -> Invitation:
    with tenant_context(world.a.tenant.pk):
        return Invitation.objects.create(
            tenant=world.a.tenant,
            email=email,
            role="partner_rep",
            partner=world.a.partner1,
            token_hash=email.ljust(64, "0")[:64],
            expires_at="2999-01-01T00:00:00Z",
        )


def test_retiring_locks_a_signed_in_partner_user_out_on_the_very_next_request(client, world):
    client.force_login(world.a.partner1_admin)
    assert client.get("/p/alpha/").status_code == 200
    retire(world)
    assert client.get("/p/alpha/").status_code == 404
    assert client.get("/p/alpha/onboarding/").status_code == 404
    assert client.get("/p/alpha/content/").status_code == 404


def test_retiring_leaves_the_persons_other_programs_and_session_alone(client, world):
    # Sessions are global: a partner company's people work with several vendors.
    with tenant_context(world.b.tenant.pk):
        MembershipFactory(tenant=world.b.tenant, user=world.a.partner1_admin, role="partner_admin", partner=world.b.partner1)
    client.force_login(world.a.partner1_admin)
    retire(world)
    assert client.get("/p/alpha/").status_code == 404
    assert client.get("/p/beta/").status_code == 200


def test_retiring_deactivates_every_membership_revokes_invitations_and_keeps_the_rows(world):
    invitation = pending_invitation(world)
    retire(world)
    with tenant_context(world.a.tenant.pk):
        memberships = list(Membership.objects.filter(partner=world.a.partner1).values_list("user_id", "is_active"))
        invitation.refresh_from_db()
    assert sorted(memberships) == sorted([(world.a.partner1_admin.pk, False), (world.a.partner1_rep.pk, False)])
    assert invitation.revoked_at is not None
    assert active_users(world, world.a.partner2) == {world.a.partner2_admin.pk}  # the other partner is untouched


def test_retiring_writes_the_status_history_and_one_audit_row_naming_what_it_ended(world):
    invitation = pending_invitation(world)
    with tenant_context(world.a.tenant.pk):
        engagement_record(tenant=world.a.tenant, partner_id=world.a.partner1.pk, kind="login", user=world.a.partner1_admin)
        memberships = {str(m) for m in Membership.objects.filter(partner=world.a.partner1).values_list("public_id", flat=True)}
    partner = retire(world, reason="Contract ended")
    with tenant_context(world.a.tenant.pk):
        change = PartnerStatusChange.objects.filter(partner=world.a.partner1).latest("changed_at", "id")
        entry = AuditEntry.objects.get(action="partner.retire")
        kept_history = EngagementEvent.objects.filter(partner=world.a.partner1).count()
    assert partner.status == "retired"
    assert (change.from_status, change.to_status, change.reason, change.changed_by_id) == (
        "active",
        "retired",
        "Contract ended",
        world.a.manager.pk,
    )
    assert entry.object_id == str(world.a.partner1.public_id) and entry.actor_id == world.a.manager.pk
    assert entry.changes["reason"] == "Contract ended" and entry.changes["from_status"] == "active"
    assert set(entry.changes["memberships_deactivated"]) == memberships
    assert entry.changes["invitations_revoked"] == [str(invitation.public_id)]
    assert kept_history == 1


def test_a_reason_is_required_and_nothing_changes_without_one(world):
    with pytest.raises(ApplicationError) as error:
        retire(world, reason="   ")
    with tenant_context(world.a.tenant.pk):
        status = PartnerOrganization.objects.get(pk=world.a.partner1.pk).status
    assert (error.value.code, error.value.field) == ("required", "reason")
    assert status == "active"
    assert active_users(world, world.a.partner1) == {world.a.partner1_admin.pk, world.a.partner1_rep.pk}


def test_retiring_twice_is_refused(world):
    retire(world)
    with pytest.raises(ApplicationError) as error:
        retire(world)
    assert error.value.code == "already_retired"


def test_reactivation_restores_exactly_the_memberships_the_retirement_ended(client, world):
    with tenant_context(world.a.tenant.pk):  # removed before the retirement: stays removed
        earlier_leaver = MembershipFactory(role="partner_rep", partner=world.a.partner1, is_active=False).user
    retire(world)
    partner = reactivate(world)
    with tenant_context(world.a.tenant.pk):
        entry = AuditEntry.objects.get(action="partner.reactivate")
        change = PartnerStatusChange.objects.filter(partner=world.a.partner1).latest("changed_at", "id")
    assert partner.status == "active"
    assert active_users(world, world.a.partner1) == {world.a.partner1_admin.pk, world.a.partner1_rep.pk}
    assert earlier_leaver.pk not in active_users(world, world.a.partner1)
    assert len(entry.changes["memberships_reactivated"]) == 2 and entry.changes["reason"] == "Renewed for 2027"
    assert (change.from_status, change.to_status, change.reason) == ("retired", "active", "Renewed for 2027")
    client.force_login(world.a.partner1_rep)
    assert client.get("/p/alpha/").status_code == 200


def test_reactivating_a_partner_that_is_not_retired_is_refused(world):
    with pytest.raises(ApplicationError) as error:
        reactivate(world)
    assert error.value.code == "not_retired"


def test_the_edit_form_and_the_api_cannot_retire_around_offboarding(client, world):
    with tenant_context(world.a.tenant.pk), pytest.raises(ApplicationError) as error:
        partner_update(tenant=world.a.tenant, actor=world.a.manager, partner=world.a.partner1, status="retired")
    assert (error.value.code, error.value.field) == ("use_offboarding", "status")
    client.force_login(world.a.manager)
    response = client.patch(
        f"/api/v1/t/alpha/partners/{world.a.partner1.public_id}/", {"status": "retired"}, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["code"] == "use_offboarding"
    assert active_users(world, world.a.partner1) == {world.a.partner1_admin.pk, world.a.partner1_rep.pk}


# --- vendor portal -------------------------------------------------------------------------------


def test_a_manager_retires_and_reactivates_from_the_partner_page(client, world):
    client.force_login(world.a.manager)
    url = f"/t/alpha/partners/{world.a.partner1.public_id}/"
    assert "Retire partner" in client.get(url).content.decode()
    response = client.post(f"{url}retire/", {"reason": "Acquired by a competitor"})
    assert response.status_code == 302 and response["Location"] == url
    body = client.get(url).content.decode()
    assert "Reactivate" in body and "Acquired by a competitor" in body
    assert active_users(world, world.a.partner1) == set()
    assert client.post(f"{url}reactivate/", {"reason": "Back in the program"}).status_code == 302
    assert active_users(world, world.a.partner1) == {world.a.partner1_admin.pk, world.a.partner1_rep.pk}


def test_retiring_without_a_reason_in_the_portal_says_so_and_changes_nothing(client, world):
    client.force_login(world.a.owner)
    url = f"/t/alpha/partners/{world.a.partner1.public_id}/"
    response = client.post(f"{url}retire/", {"reason": ""}, follow=True)
    assert "Give a reason for the record." in response.content.decode()
    assert active_users(world, world.a.partner1) == {world.a.partner1_admin.pk, world.a.partner1_rep.pk}


def test_an_analyst_cannot_retire_or_reactivate(client, world):
    client.force_login(world.a.analyst)
    url = f"/t/alpha/partners/{world.a.partner1.public_id}/"
    assert "Retire partner" not in client.get(url).content.decode()
    assert client.post(f"{url}retire/", {"reason": "Because"}).status_code == 403
    assert client.post(f"{url}reactivate/", {"reason": "Because"}).status_code == 403
    with tenant_context(world.a.tenant.pk):
        assert PartnerOrganization.objects.get(pk=world.a.partner1.pk).status == "active"
        assert not AuditEntry.objects.filter(action="partner.retire").exists()
    assert active_users(world, world.a.partner1) == {world.a.partner1_admin.pk, world.a.partner1_rep.pk}


def test_retire_answers_only_with_post(client, world):
    client.force_login(world.a.manager)
    assert client.get(f"/t/alpha/partners/{world.a.partner1.public_id}/retire/").status_code == 405


def test_cannot_retire_other_tenants_partner(client, world):
    client.force_login(world.b.owner)
    for path in (
        f"/t/alpha/partners/{world.a.partner1.public_id}/retire/",  # through A's address
        f"/t/beta/partners/{world.a.partner1.public_id}/retire/",  # A's partner through B's own address
        f"/t/beta/partners/{world.a.partner1.public_id}/reactivate/",
    ):
        assert client.post(path, {"reason": "Hostile"}).status_code == 404
    with tenant_context(world.a.tenant.pk):
        assert PartnerOrganization.objects.get(pk=world.a.partner1.pk).status == "active"
    assert active_users(world, world.a.partner1) == {world.a.partner1_admin.pk, world.a.partner1_rep.pk}


def test_nobody_can_be_invited_to_a_retired_partner(world):
    from ecosystem.accounts.services import invitation_create

    retire(world)
    with tenant_context(world.a.tenant.pk), pytest.raises(ApplicationError) as error:
        invitation_create(
            tenant=world.a.tenant,
            actor=world.a.owner,
            inviter=None,
            email="late@partner1.example",
            role="partner_rep",
            partner=PartnerOrganization.objects.get(pk=world.a.partner1.pk),
        )
    assert error.value.code == "partner_retired"
    with tenant_context(world.a.tenant.pk):
        assert not Invitation.objects.filter(email="late@partner1.example").exists()
