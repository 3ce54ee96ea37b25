"""The vendor's customer accounts page: search, who holds what, adding one by hand; roles and isolation."""

from __future__ import annotations

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals.models import CustomerAccount, DirectOpportunity
from ecosystem.audit.models import AuditEntry
from ecosystem.tenancy.context import tenant_context

from .support import product_lines_for, submit_as

URL = "/t/alpha/deals/accounts/"


@pytest.fixture(autouse=True)
def lines(world):
    product_lines_for(world.a.tenant)


def text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def accounts_of(world) -> list[str]:
    with tenant_context(world.a.tenant.pk):
        return sorted(CustomerAccount.objects.values_list("name", flat=True))


def test_the_list_shows_each_account_with_its_active_registrations_and_open_direct_deals(client, world):
    registration = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin).registration
    with tenant_context(world.a.tenant.pk):
        DirectOpportunity.objects.create(tenant=world.a.tenant, account=registration.account, name="Renewal")
    client.force_login(world.a.analyst)

    response = client.get(URL)

    row = response.context["page"].object_list[0]
    assert (row.name, row.active_registrations, row.open_direct) == ("Initech Inc.", 1, 1)
    assert "initech.example" in text(response) and "Add an account" not in text(response)


def test_search_finds_by_name_or_domain(client, world):
    submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin)
    submit_as(world.a.tenant, world.a.partner2, world.a.partner2_admin, customer_name="Globex", customer_domain="globex.example")
    client.force_login(world.a.manager)

    by_name = [a.name for a in client.get(URL, {"q": "INITECH"}).context["page"]]
    by_domain = [a.name for a in client.get(URL, {"q": "globex.ex"}).context["page"]]

    assert (by_name, by_domain) == (["Initech Inc."], ["Globex"])


def test_a_manager_adds_an_account_and_it_is_audited(client, world):
    client.force_login(world.a.manager)

    response = client.post(URL, {"name": "Umbrella Corp", "domain": "https://www.umbrella.example/", "owner_kind": "direct"})

    assert response.status_code == 302
    with tenant_context(world.a.tenant.pk):
        account = CustomerAccount.objects.get()
        assert AuditEntry.objects.filter(action="deals.account_create", object_id=str(account.public_id)).exists()
    assert (account.domain, account.root_domain, account.name_key, account.owner_kind) == (
        "umbrella.example",
        "umbrella.example",
        "umbrella",
        "direct",
    )


def test_a_domain_already_taken_is_a_field_error_that_keeps_the_input(client, world):
    submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin)
    client.force_login(world.a.manager)

    response = client.post(URL, {"name": "Initech EMEA", "domain": "emea.initech.example", "owner_kind": "none"})

    assert response.status_code == 400
    body = text(response)
    assert "An account with this domain already exists." in body and 'value="Initech EMEA"' in body
    assert accounts_of(world) == ["Initech Inc."]


def test_an_analyst_may_not_add_and_partners_and_other_tenants_see_nothing(client, world):
    submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin)
    client.force_login(world.a.analyst)
    refused = client.post(URL, {"name": "Sneaky", "owner_kind": "none"})
    client.force_login(world.a.partner1_admin)
    partner = client.get(URL)
    client.force_login(world.b.owner)
    other_tenant = client.get(URL)
    own_tenant = client.get("/t/beta/deals/accounts/")

    assert refused.status_code == 403 and accounts_of(world) == ["Initech Inc."]
    assert partner.status_code == 404 and other_tenant.status_code == 404
    assert own_tenant.status_code == 200 and "Initech" not in text(own_tenant)


def test_the_page_costs_the_same_queries_for_one_and_ten_accounts(client, world):
    client.force_login(world.a.manager)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin)
    one = queries()
    for n in range(9):
        submit_as(
            world.a.tenant, world.a.partner2, world.a.partner2_admin, customer_name=f"C{n} Co", customer_domain=f"c{n}.example"
        )
    ten = queries()

    assert one == ten
