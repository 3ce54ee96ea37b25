"""``PUT rebate-programs/<id>/``: the portal's program form through the API."""

from __future__ import annotations

from attribution.incentives.models import RebateProgram
from ecosystem.tenancy.context import tenant_context

from .support import program

BASE = "/api/v1/t/alpha/rebate-programs/"
BODY = {
    "name": "Growth 2027",
    "measure": "closed_won_revenue",
    "rate_mode": "marginal",
    "status": "active",
    "rates": [{"threshold": "0", "rate": "3"}, {"threshold": "200000", "rate": "5"}],
}


def test_a_partner_manager_replaces_a_programs_tiers(client, world):
    prog = program(world.a)
    client.force_login(world.a.manager)
    response = client.put(BASE + f"{prog.public_id}/", BODY, content_type="application/json")
    assert response.status_code == 200, response.content
    assert (response.json()["name"], response.json()["rates"]) == (
        "Growth 2027",
        [{"threshold": "0.00", "rate": "3.0000"}, {"threshold": "200000.00", "rate": "5.0000"}],
    )


def test_a_bad_tier_row_answers_400_and_changes_nothing(client, world):
    prog = program(world.a)
    client.force_login(world.a.manager)
    bad = {**BODY, "rates": [{"threshold": "0", "rate": "3"}, {"threshold": "x", "rate": "5"}]}
    response = client.put(BASE + f"{prog.public_id}/", bad, content_type="application/json")
    assert (response.status_code, response.json()["attr"]) == (400, "rates.1.threshold")
    with tenant_context(world.a.tenant.pk):
        assert RebateProgram.objects.get(pk=prog.pk).name == prog.name


def test_an_analyst_may_not_change_a_program(client, world):
    prog = program(world.a)
    client.force_login(world.a.analyst)
    assert client.put(BASE + f"{prog.public_id}/", BODY, content_type="application/json").status_code == 403
