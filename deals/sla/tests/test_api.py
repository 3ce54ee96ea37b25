"""SLAs in the API: ``sla-definitions/``, ``sla-report/`` (staff and keys) and ``my-slas/`` (partner users)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from deals.models import EngagementRules
from ecosystem.api.services import api_key_create
from ecosystem.audit.models import AuditEntry
from ecosystem.tenancy.context import tenant_context

from .support import HOUR, lead_offer, registration

BASE = "/api/v1/t/alpha"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def seeded(world):
    now = timezone.now()
    a = world.a
    registration(a.tenant, a.partner1, submitted_at=now - 60 * HOUR)  # vendor owes partner 1: overdue
    lead_offer(a.tenant, a.partner2, offered_at=now - 10 * HOUR, status="declined", responded_at=now - 4 * HOUR)  # 6 h: met
    lead_offer(a.tenant, a.partner2, offered_at=now - 30 * HOUR)  # partner 2 owes: overdue


def test_staff_list_the_definitions_the_program_was_created_with(world):
    response = api(world.a.analyst).get(f"{BASE}/sla-definitions/")
    assert response.status_code == 200
    found = {row["kind"]: (row["owed_by"], row["target_hours"], row["rule_of_engagement"]) for row in response.json()["results"]}
    assert found["registration_decision"] == ("vendor", 48, "approval_sla_hours")
    assert found["cosell_answer"] == ("partner", 72, None)
    assert len(found) == 5


def test_a_manager_patches_a_target_and_the_rule_follows(world):
    client = api(world.a.manager)
    lead = next(r for r in client.get(f"{BASE}/sla-definitions/").json()["results"] if r["kind"] == "lead_answer")
    response = client.patch(f"{BASE}/sla-definitions/{lead['id']}/", {"target_hours": 12}, format="json")
    assert response.status_code == 200 and response.json()["target_hours"] == 12
    with tenant_context(world.a.tenant.pk):
        assert EngagementRules.objects.get().lead_response_hours == 12
        assert AuditEntry.objects.filter(action="sla.definition_update").exists()


def test_a_bad_target_answers_in_the_error_envelope(world):
    client = api(world.a.manager)
    first = client.get(f"{BASE}/sla-definitions/").json()["results"][0]
    response = client.patch(f"{BASE}/sla-definitions/{first['id']}/", {"target_hours": 0}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert (body["type"], body["attr"]) == ("validation_error", "target_hours")


def test_an_analyst_cannot_update_and_a_partner_user_does_not_find_the_definitions(world):
    first = api(world.a.manager).get(f"{BASE}/sla-definitions/").json()["results"][0]
    assert (
        api(world.a.analyst).patch(f"{BASE}/sla-definitions/{first['id']}/", {"target_hours": 5}, format="json").status_code
        == 403
    )
    assert api(world.a.partner1_admin).get(f"{BASE}/sla-definitions/").status_code == 404


def test_the_report_gives_program_and_partner_figures_with_filters(world, seeded):
    client = api(world.a.manager)
    body = client.get(f"{BASE}/sla-report/").json()
    slas = {row["kind"]: row for row in body["slas"]}
    assert (slas["lead_answer"]["count"], slas["lead_answer"]["met"], slas["lead_answer"]["open_overdue"]) == (2, 1, 1)
    assert slas["lead_answer"]["attainment"] == 50.0 and slas["lead_answer"]["median_hours"] == 6.0
    partners = {(row["partner_name"], row["kind"]) for row in body["partners"]}
    assert partners == {(world.a.partner1.name, "registration_decision"), (world.a.partner2.name, "lead_answer")}

    only = client.get(f"{BASE}/sla-report/", {"partner": str(world.a.partner1.public_id), "sla": "registration_decision"}).json()
    assert [row["kind"] for row in only["slas"]] == ["registration_decision"]
    assert only["slas"][0]["open_overdue"] == 1


def test_the_report_refuses_a_foreign_partner_and_an_unknown_sla_and_a_reversed_period(world):
    client = api(world.a.manager)
    foreign = client.get(f"{BASE}/sla-report/", {"partner": str(world.b.partner1.public_id)})
    assert (foreign.status_code, foreign.json()["code"]) == (400, "invalid_choice")
    assert client.get(f"{BASE}/sla-report/", {"sla": "everything"}).status_code == 400
    reversed_ = client.get(f"{BASE}/sla-report/", {"start": "2026-05-01", "end": "2026-04-01"})
    assert (reversed_.status_code, reversed_.json()["code"]) == (400, "invalid_period")


def test_a_key_reads_the_report_but_has_no_slas_of_its_own(world, seeded):
    with tenant_context(world.a.tenant.pk):
        issued = api_key_create(tenant=world.a.tenant, actor=world.a.owner, name="BI", scope="read")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")
    assert client.get(f"{BASE}/sla-report/").status_code == 200
    assert client.get(f"{BASE}/my-slas/").status_code == 404


def test_my_slas_are_the_callers_own_figures_on_both_sides(world, seeded):
    mine = {row["kind"]: row for row in api(world.a.partner2_admin).get(f"{BASE}/my-slas/").json()["slas"]}
    assert (mine["lead_answer"]["count"], mine["registration_decision"]["count"]) == (2, 0)
    theirs = {row["kind"]: row for row in api(world.a.partner1_rep).get(f"{BASE}/my-slas/").json()["slas"]}
    assert (theirs["lead_answer"]["count"], theirs["registration_decision"]["open_overdue"]) == (0, 1)
    assert theirs["registration_decision"]["owed_by"] == "vendor"
    assert api(world.a.manager).get(f"{BASE}/my-slas/").status_code == 404
    assert api(world.a.partner2_admin).get(f"{BASE}/sla-report/").status_code == 404


@pytest.mark.parametrize("path", ["sla-report/", "sla-definitions/"])
def test_the_endpoints_cost_the_same_queries_for_few_and_many_items(world, seeded, path):
    client = api(world.a.manager)
    client.get(f"{BASE}/{path}")  # the defaults exist from here on

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{BASE}/{path}").status_code == 200
        return len(queries)

    few = count()
    now = timezone.now()
    for n in range(8):
        registration(world.a.tenant, world.a.partner2, submitted_at=now - (n + 50) * HOUR)
    assert count() == few
