"""Co-selling pages and API: what each partner sees, who may act, and 404 for everyone else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deals.cosell import cosell_invite
from deals.models import DealParticipant, DealRegistration
from ecosystem.tenancy.context import tenant_context

from .support import product_lines_for, submit_as

# What the registering partner typed that a co-seller must never read (support.registration_values).
SECRETS = ("50000", "50,000", "Moving 200 VMs", "Bill Lumbergh", "bill@initech.example")


@pytest.fixture(autouse=True)
def lines(world):
    product_lines_for(world.a.tenant)


@pytest.fixture
def registration(world) -> DealRegistration:
    return submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin, solution="Hybrid cloud move").registration


@pytest.fixture
def invitation(world, registration) -> DealParticipant:
    a = world.a
    with tenant_context(a.tenant.pk, partner_id=a.partner1.pk):
        return cosell_invite(
            tenant=a.tenant,
            actor=a.partner1_admin,
            partner_id=a.partner1.pk,
            registration=registration,
            invitee=a.partner2,
            role="implementation",
            message="Can you run the migration?",
        )


def state(world, registration) -> tuple:
    with tenant_context(world.a.tenant.pk):
        return (
            DealRegistration.objects.get(pk=registration.pk).team_partner_ids,
            sorted(
                DealParticipant.objects.filter(registration=registration).values_list("partner_id", "status", "team_partner_ids")
            ),
        )


def assert_no_secrets(body: str) -> None:
    leaked = [s for s in SECRETS if s in body]
    assert not leaked, f"the co-seller reads the registering partner's {leaked}"


# --- partner portal -------------------------------------------------------------------------------


def test_the_invitee_sees_the_invitation_with_what_it_needs_and_nothing_else(client, world, invitation):
    client.force_login(world.a.partner2_admin)

    response = client.get(reverse("partner_cosell:invitations", args=["alpha"]))

    body = response.content.decode()
    assert response.status_code == 200
    for shown in ("Initech Inc.", "Compute", "Implementation", "Alpha Reseller", "Can you run the migration?"):
        assert shown in body
    assert_no_secrets(body)


def test_accepting_opens_the_co_sell_deal_page_without_the_registering_partners_details(client, world, registration, invitation):
    client.force_login(world.a.partner2_admin)

    response = client.post(reverse("partner_cosell:invitation_accept", args=["alpha", invitation.public_id]))
    assert response.status_code == 302
    page = client.get(response["Location"])

    body = page.content.decode()
    assert page.status_code == 200
    for shown in ("Initech Inc.", "Qualification", "Compute", "Hybrid cloud move", "Alpha Reseller", "Sourcing", "Alpha MSP"):
        assert shown in body
    assert_no_secrets(body)
    assert state(world, registration)[0] == [world.a.partner1.pk, world.a.partner2.pk]
    listed = client.get(reverse("partner_cosell:deals", args=["alpha"])).content.decode()
    assert "Initech Inc." in listed and "Implementation" in listed


def test_after_declining_the_partner_sees_nothing_more(client, world, registration, invitation):
    client.force_login(world.a.partner2_admin)

    client.post(reverse("partner_cosell:invitation_decline", args=["alpha", invitation.public_id]))

    assert client.get(reverse("partner_cosell:deal", args=["alpha", registration.public_id])).status_code == 404
    assert "Initech" not in client.get(reverse("partner_cosell:invitations", args=["alpha"])).content.decode()
    assert client.get(reverse("api:cosell-deal-detail", args=["alpha", registration.public_id])).status_code == 404


def test_a_partner_rep_reads_invitations_but_its_admin_answers(client, world, registration, invitation):
    from tests.factories import MembershipFactory, UserFactory

    with tenant_context(world.a.tenant.pk):
        rep = UserFactory(email="rep-p2@alpha.example")
        MembershipFactory(tenant=world.a.tenant, user=rep, role="partner_rep", partner=world.a.partner2)
    before = state(world, registration)
    client.force_login(rep)

    assert client.get(reverse("partner_cosell:invitations", args=["alpha"])).status_code == 200
    assert client.post(reverse("partner_cosell:invitation_accept", args=["alpha", invitation.public_id])).status_code == 403
    assert state(world, registration) == before


def test_other_partners_and_other_tenants_get_404_and_nothing_changes(client, world, registration, invitation):
    before = state(world, registration)
    routes = [
        ("get", reverse("partner_cosell:deal", args=["alpha", registration.public_id])),
        ("get", reverse("partner_cosell:team", args=["alpha", registration.public_id])),
        ("post", reverse("partner_cosell:invitation_accept", args=["alpha", invitation.public_id])),
        ("post", reverse("partner_cosell:team_remove", args=["alpha", registration.public_id, invitation.public_id])),
    ]
    # partner 2 is invited, not on the team: the deal page and partner 1's team page are not its own
    client.force_login(world.a.partner2_admin)
    for method, url in routes[:2] + routes[3:]:
        assert getattr(client, method)(url, {"reason": "x"}).status_code == 404, url
    client.force_login(world.b.partner1_admin)
    for method, url in routes:
        assert getattr(client, method)(url.replace("/alpha/", "/beta/"), {"reason": "x"}).status_code == 404, url
    assert state(world, registration) == before


def test_the_registering_partner_invites_from_a_list_of_names_that_shows_no_other_deals(client, world, registration):
    submit_as(world.a.tenant, world.a.partner2, world.a.partner2_admin, customer_name="Globex", customer_domain="globex.example")
    client.force_login(world.a.partner1_admin)
    url = reverse("partner_cosell:team", args=["alpha", registration.public_id])

    page = client.get(url).content.decode()
    assert "Alpha MSP (Managed service provider)" in page and "Globex" not in page

    bad = client.post(url, {"partner": "", "role": "referral"})
    assert bad.status_code == 400
    response = client.post(url, {"partner": str(world.a.partner2.public_id), "role": "referral", "message": "Hi"})
    assert response.status_code == 302
    assert state(world, registration)[1][-1] == (world.a.partner2.pk, "invited", [world.a.partner1.pk, world.a.partner2.pk])


# --- vendor portal --------------------------------------------------------------------------------


def test_a_manager_assembles_and_trims_the_team(client, world, registration, invitation):
    client.force_login(world.a.manager)
    page = client.get(reverse("cosell:team", args=["alpha", registration.public_id]))
    assert page.status_code == 200 and "Alpha MSP" in page.content.decode()

    client.post(
        reverse("cosell:remove", args=["alpha", registration.public_id, invitation.public_id]), {"reason": "Wrong partner"}
    )
    response = client.post(
        reverse("cosell:assign", args=["alpha", registration.public_id]),
        {"partner": str(world.a.partner2.public_id), "role": "distribution"},
    )

    assert response.status_code == 302
    assert state(world, registration)[0] == [world.a.partner1.pk, world.a.partner2.pk]


def test_an_analyst_reads_the_team_but_cannot_change_it(client, world, registration, invitation):
    before = state(world, registration)
    client.force_login(world.a.analyst)

    assert client.get(reverse("cosell:team", args=["alpha", registration.public_id])).status_code == 200
    response = client.post(
        reverse("cosell:assign", args=["alpha", registration.public_id]),
        {"partner": str(world.a.partner2.public_id), "role": "referral"},
    )
    api = client.post(
        reverse("api:deal-team-remove", args=["alpha", registration.public_id]),
        {"participant": str(invitation.public_id), "reason": "x"},
        content_type="application/json",
    )

    assert (response.status_code, api.status_code) == (403, 403)
    assert state(world, registration) == before


# --- API ------------------------------------------------------------------------------------------


def test_the_api_invitation_accept_and_co_sell_deal_carry_no_value_or_notes(client, world, registration, invitation):
    client.force_login(world.a.partner2_admin)

    listed = client.get(reverse("api:cosell-invitation-list", args=["alpha"]))
    accepted = client.post(reverse("api:cosell-invitation-accept", args=["alpha", invitation.public_id]))
    deals = client.get(reverse("api:cosell-deal-list", args=["alpha"]))
    detail = client.get(reverse("api:cosell-deal-detail", args=["alpha", registration.public_id]))

    assert [i["customer_name"] for i in listed.json()] == ["Initech Inc."]
    assert listed.json()[0]["invited_by_partner"] == "Alpha Reseller"
    assert accepted.status_code == 200
    assert [d["id"] for d in deals.json()["results"]] == [str(registration.public_id)]
    assert set(detail.json()) == {
        "id",
        "customer_name",
        "product_lines",
        "expected_close_date",
        "stage",
        "solution",
        "role",
        "team",
    }
    assert [(m["partner_name"], m["role"]) for m in detail.json()["team"]] == [
        ("Alpha Reseller", "sourcing"),
        ("Alpha MSP", "implementation"),
    ]
    for response in (listed, accepted, deals, detail):
        assert_no_secrets(response.content.decode())


def test_the_api_invite_assign_and_remove(client, world, registration):
    client.force_login(world.a.partner1_admin)
    invited = client.post(
        reverse("api:deal-team-invite", args=["alpha", registration.public_id]),
        {"partner": str(world.a.partner2.public_id), "role": "influencing"},
        content_type="application/json",
    )
    assert invited.status_code == 200
    [_, member] = invited.json()["team"]
    assert (member["partner_name"], member["status"]) == ("Alpha MSP", "invited")

    client.force_login(world.a.manager)
    removed = client.post(
        reverse("api:deal-team-remove", args=["alpha", registration.public_id]),
        {"participant": member["participant"], "reason": "Manager's call"},
        content_type="application/json",
    )
    assigned = client.post(
        reverse("api:deal-team-assign", args=["alpha", registration.public_id]),
        {"partner": str(world.a.partner2.public_id), "role": "referral"},
        content_type="application/json",
    )

    assert removed.status_code == 200 and assigned.status_code == 200
    assert [(m["partner_name"], m["role"], m["status"]) for m in assigned.json()["team"]] == [
        ("Alpha Reseller", "sourcing", "accepted"),
        ("Alpha MSP", "referral", "accepted"),
    ]


def test_the_api_refuses_a_partner_on_another_partners_registration_with_404(client, world, registration, invitation):
    before = state(world, registration)
    client.force_login(world.a.partner2_admin)

    team = client.get(reverse("api:deal-team-detail", args=["alpha", registration.public_id]))
    invite = client.post(
        reverse("api:deal-team-invite", args=["alpha", registration.public_id]),
        {"partner": str(world.a.partner1.public_id), "role": "referral"},
        content_type="application/json",
    )

    assert (team.status_code, invite.status_code) == (404, 404)
    assert state(world, registration) == before


def test_the_co_sell_deal_list_costs_a_fixed_number_of_queries(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from deals.cosell import cosell_assign

    a = world.a
    for n in range(3):
        registration = submit_as(
            a.tenant, a.partner1, a.partner1_admin, customer_name=f"Deal {n}", customer_domain=f"d{n}.example"
        ).registration
        with tenant_context(a.tenant.pk):
            cosell_assign(tenant=a.tenant, actor=a.owner, registration=registration, partner=a.partner2, role="referral")
    client.force_login(a.partner2_admin)
    url = reverse("partner_cosell:deals", args=["alpha"])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)

    assert response.content.decode().count('data-testid="cosell-deal"') == 3
    # session, user, tenant; savepoint + scope settings, membership, partner scope (the portal base);
    # the page: 1 count + 1 participants joined to their registrations, whatever the number of deals;
    # the tenant switcher in base.html: savepoint, cleared settings, memberships, settings back, release;
    # then the request's release and the cleared settings.
    assert len(captured.captured_queries) == 16
