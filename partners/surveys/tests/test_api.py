"""PSAT surveys in the API: staff (surveys/) and partner users (my-surveys/): errors in the envelope,
idempotency, ownership and query budgets."""

from __future__ import annotations

import pytest

from ecosystem.tenancy.context import tenant_context
from partners.surveys.models import Survey, SurveyResponse

from .support import answer, days, schedule

pytestmark = pytest.mark.django_db

STAFF = "/api/v1/t/alpha/surveys/"
MINE = "/api/v1/t/alpha/my-surveys/"


def rows(world, model, **filters):
    with tenant_context(world.a.tenant.pk):
        return list(model.objects.filter(**filters))


def post(client, path, body=None, **headers):
    return client.post(path, body or {}, content_type="application/json", headers=headers)


@pytest.fixture
def manager(client, world):
    client.force_login(world.a.manager)
    return client


def test_staff_schedule_a_survey_and_read_it(manager, world, no_tasks):
    body = {
        "title": "PSAT",
        "opens_on": str(days(0)),
        "closes_on": str(days(10)),
        "audience_partner_types": ["reseller"],
        "questions": [
            {"text": "Rate deal registration", "kind": "scale_1_5"},
            {"text": "Anything else?", "kind": "text", "required": False},
        ],
    }
    created = post(manager, STAFF, body, **{"Idempotency-Key": "psat-1"})
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["status"] == "open" and data["nps_question"] == "How likely are you to recommend partnering with Alpha?"
    assert [(q["position"], q["kind"], q["required"]) for q in data["questions"]] == [(1, "scale_1_5", True), (2, "text", False)]
    again = post(manager, STAFF, body, **{"Idempotency-Key": "psat-1"})
    assert again.status_code == 201 and again.json()["id"] == data["id"] and len(rows(world, Survey)) == 1
    listed = manager.get(STAFF).json()["results"]
    assert [(s["id"], s["response_count"]) for s in listed] == [(data["id"], 0)]
    assert manager.get(f"{STAFF}{data['id']}/").json()["audience_partner_types"] == ["reseller"]


def test_bad_dates_answer_400_in_the_envelope(manager, world, no_tasks):
    response = post(manager, STAFF, {"title": "PSAT", "opens_on": str(days(5)), "closes_on": str(days(1))})
    assert response.status_code == 400
    assert response.json()["code"] == "dates_order" and response.json()["attr"] == "closes_on"
    assert rows(world, Survey) == []


def test_an_analyst_cannot_schedule(client, world, no_tasks):
    client.force_login(world.a.analyst)
    response = post(client, STAFF, {"title": "PSAT", "opens_on": str(days(0)), "closes_on": str(days(1))})
    assert response.status_code == 403 and rows(world, Survey) == []


def test_results_by_partner_type(manager, world, no_tasks):
    survey = schedule(world.a)
    answer(world.a, survey, nps=10, answers={"1": 5})
    answer(world.a, survey, user=world.a.partner1_rep, nps=5, answers={"1": 2})
    answer(world.a, survey, partner=world.a.partner2, user=world.a.partner2_admin, nps=8, answers={"1": 4})
    data = manager.get(f"{STAFF}{survey.public_id}/results/").json()
    # 10, 5, 8: one promoter, one detractor of three → 0; mean 23/3; 1–5: 5, 2, 4 → 11/3
    assert (data["responses"], data["nps"], data["mean_score"], data["psat"]) == (3, 0.0, 7.67, 3.67)
    assert data["questions"][0] == {"position": 1, "text": "How easy is deal registration?", "mean": 3.67}
    by_type = {row["label"]: (row["responses"], row["nps"]) for row in data["by_partner_type"]}
    # reseller 10 and 5: 50 − 50 = 0; MSP 8 (passive): 0
    assert by_type == {"Reseller": (2, 0.0), "Managed service provider": (1, 0.0)}
    assert {row["partner"] for row in data["by_partner"]} == {str(world.a.partner1.public_id), str(world.a.partner2.public_id)}


