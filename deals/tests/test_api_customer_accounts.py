"""``customer-accounts/``: the portal's accounts page through the API."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals.accounts import customer_account_create
from deals.models import CustomerAccount
from ecosystem.tenancy.context import tenant_context

URL = "/api/v1/t/alpha/customer-accounts/"


def account(world, name: str, domain: str = "") -> CustomerAccount:
    with tenant_context(world.a.tenant.pk):
        return customer_account_create(tenant=world.a.tenant, actor=world.a.owner, name=name, domain=domain)


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def test_staff_search_accounts_by_the_start_of_their_name_or_domain(client, world):
    account(world, "Contoso GmbH", "contoso.example")
    account(world, "Fabrikam", "fabrikam.example")
    client.force_login(world.a.analyst)
    assert names(client.get(URL, {"q": "cont"})) == ["Contoso GmbH"]
    assert names(client.get(URL, {"q": "fabrikam.ex"})) == ["Fabrikam"]
    assert names(client.get(URL, {"ordering": "name"})) == ["Contoso GmbH", "Fabrikam"]


def test_a_partner_manager_adds_an_account_and_a_taken_domain_is_refused(client, world):
    account(world, "Contoso GmbH", "contoso.example")
    client.force_login(world.a.manager)
    created = client.post(URL, {"name": "Northwind", "domain": "northwind.example"}, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["active_registrations"] == 0
    taken = client.post(URL, {"name": "Contoso AG", "domain": "www.contoso.example"}, content_type="application/json")
    assert (taken.status_code, taken.json()["code"], taken.json()["attr"]) == (400, "duplicate_domain", "domain")


def test_analysts_read_but_may_not_add_and_partner_users_see_nothing(client, world):
    account(world, "Contoso GmbH")
    client.force_login(world.a.analyst)
    assert client.post(URL, {"name": "X"}, content_type="application/json").status_code == 403
    client.force_login(world.a.partner1_admin)
    assert client.get(URL).status_code == 404
    with tenant_context(world.a.tenant.pk):
        assert list(CustomerAccount.objects.values_list("name", flat=True)) == ["Contoso GmbH"]


def test_a_page_costs_the_same_queries_however_many_accounts(client, world):
    client.force_login(world.a.manager)
    counts = []
    for batch in (1, 20):
        for index in range(batch):
            account(world, f"Customer {batch}-{index}")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"page_size": 50}).status_code == 200
        counts.append(len(queries))
    # tenant, SAVEPOINT, set_config, session, user, membership, the page (counts annotated), RELEASE, set_config
    assert counts == [9, 9]
