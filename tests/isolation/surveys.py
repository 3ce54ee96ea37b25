"""Isolation matrix rows for the PSAT survey routes, and the tenant A objects they probe.

An open survey for resellers only, answered by partner 1 (a reseller): partner 2 (an MSP) is not in its
audience, so the survey's id is 404 to partner 2 in every partner route, and neither the survey nor
partner 1's response may appear in partner 2's pages. The vendor routes are staff-only.
"""

from __future__ import annotations

from tests.isolation.routes import Route, no_ids


def _survey(o: dict) -> dict:
    return {"survey_id": o["survey_for_resellers"]}


def _api_survey(o: dict) -> dict:
    return {"public_id": o["survey_for_resellers"]}


ROUTES: dict[str, Route] = {
    # vendor portal: staff only, so partner users get 404 for every id
    "surveys:list": Route(no_ids, ("GET",)),
    "surveys:create": Route(no_ids, ("GET", "POST")),
    "surveys:detail": Route(_survey, ("GET",), partner_owned=True),
    "surveys:edit": Route(_survey, ("GET", "POST"), partner_owned=True),
    # partner portal: the surveys of the caller's own organisation
    "partner_surveys:list": Route(no_ids, ("GET",)),
    "partner_surveys:answer": Route(_survey, ("GET", "POST"), partner_owned=True),
    # API, staff
    "api:survey-list": Route(no_ids, ("GET", "POST")),
    "api:survey-detail": Route(_api_survey, ("GET", "PUT"), partner_owned=True),
    "api:survey-results": Route(_api_survey, ("GET",), partner_owned=True),
    # API, partners
    "api:my-survey-list": Route(no_ids, ("GET",), own=True),
    "api:my-survey-detail": Route(_api_survey, ("GET",), partner_owned=True),
    "api:my-survey-answer": Route(_api_survey, ("POST",), partner_owned=True),
}


def objects(a) -> dict:
    """Tenant A's objects for these rows (made inside A's tenant scope): the resellers' survey, open today,
    and partner 1's answer to it. Return the ids the rows need, plus partner1_ids."""
    import datetime

    from django.utils import timezone

    from ecosystem.tenancy.context import tenant_context
    from partners.surveys import services

    today = timezone.localdate()
    survey = services.survey_create(
        tenant=a.tenant,
        actor=a.owner,
        values={
            "title": "Probe Reseller Survey",
            "opens_on": today,
            "closes_on": today + datetime.timedelta(days=14),
            "audience_partner_types": ["reseller"],
        },
        questions=[{"text": "Probe question", "kind": "scale_1_5"}],
    )
    with tenant_context(a.tenant.pk, partner_id=a.partner1.pk, user_id=a.partner1_admin.pk):
        response = services.survey_respond(
            tenant=a.tenant, actor=a.partner1_admin, partner_id=a.partner1.pk, survey=survey, nps=9, answers={"1": 4}
        )
    return {
        "survey_for_resellers": survey.public_id,
        "partner1_ids": {str(survey.public_id), str(response.public_id)},
    }