def test_a_partner_lists_its_open_surveys_and_answers_idempotently(client, world, no_tasks):
    survey = schedule(world.a)
    schedule(world.a, title="MSPs", audience_partner_types=["msp"])
    client.force_login(world.a.partner1_admin)
    listed = client.get(MINE).json()["results"]
    assert [s["title"] for s in listed] == ["PSAT spring"] and listed[0]["my_answer"] is None

    body = {"nps": 9, "answers": {"1": 4, "3": "More leads"}}
    first = post(client, f"{MINE}{survey.public_id}/answer/", body, **{"Idempotency-Key": "answer-1"})
    assert first.status_code == 200, first.content
    assert first.json()["my_answer"]["nps"] == 9 and first.json()["my_answer"]["answers"] == {"1": 4, "3": "More leads"}
    replay = post(client, f"{MINE}{survey.public_id}/answer/", body, **{"Idempotency-Key": "answer-1"})
    assert replay.status_code == 200 and replay.json() == first.json()
    changed = post(client, f"{MINE}{survey.public_id}/answer/", {"nps": 6, "answers": {"1": 2}})
    assert changed.json()["my_answer"]["nps"] == 6
    assert [(r.nps, r.partner_id) for r in rows(world, SurveyResponse)] == [(6, world.a.partner1.pk)]


@pytest.mark.parametrize(
    ("body", "code", "attr"),
    [
        ({"nps": 11, "answers": {"1": 4}}, "out_of_range", "nps"),
        ({"nps": 8, "answers": {"1": 9}}, "out_of_range", "q_1"),
        ({"nps": 8, "answers": {}}, "required", "q_1"),
    ],
)
def test_bad_answers_answer_400_and_save_nothing(client, world, no_tasks, body, code, attr):
    survey = schedule(world.a)
    client.force_login(world.a.partner1_admin)
    response = post(client, f"{MINE}{survey.public_id}/answer/", body)
    assert response.status_code == 400 and (response.json()["code"], response.json()["attr"]) == (code, attr)
    assert rows(world, SurveyResponse) == []


def test_a_closed_survey_answers_409(client, world, no_tasks):
    from .support import move

    survey = move(world.a, schedule(world.a), opens_on=days(-9), closes_on=days(-1))
    client.force_login(world.a.partner1_admin)
    response = post(client, f"{MINE}{survey.public_id}/answer/", {"nps": 8, "answers": {"1": 4}})
    assert response.status_code == 409 and response.json()["code"] == "survey_not_open"


def test_a_survey_for_other_partners_is_not_found(client, world, no_tasks):
    survey = schedule(world.a, audience_partner_types=["reseller"])
    client.force_login(world.a.partner2_admin)
    assert client.get(f"{MINE}{survey.public_id}/").status_code == 404
    assert post(client, f"{MINE}{survey.public_id}/answer/", {"nps": 8, "answers": {"1": 4}}).status_code == 404
    assert client.get(MINE).json()["results"] == []
    assert client.get(STAFF).status_code == 404 and rows(world, SurveyResponse) == []


@pytest.mark.parametrize("count", [1, 4])
def test_my_surveys_cost_the_same_queries_for_any_number(client, world, no_tasks, django_assert_num_queries, count):
    for n in range(count):
        answer(world.a, schedule(world.a, title=f"Survey {n}"))
    client.force_login(world.a.partner1_admin)
    # 1 session, 2 user, 3 tenant by slug; the tenant transaction: 4 savepoint, 5 set_config, 6 membership with its
    # partner, 7 set_config for the partner; 8 the page of open surveys, 9 their questions, 10 my responses;
    # 11 release, 12 set_config cleared.
    with django_assert_num_queries(12):
        response = client.get(MINE)
    assert len(response.json()["results"]) == count
