"""Scheduling, answering and announcing surveys: the rules of partners.surveys.services, refusals leaving
nothing changed."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from ecosystem.audit.models import AuditEntry
from ecosystem.errors import ApplicationError, ConflictError, NotFoundError
from ecosystem.tenancy.context import tenant_context
from partners.models import PartnerOrganization, PartnerStatus, Tier
from partners.surveys import services
from partners.surveys.models import Survey, SurveyQuestion, SurveyResponse, SurveyStatus

from .support import QUESTIONS, answer, days, move, schedule, today

pytestmark = pytest.mark.django_db


def count(world, model, **filters) -> int:
    with tenant_context(world.a.tenant.pk):
        return model.objects.filter(**filters).count()


# --- scheduling ------------------------------------------------------------------------------------


def test_a_manager_schedules_a_survey_with_its_questions_in_order(world, no_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        survey = schedule(world.a, opens_on=days(3), closes_on=days(10))
    with tenant_context(world.a.tenant.pk):
        questions = list(SurveyQuestion.objects.filter(survey=survey).values_list("position", "text", "kind", "required"))
        audit = AuditEntry.objects.filter(action="surveys.create").count()
    assert questions == [(i, q["text"], q["kind"], q["required"]) for i, q in enumerate(QUESTIONS, start=1)]
    assert survey.status == SurveyStatus.SCHEDULED and audit == 1
    assert no_tasks == []  # not open yet: announced on its first day by the daily task


def test_a_survey_opening_today_is_announced_after_the_commit(world, no_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        survey = schedule(world.a)
    assert survey.status == SurveyStatus.OPEN
    assert no_tasks == [("open", [world.a.tenant.pk])]


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        ({"title": "  "}, "title", "required"),
        ({"opens_on": days(5), "closes_on": days(4)}, "closes_on", "dates_order"),
        ({"opens_on": days(-10), "closes_on": days(-1)}, "closes_on", "closes_in_past"),
        ({"opens_on": "next week"}, "opens_on", "invalid_date"),
        ({"audience_partner_types": ["pirate"]}, "audience_partner_types", "invalid_choice"),
        ({"audience_tiers": ["1b4e28ba-2fa1-11d2-883f-0016d3cca427"]}, "audience_tiers", "invalid_choice"),
    ],
)
def test_bad_survey_input_is_refused_and_nothing_is_created(world, no_tasks, values, field, code):
    with pytest.raises(ApplicationError) as refused:
        schedule(world.a, **values)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert count(world, Survey) == 0 and count(world, SurveyQuestion) == 0


def test_the_nps_question_alone_is_a_survey_and_blank_question_rows_are_dropped(world, no_tasks):
    survey = schedule(world.a, questions=[{"text": "  ", "kind": "scale_1_5"}])
    assert count(world, SurveyQuestion, survey=survey) == 0


def test_a_bad_question_kind_is_refused(world, no_tasks):
    with pytest.raises(ApplicationError) as refused:
        schedule(world.a, questions=[{"text": "Rate us", "kind": "stars"}])
    assert refused.value.code == "invalid_choice" and count(world, Survey) == 0


def test_questions_change_until_someone_answers(world, no_tasks):
    survey = schedule(world.a)
    values = {"title": "PSAT renamed", "opens_on": survey.opens_on, "closes_on": survey.closes_on}
    with tenant_context(world.a.tenant.pk):
        services.survey_update(
            tenant=world.a.tenant, actor=world.a.manager, survey=survey, values=values, questions=QUESTIONS[:1]
        )
    assert count(world, SurveyQuestion, survey=survey) == 1
    answer(world.a, survey)
    with tenant_context(world.a.tenant.pk), pytest.raises(ConflictError) as refused:
        services.survey_update(tenant=world.a.tenant, actor=world.a.manager, survey=survey, values=values, questions=QUESTIONS)
    assert refused.value.code == "questions_locked" and count(world, SurveyQuestion, survey=survey) == 1
    with tenant_context(world.a.tenant.pk):  # the details still change; the same questions are no change
        updated = services.survey_update(
            tenant=world.a.tenant,
            actor=world.a.manager,
            survey=survey,
            values={**values, "closes_on": days(30)},
            questions=QUESTIONS[:1],
        )
    assert updated.closes_on == days(30)


# --- answering -------------------------------------------------------------------------------------


def test_a_partner_user_answers_and_the_health_score_is_refreshed_after_commit(
    world, no_tasks, django_capture_on_commit_callbacks
):
    survey = schedule(world.a)
    with django_capture_on_commit_callbacks(execute=True):
        response = answer(world.a, survey, nps=9, answers={"1": 4, "2": "5", "3": " Faster approvals "})
    with tenant_context(world.a.tenant.pk):
        q1, q2, q3 = SurveyQuestion.objects.filter(survey=survey).order_by("position")
        audit = AuditEntry.objects.get(action="surveys.respond")
    assert response.partner_id == world.a.partner1.pk and response.nps == 9
    assert response.answers == {str(q1.pk): 4, str(q2.pk): 5, str(q3.pk): "Faster approvals"}
    assert audit.changes["nps"] == 9
    assert ("health", [world.a.tenant.pk, world.a.partner1.pk]) in no_tasks


def test_answering_again_replaces_the_answer(world, no_tasks):
    survey = schedule(world.a)
    first = answer(world.a, survey, nps=3)
    second = answer(world.a, survey, nps=8, answers={"1": 5})
    assert second.pk == first.pk and count(world, SurveyResponse) == 1
    with tenant_context(world.a.tenant.pk):
        assert SurveyResponse.objects.get().nps == 8


def test_each_respondent_of_a_partner_answers_once(world, no_tasks):
    survey = schedule(world.a)
    answer(world.a, survey, user=world.a.partner1_admin)
    answer(world.a, survey, user=world.a.partner1_rep)
    assert count(world, SurveyResponse, partner=world.a.partner1) == 2


@pytest.mark.parametrize(
    ("nps", "answers", "field", "code"),
    [
        (None, {"1": 4}, "nps", "required"),
        (11, {"1": 4}, "nps", "out_of_range"),
        (-1, {"1": 4}, "nps", "out_of_range"),
        ("7.5", {"1": 4}, "nps", "out_of_range"),
        (True, {"1": 4}, "nps", "out_of_range"),
        (7, {}, "q_1", "required"),
        (7, {"1": 6}, "q_1", "out_of_range"),
        (7, {"1": 0}, "q_1", "out_of_range"),
        (7, {"1": "four"}, "q_1", "out_of_range"),
        (7, {"1": 4, "3": 5}, "q_3", "invalid"),
        (7, {"1": 4, "3": "x" * 2001}, "q_3", "max_length"),
        (7, {"1": 4, "9": 1}, "answers", "unknown_question"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_saved(world, no_tasks, nps, answers, field, code):
    survey = schedule(world.a)
    with pytest.raises(ApplicationError) as refused:
        answer(world.a, survey, nps=nps, answers=answers)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert count(world, SurveyResponse) == 0
    assert [t for t in no_tasks if t[0] == "health"] == []


def test_an_unanswered_required_question_is_refused(world, no_tasks):
    survey = schedule(world.a)
    with pytest.raises(ApplicationError) as refused:
        answer(world.a, survey, nps=7, answers={"1": "", "2": 3})
    assert (refused.value.field, refused.value.code) == ("q_1", "required") and count(world, SurveyResponse) == 0


def test_a_survey_that_is_not_open_takes_no_answer(world, no_tasks):
    scheduled = schedule(world.a, opens_on=days(2), closes_on=days(9))
    closed = move(world.a, schedule(world.a, title="Old"), opens_on=days(-30), closes_on=days(-1))
    for survey in (scheduled, closed):
        with pytest.raises(ConflictError) as refused:
            answer(world.a, survey)
        assert refused.value.code == "survey_not_open"
    assert count(world, SurveyResponse) == 0


def test_a_partner_outside_the_audience_gets_not_found(world, no_tasks):
    with tenant_context(world.a.tenant.pk):
        gold = Tier.objects.create(tenant=world.a.tenant, name="Gold", rank=2)
        PartnerOrganization.objects.filter(pk=world.a.partner1.pk).update(tier=gold)
    resellers = schedule(world.a, audience_partner_types=["reseller"])
    gold_only = schedule(world.a, title="Gold", audience_tiers=[str(gold.public_id)])
    for survey in (resellers, gold_only):
        answer(world.a, survey)  # partner 1: a Gold reseller
        with pytest.raises(NotFoundError):  # partner 2: an MSP without a tier
            answer(world.a, survey, partner=world.a.partner2, user=world.a.partner2_admin)
    assert count(world, SurveyResponse, partner=world.a.partner2) == 0


def test_a_retired_partner_is_in_no_audience(world, no_tasks):
    survey = schedule(world.a)
    with tenant_context(world.a.tenant.pk):
        PartnerOrganization.objects.filter(pk=world.a.partner1.pk).update(status=PartnerStatus.RETIRED)
    with pytest.raises(NotFoundError):
        answer(world.a, survey)


# --- announcing ------------------------------------------------------------------------------------


def test_opening_emails_each_partner_user_of_the_audience_once(world, no_tasks, django_capture_on_commit_callbacks):
    schedule(world.a, title="Resellers", audience_partner_types=["reseller"], opens_on=days(1), closes_on=days(5))
    schedule(world.a, title="Later", opens_on=days(3), closes_on=days(5))
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.a.tenant.pk):
        assert services.surveys_open_today(tenant=world.a.tenant, today=days(1)) == 1
    # partner 1 (the reseller) has an admin and a rep; partner 2 (an MSP) is not in the audience
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.a.partner1_admin.email, world.a.partner1_rep.email])
    assert all(len(m.to) == 1 and "Resellers" in m.subject for m in mail.outbox)
    assert "/p/alpha/surveys/" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.a.tenant.pk):
        assert services.surveys_open_today(tenant=world.a.tenant, today=days(1)) == 0  # run twice: nothing new
    assert len(mail.outbox) == 2


def test_a_rolled_back_announcement_emails_nobody(world, no_tasks, django_capture_on_commit_callbacks):
    schedule(world.a, opens_on=days(1), closes_on=days(5))
    with django_capture_on_commit_callbacks(execute=False) as callbacks, tenant_context(world.a.tenant.pk):
        services.surveys_open_today(tenant=world.a.tenant, today=days(1))
    assert mail.outbox == [] and len(callbacks) == 1  # sent only by the commit


def test_the_daily_task_fans_out_one_task_per_tenant(world, monkeypatch, no_tasks, django_capture_on_commit_callbacks):
    from partners.surveys import tasks

    delivered = []
    monkeypatch.setattr(tasks.surveys_open_today, "delay", lambda tenant_id: delivered.append(tenant_id))
    assert tasks.surveys_open_today_all_tenants() == 2
    assert sorted(delivered) == sorted([world.a.tenant.pk, world.b.tenant.pk])
    schedule(world.a, opens_on=days(0), closes_on=days(5))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.surveys_open_today(world.a.tenant.pk) == 1
    assert len(mail.outbox) == 3  # partner 1's admin and rep, partner 2's admin


def test_status_follows_the_dates():
    survey = Survey(opens_on=datetime.date(2026, 3, 1), closes_on=datetime.date(2026, 3, 14))
    assert survey.status_on(datetime.date(2026, 2, 28)) == SurveyStatus.SCHEDULED
    assert survey.status_on(datetime.date(2026, 3, 1)) == SurveyStatus.OPEN
    assert survey.status_on(datetime.date(2026, 3, 14)) == SurveyStatus.OPEN
    assert survey.status_on(datetime.date(2026, 3, 15)) == SurveyStatus.CLOSED
    assert timezone.localdate() == today()
