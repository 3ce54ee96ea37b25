"""Collaboration requests: who may ask whom about what, the lifecycle, the deal team, emails, the pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deals.models import DealParticipant, DealRegistration
from deals.tests.support import product_lines_for, submit_as
from ecosystem.errors import ApplicationError, ConflictError, NotFoundError
from ecosystem.tenancy.context import tenant_context
from partners.directory import selectors, services
from partners.directory.models import CollaborationRequest
from partners.plans.models import BusinessPlan, PlanInitiative

from .support import profile_for, third_partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def p3(world):
    """A third partner, an SI with an admin, published in the directory."""
    partner, admin = third_partner(world.a)
    profile_for(partner)
    return partner, admin


def _ask(world, to, *, kind="general", subject=None, role="", message="Shall we?", sender=None, actor=None):
    sender = sender or world.a.partner1
    with tenant_context(world.a.tenant.pk, partner_id=sender.pk):
        return services.collaboration_request(
            tenant=world.a.tenant,
            actor=actor or world.a.partner1_admin,
            from_partner=sender,
            to_partner=to,
            subject_kind=kind,
            subject=subject,
            message=message,
            cosell_role=role,
        )


def _answer(world, partner, admin, request, *, accept=True, note=""):
    with tenant_context(world.a.tenant.pk, partner_id=partner.pk):
        return services.collaboration_answer(
            tenant=world.a.tenant, actor=admin, partner_id=partner.pk, collaboration=request, accept=accept, note=note
        )


def _url(name: str, **kwargs) -> str:
    return reverse(name, kwargs={"tenant_slug": "alpha", **kwargs})


# --- who may ask whom ------------------------------------------------------------------------------


def test_only_published_partners_can_be_asked(world):
    profile_for(world.a.partner2, published=False)
    with pytest.raises(ApplicationError) as error:
        _ask(world, world.a.partner2)
    assert (error.value.code, error.value.field) == ("invalid_choice", "to_partner")


def test_a_partner_never_asks_itself(world):
    profile_for(world.a.partner1)
    with pytest.raises(ApplicationError) as error:
        _ask(world, world.a.partner1)
    assert error.value.code == "collaboration_to_itself"


def test_a_deal_request_must_be_about_the_senders_own_active_registration_with_a_role(world, p3):
    partner3, _ = p3
    product_lines_for(world.a.tenant)
    theirs = submit_as(
        world.a.tenant, world.a.partner2, world.a.partner2_admin, customer_name="Other Co", customer_domain="other.example"
    ).registration
    with pytest.raises(ApplicationError) as error:
        _ask(world, partner3, kind="deal", subject=theirs, role="implementation")
    assert error.value.field == "subject"
    own = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin).registration
    with pytest.raises(ApplicationError) as error:
        _ask(world, partner3, kind="deal", subject=own, role="sourcing")
    assert error.value.field == "cosell_role"


def test_the_subject_selector_only_offers_what_the_sender_may_use(world, p3):
    product_lines_for(world.a.tenant)
    own = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin).registration
    theirs = submit_as(
        world.a.tenant, world.a.partner2, world.a.partner2_admin, customer_name="Other Co", customer_domain="other.example"
    ).registration
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk):
        offered = dict(selectors.collaboration_subjects(tenant=world.a.tenant, partner_id=world.a.partner1.pk))
        assert str(own.public_id) in offered and str(theirs.public_id) not in offered
        with pytest.raises(ApplicationError):
            selectors.collaboration_subject(
                tenant=world.a.tenant, partner_id=world.a.partner1.pk, kind="deal", public_id=theirs.public_id
            )


def test_an_initiative_request_needs_a_plan_the_sender_is_on(world, p3):
    partner3, _ = p3
    with tenant_context(world.a.tenant.pk):
        plan = BusinessPlan.objects.create(
            tenant=world.a.tenant,
            title="FY plan",
            partner=world.a.partner1,
            period_start="2026-01-01",
            period_end="2026-12-31",
            team_partner_ids=[world.a.partner1.pk],
        )
        initiative = PlanInitiative.objects.create(
            tenant=world.a.tenant,
            plan=plan,
            partner=world.a.partner1,
            title="Joint webinar",
            team_partner_ids=[world.a.partner1.pk],
        )
    request = _ask(world, partner3, kind="initiative", subject=initiative)
    assert request.subject_label == "Joint webinar"
    with pytest.raises(ApplicationError):
        _ask(world, partner3, kind="initiative", subject=initiative, sender=world.a.partner2, actor=world.a.partner2_admin)


# --- the lifecycle ---------------------------------------------------------------------------------


def test_request_then_accept_emails_both_sides_after_commit(world, p3, mailoutbox, django_capture_on_commit_callbacks):
    partner3, admin3 = p3
    with django_capture_on_commit_callbacks(execute=True):
        request = _ask(world, partner3, kind="account_mapping", message="12 shared prospects")
    assert request.team_partner_ids == [world.a.partner1.pk, partner3.pk]
    assert request.status == "pending"
    [mail] = mailoutbox
    assert mail.to == [admin3.email]
    assert "Alpha Reseller" in mail.subject and "12 shared prospects" in mail.body
    with django_capture_on_commit_callbacks(execute=True):
        answered = _answer(world, partner3, admin3, request, note="Let's talk")
    assert answered.status == "accepted" and answered.answered_by == admin3
    assert mailoutbox[1].to == [world.a.partner1_admin.email]
    assert "accepted" in mailoutbox[1].subject


def test_no_email_leaves_when_the_transaction_rolls_back(world, p3, django_capture_on_commit_callbacks):
    partner3, _ = p3
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _ask(world, partner3)
    assert len(callbacks) == 1  # queued for after commit, not sent inside the transaction


def test_asking_twice_about_the_same_thing_is_a_conflict_until_answered(world, p3):
    partner3, admin3 = p3
    first = _ask(world, partner3)
    with pytest.raises(ConflictError) as error:
        _ask(world, partner3)
    assert error.value.code == "collaboration_pending"
    _answer(world, partner3, admin3, first, accept=False)
    assert _ask(world, partner3).status == "pending"


def test_only_the_receiver_answers_and_only_once(world, p3):
    partner3, admin3 = p3
    request = _ask(world, partner3)
    with pytest.raises(NotFoundError):
        _answer(world, world.a.partner1, world.a.partner1_admin, request)
    _answer(world, partner3, admin3, request, accept=False, note="Busy")
    with pytest.raises(ConflictError):
        _answer(world, partner3, admin3, request)
    with tenant_context(world.a.tenant.pk):
        request.refresh_from_db()
    assert (request.status, request.response_note) == ("declined", "Busy")


def test_only_the_sender_withdraws_a_pending_request(world, p3):
    partner3, admin3 = p3
    request = _ask(world, partner3)
    with tenant_context(world.a.tenant.pk, partner_id=partner3.pk), pytest.raises(NotFoundError):
        services.collaboration_withdraw(tenant=world.a.tenant, actor=admin3, partner_id=partner3.pk, collaboration=request)
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk):
        withdrawn = services.collaboration_withdraw(
            tenant=world.a.tenant, actor=world.a.partner1_rep, partner_id=world.a.partner1.pk, collaboration=request
        )
    assert withdrawn.status == "withdrawn"
    with pytest.raises(ConflictError):
        _answer(world, partner3, admin3, request)


def test_accepting_a_deal_request_puts_the_receiver_on_the_co_sell_team_in_the_role_asked(world, p3):
    partner3, admin3 = p3
    product_lines_for(world.a.tenant)
    registration = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin).registration
    request = _ask(world, partner3, kind="deal", subject=registration, role="implementation")
    assert request.subject_label == "Initech Inc."
    # before accepting, the receiver cannot read the deal
    with tenant_context(world.a.tenant.pk, partner_id=partner3.pk):
        assert not DealRegistration.objects.filter(pk=registration.pk).exists()
    accepted = _answer(world, partner3, admin3, request)
    with tenant_context(world.a.tenant.pk):
        participant = DealParticipant.objects.get(registration=registration, partner=partner3)
        registration.refresh_from_db()
    assert (participant.status, participant.role) == ("accepted", "implementation")
    assert accepted.deal_participant_id == participant.pk
    assert partner3.pk in registration.team_partner_ids
    with tenant_context(world.a.tenant.pk, partner_id=partner3.pk):
        assert DealRegistration.objects.filter(pk=registration.pk).exists()


def test_the_receiver_of_an_accepted_deal_request_is_not_emailed_an_invitation_it_did_not_get(
    world, p3, mailoutbox, django_capture_on_commit_callbacks
):
    partner3, admin3 = p3
    product_lines_for(world.a.tenant)
    registration = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin).registration
    request = _ask(world, partner3, kind="deal", subject=registration, role="implementation")
    with django_capture_on_commit_callbacks(execute=True):
        _answer(world, partner3, admin3, request)
    assert admin3.email not in [address for mail in mailoutbox for address in mail.to]
    assert not any("invites you to co-sell" in mail.subject for mail in mailoutbox)


def test_a_deal_that_can_no_longer_take_partners_fails_the_accept_and_changes_nothing(world, p3):
    partner3, admin3 = p3
    product_lines_for(world.a.tenant)
    registration = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin).registration
    request = _ask(world, partner3, kind="deal", subject=registration, role="referral")
    with tenant_context(world.a.tenant.pk):
        DealRegistration.objects.filter(pk=registration.pk).update(status="rejected")
    with pytest.raises(ApplicationError) as error:
        _answer(world, partner3, admin3, request)
    assert error.value.code == "registration_not_active"
    with tenant_context(world.a.tenant.pk):
        request.refresh_from_db()
        assert request.status == "pending"
        assert not DealParticipant.objects.filter(registration=registration, partner=partner3).exists()


def test_row_level_security_keeps_a_request_between_its_two_partners(world, p3):
    partner3, _ = p3
    _ask(world, partner3)
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner2.pk):
        assert not CollaborationRequest.objects.exists()
    with tenant_context(world.a.tenant.pk, partner_id=partner3.pk):
        assert CollaborationRequest.objects.count() == 1


# --- pages -----------------------------------------------------------------------------------------


def test_form_is_prefilled_from_the_query_string(client, world, p3):
    partner3, _ = p3
    product_lines_for(world.a.tenant)
    registration = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin).registration
    client.force_login(world.a.partner1_rep)
    response = client.get(
        _url("partner_directory:collaboration_new")
        + f"?to={partner3.public_id}&about=deal&id={registration.public_id}&message=Overlap%20found"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'value="{partner3.public_id}" selected' in body
    assert f'value="{registration.public_id}" selected' in body
    assert 'value="deal" selected' in body
    assert "Overlap found" in body


def test_prefill_never_echoes_a_partner_the_sender_may_not_write_to(client, world):
    profile_for(world.a.partner2, published=False)
    client.force_login(world.a.partner1_rep)
    response = client.get(_url("partner_directory:collaboration_new") + f"?to={world.a.partner2.public_id}")
    assert str(world.a.partner2.public_id) not in response.content.decode()


def test_send_accept_and_see_it_in_both_boxes(client, world, p3):
    partner3, admin3 = p3
    client.force_login(world.a.partner1_rep)
    response = client.post(
        _url("partner_directory:collaboration_new"), {"to": str(partner3.public_id), "about": "general", "message": "Hi"}
    )
    assert response.status_code == 302
    with tenant_context(world.a.tenant.pk):
        request = CollaborationRequest.objects.get()
    assert "Alpha Integrator" in client.get(_url("partner_directory:collaborations") + "?box=out").content.decode()
    client.force_login(admin3)
    inbox = client.get(_url("partner_directory:collaborations") + "?box=in").content.decode()
    assert "Alpha Reseller" in inbox
    assert client.post(_url("partner_directory:collaboration_accept", collaboration_id=request.public_id)).status_code == 302
    with tenant_context(world.a.tenant.pk):
        request.refresh_from_db()
    assert request.status == "accepted"


def test_a_rep_cannot_answer_and_another_partner_gets_404(client, world, p3):
    partner3, _ = p3
    request = _ask(world, partner3)
    client.force_login(world.a.partner2_admin)
    assert client.get(_url("partner_directory:collaboration", collaboration_id=request.public_id)).status_code == 404
    assert client.post(_url("partner_directory:collaboration_decline", collaboration_id=request.public_id)).status_code == 404
    client.force_login(world.a.partner1_rep)
    assert client.post(_url("partner_directory:collaboration_accept", collaboration_id=request.public_id)).status_code == 403
    with tenant_context(world.a.tenant.pk):
        request.refresh_from_db()
    assert request.status == "pending"


def test_send_form_shows_errors_next_to_fields_and_keeps_the_message(client, world, p3):
    client.force_login(world.a.partner1_rep)
    response = client.post(_url("partner_directory:collaboration_new"), {"to": "", "about": "general", "message": "Keep me"})
    assert response.status_code == 400
    assert "Keep me" in response.content.decode()


def test_vendor_sees_every_collaboration_filters_and_exports(client, world, p3):
    partner3, admin3 = p3
    first = _ask(world, partner3, message="=HYPERLINK(1)")
    _answer(world, partner3, admin3, first, accept=False)
    profile_for(world.a.partner1)
    _ask(world, world.a.partner1, sender=partner3, actor=admin3)
    client.force_login(world.a.analyst)
    page = client.get(_url("directory:collaborations")).content.decode()
    assert page.count('data-testid="collaboration-row"') == 2
    declined = client.get(_url("directory:collaborations") + "?status=declined").content.decode()
    assert declined.count('data-testid="collaboration-row"') == 1
    export = client.get(_url("directory:collaborations") + "?export=csv")
    assert export["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK(1)" in export.content.decode()  # formula-safe


def test_vendor_list_costs_the_same_queries_for_one_and_many_rows(client, world, p3, django_assert_num_queries):
    partner3, _admin3 = p3
    _ask(world, partner3)
    client.force_login(world.a.analyst)
    client.get(_url("directory:collaborations"))  # warm the session and the tenant lookups
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(_url("directory:collaborations"))
    profile_for(world.a.partner2)
    _ask(world, world.a.partner2, kind="account_mapping")
    _ask(world, partner3, kind="account_mapping")
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(_url("directory:collaborations"))
    assert response.content.decode().count('data-testid="collaboration-row"') == 3


def test_partner_boxes_cost_the_same_queries_for_one_and_many_rows(client, world, p3):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    partner3, _ = p3
    _ask(world, partner3)
    client.force_login(world.a.partner1_admin)
    client.get(_url("partner_directory:collaborations"))
    with CaptureQueriesContext(connection) as one:
        client.get(_url("partner_directory:collaborations"))
    profile_for(world.a.partner2)
    _ask(world, world.a.partner2)
    _ask(world, partner3, kind="account_mapping")
    with CaptureQueriesContext(connection) as many:
        response = client.get(_url("partner_directory:collaborations"))
    assert response.content.decode().count('data-testid="collaboration-row"') == 3
    assert len(many.captured_queries) == len(one.captured_queries)
