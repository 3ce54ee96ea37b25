"""``learners/`` for a partner admin: the portal's team page (``partner_training:team``) in the API.
A partner admin lists their own organisation's people with their tracks; a rep has no team list;
another partner's admin and another tenant see none of them."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from ecosystem.tenancy.context import tenant_context
from onboarding.learning import learner_tracks_set
from tests.factories import MembershipFactory, UserFactory
from tests.fixtures import membership_of

BASE = "/api/v1/t/alpha"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_partner_admin_lists_their_own_people_with_tracks(world):
    a = world.a
    with tenant_context(a.tenant.pk, user_id=a.partner1_admin.pk):
        learner_tracks_set(tenant=a.tenant, actor=a.partner1_admin, partner=a.partner1, user=a.partner1_rep, tracks=["sales"])

    response = api(a.partner1_admin).get(f"{BASE}/learners/")

    assert response.status_code == 200
    rows = {r["email"]: r for r in response.json()["results"]}
    assert set(rows) == {a.partner1_admin.email, a.partner1_rep.email}
    assert rows[a.partner1_rep.email]["tracks"] == ["sales"]
    assert {r["partner"] for r in rows.values()} == {str(a.partner1.public_id)}
    filtered = api(a.partner1_admin).get(f"{BASE}/learners/", {"track": "sales"}).json()["results"]
    assert [r["email"] for r in filtered] == [a.partner1_rep.email]


def test_the_team_list_costs_the_same_queries_with_more_people(world):
    a = world.a
    client = api(a.partner1_admin)
    with CaptureQueriesContext(connection) as small:
        assert client.get(f"{BASE}/learners/").status_code == 200
    with tenant_context(a.tenant.pk):
        for _ in range(3):
            MembershipFactory(user=UserFactory(), partner=a.partner1, role="partner_rep")
    with CaptureQueriesContext(connection) as big:
        assert len(client.get(f"{BASE}/learners/").json()["results"]) == 5
    assert len(big) == len(small)


def test_a_rep_has_no_team_list_and_others_see_none_of_the_team(world):
    a = world.a
    own = {membership_of(a.partner1_admin, a.tenant).public_id, membership_of(a.partner1_rep, a.tenant).public_id}

    assert api(a.partner1_rep).get(f"{BASE}/learners/").status_code == 404
    other = api(a.partner2_admin).get(f"{BASE}/learners/")
    assert other.status_code == 200 and not ({str(i) for i in own} & {r["id"] for r in other.json()["results"]})
    assert api(world.b.owner).get(f"{BASE}/learners/").status_code == 404


def test_a_bad_filter_is_a_400_envelope(world):
    response = api(world.a.partner1_admin).get(f"{BASE}/learners/", {"track": "juggling"})

    assert response.status_code == 400 and response.json()["attr"] == "track"
