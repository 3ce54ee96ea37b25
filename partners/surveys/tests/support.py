"""Shared set-up for the survey tests: scheduling a survey as a manager, answering as a partner user."""

from __future__ import annotations

import datetime

from django.utils import timezone

from ecosystem.tenancy.context import tenant_context
from partners.surveys import services
from partners.surveys.models import Survey, SurveyResponse

QUESTIONS = [
    {"text": "How easy is deal registration?", "kind": "scale_1_5", "required": True},
    {"text": "How useful is the training?", "kind": "scale_1_5", "required": False},
    {"text": "What should we do better?", "kind": "text", "required": False},
]


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def schedule(tenant_world, *, title="PSAT spring", opens_on=None, closes_on=None, questions=None, **values) -> Survey:
    """The manager schedules a survey open from today for two weeks (by default) with QUESTIONS."""
    a = tenant_world
    with tenant_context(a.tenant.pk, user_id=a.manager.pk):
        return services.survey_create(
            tenant=a.tenant,
            actor=a.manager,
            values={"title": title, "opens_on": opens_on or today(), "closes_on": closes_on or days(14), **values},
            questions=QUESTIONS if questions is None else questions,
        )


def as_partner(tenant_world, partner, user):
    return tenant_context(tenant_world.tenant.pk, partner_id=partner.pk, user_id=user.pk)


def answer(tenant_world, survey, *, partner=None, user=None, nps=9, answers=None) -> SurveyResponse:
    a = tenant_world
    partner = partner or a.partner1
    user = user or a.partner1_admin
    with as_partner(a, partner, user):
        return services.survey_respond(
            tenant=a.tenant,
            actor=user,
            partner_id=partner.pk,
            survey=survey,
            nps=nps,
            answers={"1": 4} if answers is None else answers,
        )


def plant(tenant_world, survey, *, partner, user, nps, answers, submitted_at) -> SurveyResponse:
    """A response as it was stored in the past (the services only take answers to open surveys)."""
    with tenant_context(tenant_world.tenant.pk):
        return SurveyResponse.objects.create(
            tenant=tenant_world.tenant,
            survey=survey,
            partner=partner,
            respondent=user,
            nps=nps,
            answers=answers,
            submitted_at=submitted_at,
        )


def move(tenant_world, survey, *, opens_on, closes_on) -> Survey:
    """Put a survey's dates in the past (history), bypassing the rule that a new survey is not closed."""
    with tenant_context(tenant_world.tenant.pk):
        Survey.objects.filter(pk=survey.pk).update(opens_on=opens_on, closes_on=closes_on)
        survey.refresh_from_db()
    return survey
