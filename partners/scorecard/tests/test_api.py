"""The scorecard in the API: the partner's own (``scorecard/``) and staff's for one partner
(``partners/<id>/scorecard/``), the period parameter and its error envelope, ownership, roles, queries."""

from __future__ import annotations

import pytest

from ecosystem.api.services import api_key_create
from ecosystem.tenancy.context import tenant_context

from .support import TODAY, build_partner

pytestmark = pytest.mark.django_db

T = "/api/v1/t/alpha"


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr("partners.scorecard.api.views._today", lambda: TODAY)


def figures(body: dict) -> dict:
    return {f["key"]: (f["value"], f["previous"]) for f in body["figures"]}


def test_a_partner_user_reads_its_own_scorecard(client, world):
    build_partner(world.a)
    client.force_login(world.a.partner1_rep)

    response = client.get(f"{T}/scorecard/", {"period": "2026-Q3"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["partner"] == str(world.a.partner1.public_id)
    assert body["period"] == {"start": "2026-07-01", "end": "2026-09-30"}
    assert body["previous"] == {"start": "2026-04-01", "end": "2026-06-30"}
    assert figures(body)["revenue_won"] == ("16900.00", "5000.00")
    assert figures(body)["approval_rate"] == (85.7, 100.0)
    assert figures(body)["open_pipeline"] == ("10000.00", None)
    assert body["health"]["total"] == 72.5 and body["churn"]["probability"] == 0.31
    assert body["attribution_run"]["model"] == "linear"
    assert all(f["definition"] for f in body["figures"])


def test_staff_read_any_partners_scorecard_and_it_is_the_partners_own(client, world):
    build_partner(world.a)
    client.force_login(world.a.analyst)

    staff = client.get(f"{T}/partners/{world.a.partner1.public_id}/scorecard/", {"period": "2026-Q3"})
    client.force_login(world.a.partner1_admin)
    own = client.get(f"{T}/scorecard/", {"period": "2026-Q3"})

    assert staff.status_code == 200 and staff.json() == own.json()


def test_an_unknown_period_is_a_400_in_the_error_envelope(client, world):
    client.force_login(world.a.partner1_admin)

    response = client.get(f"{T}/scorecard/", {"period": "last-decade"})

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["attr"]) == ("invalid_period", "period")


def test_the_other_partner_gets_its_own_card_with_no_foreign_id(client, world):
    build_partner(world.a)
    client.force_login(world.a.partner2_admin)

    response = client.get(f"{T}/scorecard/", {"period": "2026-Q3"})

    assert response.json()["partner"] == str(world.a.partner2.public_id)
    assert str(world.a.partner1.public_id) not in response.content.decode()


def test_partner_users_cannot_read_the_staff_endpoint(client, world):
    client.force_login(world.a.partner1_admin)

    for partner in (world.a.partner1, world.a.partner2):
        assert client.get(f"{T}/partners/{partner.public_id}/scorecard/").status_code == 404


def test_another_tenants_partner_is_404(client, world):
    client.force_login(world.a.manager)

    assert client.get(f"{T}/partners/{world.b.partner1.public_id}/scorecard/").status_code == 404
    assert client.get(f"/api/v1/t/beta/partners/{world.a.partner1.public_id}/scorecard/").status_code == 404


def test_staff_have_no_own_scorecard(client, world):
    client.force_login(world.a.manager)

    assert client.get(f"{T}/scorecard/").status_code == 404


def test_an_api_key_reads_a_partners_card_but_has_no_own(client, world):
    with tenant_context(world.a.tenant.pk):
        issued = api_key_create(tenant=world.a.tenant, actor=world.a.owner, name="BI", scope="read")
    headers = {"Authorization": f"Bearer {issued.plaintext}"}

    assert client.get(f"{T}/partners/{world.a.partner1.public_id}/scorecard/", headers=headers).status_code == 200
    assert client.get(f"{T}/scorecard/", headers=headers).status_code == 404


def test_the_api_is_read_only(client, world):
    client.force_login(world.a.owner)

    response = client.post(f"{T}/partners/{world.a.partner1.public_id}/scorecard/", {}, content_type="application/json")

    assert response.status_code in (403, 405)
