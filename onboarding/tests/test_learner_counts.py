"""Counts of learners count only people still on their partner's team: a deactivated member keeps
their tracks (they come back with the person) but is no longer "on a path"."""

from __future__ import annotations

import html

from django.db import connection
from django.test.utils import CaptureQueriesContext

from ecosystem.accounts.models import Membership
from ecosystem.accounts.services import membership_deactivate
from ecosystem.tenancy.context import tenant_context
from onboarding import training_selectors as selectors
from onboarding.learning import learner_tracks_set
from onboarding.models import LearnerTrack


def assign(tenant_world, user, tracks, *, partner=None) -> None:
    partner = partner or tenant_world.partner1
    with tenant_context(tenant_world.tenant.pk):
        learner_tracks_set(tenant=tenant_world.tenant, actor=tenant_world.owner, partner=partner, user=user, tracks=tracks)


def deactivate(tenant_world, user) -> None:
    with tenant_context(tenant_world.tenant.pk):
        membership = Membership.objects.get(user=user)
        membership_deactivate(tenant=tenant_world.tenant, actor=tenant_world.owner, inviter=None, membership=membership)


def people_on_paths(tenant_world) -> dict[str, int]:
    with tenant_context(tenant_world.tenant.pk):
        return {row["name"]: row["people"] for row in selectors.partners_on_learning_paths(tenant=tenant_world.tenant)}


def test_a_deactivated_member_is_no_longer_counted_as_on_a_path(world):
    a = world.a
    assign(a, a.partner1_admin, ["sales", "technical"])
    assign(a, a.partner1_rep, ["sales"])
    assert people_on_paths(a) == {a.partner1.name: 2}

    deactivate(a, a.partner1_rep)

    assert people_on_paths(a) == {a.partner1.name: 1}
    with tenant_context(a.tenant.pk):  # the tracks themselves stay, for when the person comes back
        assert LearnerTrack.objects.filter(user=a.partner1_rep).count() == 1


def test_a_partner_whose_only_learner_left_is_not_listed(world):
    a = world.a
    assign(a, a.partner1_rep, ["sales"])
    assign(a, a.partner2_admin, ["technical"], partner=a.partner2)

    deactivate(a, a.partner1_rep)

    assert people_on_paths(a) == {a.partner2.name: 1}


def test_reactivating_the_member_counts_their_tracks_again(world):
    a = world.a
    assign(a, a.partner1_rep, ["sales"])
    deactivate(a, a.partner1_rep)
    with tenant_context(a.tenant.pk):
        Membership.objects.filter(user=a.partner1_rep).update(is_active=True)
    assert people_on_paths(a) == {a.partner1.name: 1}


def test_the_vendor_training_overview_shows_only_active_people_on_a_path(client, world):
    a = world.a
    assign(a, a.partner1_admin, ["sales"])
    assign(a, a.partner1_rep, ["sales"])
    deactivate(a, a.partner1_rep)
    client.force_login(a.manager)

    response = client.get("/t/alpha/training/")

    assert response.status_code == 200
    body = " ".join(html.unescape(response.content.decode()).split())
    assert "1 person on a path" in body
    assert "2 people on a path" not in body


def test_the_count_stays_one_query(world):
    a = world.a
    assign(a, a.partner1_admin, ["sales"])
    assign(a, a.partner1_rep, ["technical"])
    with tenant_context(a.tenant.pk), CaptureQueriesContext(connection) as queries:
        selectors.partners_on_learning_paths(tenant=a.tenant)
    # the tracks, grouped by partner, with the active-membership check as a subquery
    assert len(queries) == 1, "\n".join(q["sql"] for q in queries.captured_queries)
