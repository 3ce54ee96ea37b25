"""Survey pages: the vendor's list (chart, falling partners), scheduling with questions, results and CSV; the
partner's open surveys, answer form and past answers; roles, ownership, bad input kept, query budgets."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from ecosystem.tenancy.context import tenant_context
from partners.surveys.models import Survey, SurveyQuestion, SurveyResponse

from .support import QUESTIONS, answer, days, move, plant, schedule

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs) -> str:
    return reverse(name, kwargs={"tenant_slug": "alpha", **kwargs})


def rows(world, model, **filters):
    with tenant_context(world.a.tenant.pk):
        return list(model.objects.filter(**filters))


@pytest.fixture
def manager(client, world):
    client.force_login(world.a.manager)
    return client


@pytest.fixture
def partner_admin(client, world):
    client.force_login(world.a.partner1_admin)
    return client


def survey_post(**overrides) -> dict:
    data = {
        "title": "PSAT autumn",
        "intro": "Tell us.",
        "opens_on": str(days(1)),
        "closes_on": str(days(15)),
        "audience_partner_types": ["reseller"],
        "q1_text": "How easy is deal registration?",
        "q1_kind": "scale_1_5",
        "q1_required": "on",
        "q2_text": "What should we do better?",
        "q2_kind": "text",
    }
    return {**data, **overrides}


# --- vendor ----------------------------------------------------------------------------------------


def test_a_manager_schedules_a_survey_with_questions(manager, world, no_tasks):
    response = manager.post(url("surveys:create"), survey_post())
    [survey] = rows(world, Survey)
    assert response.status_code == 302 and response["Location"] == url("surveys:detail", survey_id=survey.public_id)
    assert survey.audience_partner_types == ["reseller"] and survey.opens_on == days(1)
    questions = [(q.position, q.kind, q.required) for q in rows(world, SurveyQuestion, survey=survey)]
    assert sorted(questions) == [(1, "scale_1_5", True), (2, "text", False)]


def test_bad_dates_show_the_error_and_keep_what_was_typed(manager, world, no_tasks):
    response = manager.post(url("surveys:create"), survey_post(opens_on=str(days(5)), closes_on=str(days(2))))
    body = response.content.decode()
    assert response.status_code == 400
    assert "must close on or after the day it opens" in body and 'value="PSAT autumn"' in body
    assert 'value="How easy is deal registration?"' in body
    assert rows(world, Survey) == []


def test_an_analyst_reads_but_cannot_schedule(client, world, no_tasks):
    client.force_login(world.a.analyst)
    assert client.get(url("surveys:list")).status_code == 200
    assert client.post(url("surveys:create"), survey_post()).status_code == 403
    assert rows(world, Survey) == []


def test_partner_users_cannot_open_the_vendor_pages(partner_admin, world, no_tasks):
    survey = schedule(world.a)
    assert partner_admin.get(url("surveys:list")).status_code == 404
    assert partner_admin.get(url("surveys:detail", survey_id=survey.public_id)).status_code == 404


def test_editing_keeps_the_questions_once_answered(manager, world, no_tasks):
    survey = schedule(world.a)
    answer(world.a, survey)
    form = manager.get(url("surveys:edit", survey_id=survey.public_id)).content.decode()
    assert 'value="How easy is deal registration?"' in form
    response = manager.post(
        url("surveys:edit", survey_id=survey.public_id),
        survey_post(opens_on=str(survey.opens_on), q1_text="Changed question"),
    )
    assert response.status_code == 400 and "can no longer change" in response.content.decode()
    assert [q.text for q in rows(world, SurveyQuestion, survey=survey)] == [q["text"] for q in QUESTIONS]


@pytest.mark.parametrize("count", [1, 4])
def test_the_list_costs_the_same_queries_for_any_number_of_surveys(manager, world, no_tasks, django_assert_num_queries, count):
    for n in range(count):
        survey = schedule(world.a, title=f"Survey {n}")
        answer(world.a, survey, nps=n)
    # 1 session, 2 user, 3 tenant by slug; the tenant transaction: 4 savepoint, 5 set_config, 6 membership;
    # 7 the paginator's count, 8 the page of surveys with response counts, 9-10 their responses and 1–5 answers;
    # the trend: 11-12 every response and 1–5 answer, 13 survey titles; 14 the responses for the falling flags
    # (their partners' names are read only when one is falling: none here); 15-19 base.html's switcher of the
    # person's programs, 20 release, 21 set_config cleared.
    with django_assert_num_queries(21):
        response = manager.get(url("surveys:list"))
    assert response.content.decode().count('data-testid="survey-row"') == count
    assert 'id="psat-trend-data"' in response.content.decode()


def test_results_show_figures_by_type_and_partner_and_flag_the_falling(manager, world, no_tasks):
    a = world.a
    spring = move(a, schedule(a, title="Spring"), opens_on=days(-120), closes_on=days(-110))
    q1 = rows(world, SurveyQuestion, survey=spring, position=1)[0]
    plant(a, spring, partner=a.partner1, user=a.partner1_admin, nps=9, answers={str(q1.pk): 5}, submitted_at=_at(days(-115)))
    summer = schedule(a, title="Summer")
    answer(a, summer, nps=6, answers={"1": 2})  # partner 1: 9 → 6, promoter → detractor
    answer(a, summer, partner=a.partner2, user=a.partner2_admin, nps=10, answers={"1": 5})

    body = manager.get(url("surveys:detail", survey_id=summer.public_id)).content.decode()

    # 6 and 10: one promoter, one detractor → NPS 0, mean 8, PSAT (2 + 5) / 2 = 3.5
    assert 'data-testid="figure-nps">0<' in body and 'data-testid="figure-mean">8.0<' in body
    assert 'data-testid="figure-psat">3.50<' in body
    assert body.count('data-testid="falling-flag"') == 1 and "Falling -3.0" in body


def test_results_export_the_responses_as_csv(manager, world, no_tasks):
    survey = schedule(world.a)
    answer(world.a, survey, nps=7, answers={"1": 4, "3": "=HYPERLINK(1)"})
    response = manager.get(url("surveys:detail", survey_id=survey.public_id), {"export": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    [header, row] = list(csv.reader(io.StringIO(response.content.decode())))
    assert header[:6] == ["response", "partner", "partner_type", "respondent", "submitted_at", "nps"]
    assert row[1] == world.a.partner1.name and row[5] == "7" and row[6] == "4" and row[8] == "'=HYPERLINK(1)"


def _at(day):
    import datetime

    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


# --- partner ---------------------------------------------------------------------------------------


def test_a_partner_sees_its_open_surveys_and_answers_one(partner_admin, world, no_tasks):
    survey = schedule(world.a)
    schedule(world.a, title="For MSPs only", audience_partner_types=["msp"])
    schedule(world.a, title="Not yet", opens_on=days(3), closes_on=days(9))
    page = partner_admin.get(url("partner_surveys:list")).content.decode()
    assert "PSAT spring" in page and "For MSPs only" not in page and "Not yet" not in page

    form = partner_admin.get(url("partner_surveys:answer", survey_id=survey.public_id)).content.decode()
    assert "How likely are you to recommend partnering with Alpha?" in form
    response = partner_admin.post(
        url("partner_surveys:answer", survey_id=survey.public_id), {"nps": "9", "q_1": "4", "q_2": "", "q_3": "More leads"}
    )
    assert response.status_code == 302 and response["Location"] == url("partner_surveys:list")
    [saved] = rows(world, SurveyResponse)
    assert saved.nps == 9 and saved.respondent_id == world.a.partner1_admin.pk
    again = partner_admin.get(url("partner_surveys:answer", survey_id=survey.public_id)).content.decode()
    assert 'value="9" autocomplete="off" checked' in again and "More leads" in again
    mine = partner_admin.get(url("partner_surveys:list")).content.decode()
    assert 'data-testid="my-answers"' in mine and "Answered: change" in mine


def test_a_missing_answer_shows_the_error_and_keeps_the_others(partner_admin, world, no_tasks):
    survey = schedule(world.a)
    response = partner_admin.post(url("partner_surveys:answer", survey_id=survey.public_id), {"nps": "8", "q_3": "Kept text"})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="error-q_1"' in body and "Kept text" in body and 'value="8" autocomplete="off" checked' in body
    assert rows(world, SurveyResponse) == []


def test_a_closed_survey_shows_my_answer_read_only(partner_admin, world, no_tasks):
    survey = schedule(world.a)
    answer(world.a, survey, nps=5, answers={"1": 3, "3": "Slow approvals"})
    move(world.a, survey, opens_on=days(-20), closes_on=days(-1))
    page = partner_admin.get(url("partner_surveys:answer", survey_id=survey.public_id)).content.decode()
    assert 'data-testid="my-answer"' in page and "Slow approvals" in page and 'data-testid="answer-form"' not in page
    response = partner_admin.post(url("partner_surveys:answer", survey_id=survey.public_id), {"nps": "10", "q_1": "5"})
    assert response.status_code == 409 and "not open" in response.content.decode()
    assert rows(world, SurveyResponse)[0].nps == 5


def test_another_partners_survey_is_not_found(client, world, no_tasks):
    survey = schedule(world.a, audience_partner_types=["reseller"])  # partner 1 only
    client.force_login(world.a.partner2_admin)
    assert client.get(url("partner_surveys:answer", survey_id=survey.public_id)).status_code == 404
    assert client.post(url("partner_surveys:answer", survey_id=survey.public_id), {"nps": "1", "q_1": "1"}).status_code == 404
    assert rows(world, SurveyResponse) == []


@pytest.mark.parametrize("count", [1, 4])
def test_the_partner_list_costs_the_same_queries_for_any_number_of_surveys(
    partner_admin, world, no_tasks, django_assert_num_queries, count
):
    for n in range(count):
        survey = schedule(world.a, title=f"Survey {n}")
        answer(world.a, survey)
    # 1 session, 2 user, 3 tenant by slug; the tenant transaction: 4 savepoint, 5 set_config, 6 membership,
    # 7 set_config for the partner; 8 the surveys for us, 9 my responses; 10-14 base.html's switcher of the
    # person's programs, 15 release, 16 cleared.
    with django_assert_num_queries(16):
        response = partner_admin.get(url("partner_surveys:list"))
    assert response.content.decode().count('data-testid="open-survey"') == count


@pytest.mark.parametrize("count", [1, 4])
def test_the_results_cost_the_same_queries_for_any_number_of_answers(manager, world, no_tasks, django_assert_num_queries, count):
    from tests.factories import MembershipFactory, UserFactory

    survey = schedule(world.a)
    for n in range(count):
        user = UserFactory(email=f"respondent{n}@example.com")
        with tenant_context(world.a.tenant.pk):
            MembershipFactory(tenant=world.a.tenant, user=user, role="partner_rep", partner=world.a.partner1)
        answer(world.a, survey, user=user, nps=n)
    # 1 session, 2 user, 3 tenant by slug; the tenant transaction: 4 savepoint, 5 set_config, 6 membership;
    # 7 the survey; its results: 8 questions, 9-10 its responses and 1–5 answers, 11 every response for the
    # falling flags, 12 the partners' names; 13 tier names for the audience; 14-18 base.html's switcher of the
    # person's programs, 19 release, 20 set_config cleared.
    with django_assert_num_queries(20):
        response = manager.get(url("surveys:detail", survey_id=survey.public_id))
    assert f'data-testid="figure-responses">{count}<' in response.content.decode()
