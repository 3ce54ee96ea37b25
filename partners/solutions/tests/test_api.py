"""Joint solutions in the API: staff (solutions/) and partners (my-solutions/): errors, idempotency,
filters, cursor pages, ownership and query budgets."""

from __future__ import annotations

import pytest

from deals.tests.support import product_lines_for, submit_as
from ecosystem.tenancy.context import tenant_context
from partners.solutions.models import ComponentStatus, JointSolution, SolutionComponent, SolutionStatus

from .support import in_market, invite, partner3_of, propose

STAFF = "/api/v1/t/alpha/solutions/"
MINE = "/api/v1/t/alpha/my-solutions/"


def rows(world, model, **filters):
    with tenant_context(world.a.tenant.pk):
        return list(model.objects.filter(**filters))


def post(client, path, body=None, **headers):
    return client.post(path, body or {}, content_type="application/json", headers=headers)


@pytest.fixture
def manager(client, world):
    client.force_login(world.a.manager)
    return client


# --- staff -----------------------------------------------------------------------------------------


def test_staff_create_invite_and_approve_through_the_api(manager, client, world):
    created = post(manager, STAFF, {"name": "Data platform", "industries": ["Retail"], "regions": ["emea"]})
    assert created.status_code == 201, created.content
    solution_id = created.json()["id"]
    assert created.json()["status"] == "draft" and created.json()["orchestrator"] == "vendor"

    invited = post(
        manager, f"{STAFF}{solution_id}/components/", {"partner": str(world.a.partner2.public_id), "role": "isv_product"}
    )
    assert invited.status_code == 201
    assert [c["status"] for c in invited.json()["components"]] == ["invited"]

    refused = post(manager, f"{STAFF}{solution_id}/approve/")
    assert refused.status_code == 409 and refused.json()["code"] == "invitations_open"

    client.force_login(world.a.partner2_admin)
    accepted = post(client, f"{MINE}{solution_id}/accept/")
    assert accepted.status_code == 200 and accepted.json()["components"][0]["status"] == "accepted"

    client.force_login(world.a.manager)
    approved = post(client, f"{STAFF}{solution_id}/approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "in_market"
    assert approved.json()["figures"]["won_count"] == 0


def test_bad_input_comes_back_in_the_error_envelope(manager, world):
    response = post(manager, STAFF, {"name": "X", "regions": ["mars"]})
    assert response.status_code == 400 and response.json()["attr"].startswith("regions")

    response = post(manager, STAFF, {"name": "X", "orchestrator": "partner"})
    assert (response.status_code, response.json()["code"], response.json()["attr"]) == (
        400,
        "required",
        "orchestrator_partner",
    )
    solution = propose(world.a)
    response = post(
        manager, f"{STAFF}{solution.public_id}/components/", {"partner": str(world.a.partner2.public_id), "role": "ceo"}
    )
    assert (response.status_code, response.json()["attr"]) == (400, "role")
    assert rows(world, JointSolution, name="X") == []


def test_creating_twice_with_one_idempotency_key_creates_one_solution(manager, world):
    first = post(manager, STAFF, {"name": "Once"}, **{"Idempotency-Key": "solution-1"})
    second = post(manager, STAFF, {"name": "Once"}, **{"Idempotency-Key": "solution-1"})
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert len(rows(world, JointSolution)) == 1


def test_the_staff_list_filters_and_pages_with_a_cursor(manager, world):
    in_market(world.a, name="Retail cloud")
    propose(world.a, name="Hospital records", industries="Healthcare", regions=["apac"])

    assert [s["name"] for s in manager.get(STAFF, {"status": "in_market"}).json()["results"]] == ["Retail cloud"]
    assert [s["name"] for s in manager.get(STAFF, {"industry": "health"}).json()["results"]] == ["Hospital records"]
    assert [s["name"] for s in manager.get(STAFF, {"q": "retail"}).json()["results"]] == ["Retail cloud"]
    page = manager.get(STAFF, {"page_size": 1}).json()
    assert len(page["results"]) == 1 and "cursor=" in page["next"]


def test_staff_detail_has_figures_of_the_solutions_deals(manager, world):
    product_lines_for(world.a.tenant)
    solution = in_market(world.a)
    submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin, joint_solution=str(solution.public_id))

    figures = manager.get(f"{STAFF}{solution.public_id}/").json()["figures"]

    assert (figures["open_count"], figures["open_value"]) == (1, "50000.00")
    assert [s["count"] for s in figures["by_stage"]] == [0, 1, 0, 0]


def test_partner_users_get_404_on_the_staff_api(client, world):
    solution = in_market(world.a)
    client.force_login(world.a.partner1_admin)
    assert client.get(f"{STAFF}{solution.public_id}/").status_code == 404
    assert post(client, f"{STAFF}{solution.public_id}/retire/").status_code == 404
    assert rows(world, JointSolution)[0].status == SolutionStatus.IN_MARKET


