"""The applications and onboarding-plan API: the same services and rules as the portal."""

from __future__ import annotations

from ecosystem.tenancy.context import tenant_context
from onboarding.models import PartnerApplication
from onboarding.services import application_submit
from partners.models import PartnerOrganization
from tests.fixtures import onboarding_plan_for

URL = "/api/v1/t/alpha/applications/"


def submit(world, domain="api-applicant.example"):
    with tenant_context(world.a.tenant.pk):
        return application_submit(
            tenant=world.a.tenant,
            company_name="Api Applicant",
            website_domain=domain,
            partner_type="isv",
            expected_deal_volume="under_10",
            contact_name="Ada",
            contact_email=f"ada@{domain}",
        ).application


def test_managers_list_and_approve_applications(client, world):
    onboarding_plan_for(world.a.tenant, world.a.partner1)  # gives the tenant its standard template
    application = submit(world)
    client.force_login(world.a.manager)
    listed = client.get(URL, {"status": "submitted"}).json()["results"]
    assert [row["id"] for row in listed] == [str(application.public_id)]

    response = client.post(f"{URL}{application.public_id}/approve/")

    assert response.status_code == 201
    assert response.json()["status"] == "onboarding"
    with tenant_context(world.a.tenant.pk):
        partner = PartnerOrganization.objects.get(website_domain="api-applicant.example")
        assert partner.onboarding_plans.count() == 1
    plan = client.get("/api/v1/t/alpha/onboarding-plans/", {"status": "in_progress"}).json()["results"]
    assert str(partner.public_id) in {row["partner"] for row in plan}


def test_declining_needs_a_reason_in_the_envelope(client, world):
    application = submit(world)
    client.force_login(world.a.manager)
    response = client.post(f"{URL}{application.public_id}/reject/", {"reason": ""}, content_type="application/json")
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["attr"]) == ("required", "reason")
    with tenant_context(world.a.tenant.pk):
        assert PartnerApplication.objects.get(pk=application.pk).status == "submitted"


def test_a_decided_application_cannot_be_decided_again(client, world):
    application = submit(world)
    client.force_login(world.a.manager)
    assert (
        client.post(f"{URL}{application.public_id}/reject/", {"reason": "Not a fit"}, content_type="application/json").status_code
        == 200
    )
    again = client.post(f"{URL}{application.public_id}/approve/")
    assert again.status_code == 400
    assert again.json()["code"] == "already_decided"


def test_analysts_read_but_cannot_decide(client, world):
    application = submit(world)
    client.force_login(world.a.analyst)
    assert client.get(f"{URL}{application.public_id}/").status_code == 200
    response = client.post(f"{URL}{application.public_id}/approve/")
    assert response.status_code == 403
    with tenant_context(world.a.tenant.pk):
        assert PartnerApplication.objects.get(pk=application.pk).status == "submitted"


def test_partner_users_do_not_see_applications_or_plans(client, world):
    submit(world)
    client.force_login(world.a.partner1_admin)
    assert client.get(URL).status_code == 404
    assert client.get("/api/v1/t/alpha/onboarding-plans/").status_code == 404


def test_an_api_key_approves_an_application_and_the_invitation_names_no_person(client, world):
    # found by the API fuzz: the key itself was put in the invitation's user column (a 500)
    from ecosystem.accounts.models import Invitation
    from ecosystem.api.services import api_key_create

    onboarding_plan_for(world.a.tenant, world.a.partner1)
    application = submit(world)
    with tenant_context(world.a.tenant.pk):
        issued = api_key_create(tenant=world.a.tenant, actor=world.a.owner, name="CRM", scope="write")

    response = client.post(f"{URL}{application.public_id}/approve/", HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")

    assert response.status_code == 201
    with tenant_context(world.a.tenant.pk):
        invitation = Invitation.objects.get(email="ada@api-applicant.example")
        assert invitation.invited_by is None
