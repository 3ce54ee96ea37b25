"""``PUT surveys/<id>/``: the portal's survey form through the API (questions locked once answered)."""

from __future__ import annotations

import pytest

from ecosystem.tenancy.context import tenant_context
from partners.surveys.models import Survey

from .support import answer, days, schedule

STAFF = "/api/v1/t/alpha/surveys/"


def body(**changes) -> dict:
    return {
        "title": "PSAT autumn",
        "opens_on": str(days(0)),
        "closes_on": str(days(20)),
        "questions": [{"text": "Rate the portal", "kind": "scale_1_5"}],
        **changes,
    }


@pytest.fixture
def manager(client, world):
    client.force_login(world.a.manager)
    return client


def test_staff_change_a_survey_and_its_questions_before_anyone_answers(manager, world, no_tasks):
    survey = schedule(world.a)
    response = manager.put(f"{STAFF}{survey.public_id}/", body(), content_type="application/json")
    assert response.status_code == 200, response.content
    assert (response.json()["title"], [q["text"] for q in response.json()["questions"]]) == ("PSAT autumn", ["Rate the portal"])


def test_answered_questions_are_locked_and_nothing_changes(manager, world, no_tasks):
    survey = schedule(world.a)
    answer(world.a, survey)
    response = manager.put(f"{STAFF}{survey.public_id}/", body(), content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (409, "questions_locked")
    with tenant_context(world.a.tenant.pk):
        assert Survey.objects.get(pk=survey.pk).title == survey.title


def test_an_analyst_may_not_change_a_survey(client, world, no_tasks):
    survey = schedule(world.a)
    client.force_login(world.a.analyst)
    assert client.put(f"{STAFF}{survey.public_id}/", body(), content_type="application/json").status_code == 403