@pytest.mark.parametrize("count", [1, 4])
def test_the_staff_list_costs_the_same_queries_for_any_number(manager, world, django_assert_num_queries, count):
    for n in range(count):
        propose(world.a, name=f"Solution {n}")
    # 1 session, 2 user, 3 tenant by slug; the tenant transaction: 4 savepoint, 5 set_config,
    # 6 membership, 7 the page of solutions, 8 the names of their orchestrating and proposing partners,
    # 9 release, 10 set_config cleared.
    with django_assert_num_queries(10):
        response = manager.get(STAFF)
    assert len(response.json()["results"]) == count


# --- partners --------------------------------------------------------------------------------------


def test_a_partner_proposes_invites_and_submits_through_the_api(client, world):
    client.force_login(world.a.partner1_admin)
    created = post(client, MINE, {"name": "Store in a box", "role": "si_implementation"}, **{"Idempotency-Key": "p-1"})
    assert created.status_code == 201, created.content
    solution_id = created.json()["id"]
    again = post(client, MINE, {"name": "Store in a box", "role": "si_implementation"}, **{"Idempotency-Key": "p-1"})
    assert again.json()["id"] == solution_id and len(rows(world, JointSolution)) == 1

    invited = post(client, f"{MINE}{solution_id}/components/", {"partner": str(world.a.partner2.public_id), "role": "consulting"})
    assert invited.status_code == 201
    refused = post(client, f"{MINE}{solution_id}/submit/")
    assert refused.status_code == 409 and refused.json()["code"] == "invitations_open"

    client.force_login(world.a.partner2_admin)
    invitations = client.get(f"{MINE}invitations/").json()
    assert [(i["solution_name"], i["role"]) for i in invitations] == [("Store in a box", "consulting")]
    assert post(client, f"{MINE}{solution_id}/decline/").status_code == 204
    assert client.get(f"{MINE}{solution_id}/").status_code == 404  # declined: it reads nothing more

    client.force_login(world.a.partner1_admin)
    submitted = post(client, f"{MINE}{solution_id}/submit/")
    assert submitted.status_code == 200 and submitted.json()["status"] == "proposed"


def test_the_catalogue_is_public_fields_of_solutions_in_market(client, world):
    _partner3, admin3 = partner3_of(world.a)
    in_market(world.a)
    propose(world.a, name="Secret draft")
    client.force_login(admin3)

    catalogue = client.get(f"{MINE}catalogue/").json()["results"]
    assert [e["name"] for e in catalogue] == ["Retail cloud in a box"]
    assert catalogue[0]["components"] == [
        {"partner_name": "Alpha Reseller", "role": "SI implementation", "description": "Implementation and migration"},
        {"partner_name": "Alpha MSP", "role": "MSP managed service", "description": "Runs it"},
    ]
    assert client.get(f"{MINE}catalogue/", {"region": "apac"}).json()["results"] == []
    assert client.get(MINE).json()["results"] == []


def test_partner2_never_reads_partner1s_draft_or_answers_its_invitation(client, world):
    partner3, _admin3 = partner3_of(world.a)
    solution = propose(world.a)
    invite(world.a, solution, partner3)
    client.force_login(world.a.partner2_admin)

    assert client.get(f"{MINE}{solution.public_id}/").status_code == 404
    assert post(client, f"{MINE}{solution.public_id}/accept/").status_code == 404
    assert str(solution.public_id) not in client.get(f"{MINE}catalogue/").content.decode()
    assert client.get(f"{MINE}invitations/").json() == []
    assert rows(world, SolutionComponent, partner=partner3)[0].status == ComponentStatus.INVITED


def test_a_rep_may_not_answer_or_propose(client, world):
    solution = propose(world.a)
    client.force_login(world.a.partner1_rep)
    assert post(client, MINE, {"name": "X", "role": "consulting"}).status_code == 403
    assert client.get(f"{MINE}{solution.public_id}/").status_code == 200
    assert len(rows(world, JointSolution)) == 1


def test_staff_are_sent_to_the_staff_api(manager):
    response = manager.get(MINE)
    assert response.status_code == 403 and response.json()["code"] == "partner_only"


@pytest.mark.parametrize("count", [1, 4])
def test_the_catalogue_costs_the_same_queries_for_any_number(client, world, django_assert_num_queries, count):
    for n in range(count):
        in_market(world.a, name=f"Solution {n}")
    client.force_login(world.a.partner2_admin)
    # 1 session, 2 user, 3 tenant by slug; the tenant transaction: 4 savepoint, 5 set_config, 6 membership,
    # 7 set_config for the partner; across partners: 8 savepoint, 9 set_config, 10 the page of solutions,
    # 11 their accepted components, 12 partner names, 13 release, 14 set_config back; 15 release, 16 cleared.
    with django_assert_num_queries(16):
        response = client.get(f"{MINE}catalogue/")
    assert len(response.json()["results"]) == count
