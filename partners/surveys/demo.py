"""Demo data for ``seed_demo`` (idempotent: running it twice changes nothing).

Three PSAT surveys for every active partner, a quarter apart: **two closed** with planted answers from
up to 12 active partners (one respondent each; partners without a portal user get a planted
respondent, ``psat@<domain>``, who cannot log in), and **one open** now with a few answers (the
demo logins have not answered it yet). Every fourth answering partner scores at least 2 points lower
in the second survey than in the first, so the results page and the list flag it as a falling PSAT.
Answers are planted rows (the services refuse closed surveys); the open survey is marked announced,
so seeding never emails anyone.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from partners.models import PartnerStatus

FIRST, SECOND, CURRENT = "Partner satisfaction, spring", "Partner satisfaction, summer", "Partner satisfaction, autumn"
QUESTIONS = [
    ("How easy is it to register a deal with us?", "scale_1_5", True),
    ("How useful are our training and enablement?", "scale_1_5", True),
    ("How well does your partner manager support you?", "scale_1_5", True),
    ("What should we do better?", "text", False),
]
COMMENTS = ["Faster deal approvals, please.", "More co-marketing funds.", "", "Great partner manager.", ""]
MAX_PARTNERS = 12


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def seed(*, tenant, owner, partners: dict) -> None:
    """Top up this area's demo rows in the acme tenant. ``partners`` maps website domain to partner."""
    from ecosystem.accounts.models import PARTNER_ROLES, Membership, Role, User
    from partners.surveys.models import Survey, SurveyQuestion, SurveyResponse

    if Survey.objects.filter(tenant=tenant, title=FIRST).exists():
        return
    today = timezone.localdate()
    rng = random.Random(11)
    now = timezone.now()
    windows = {
        FIRST: (today - datetime.timedelta(days=190), today - datetime.timedelta(days=176)),
        SECOND: (today - datetime.timedelta(days=99), today - datetime.timedelta(days=85)),
        CURRENT: (today - datetime.timedelta(days=3), today + datetime.timedelta(days=11)),
    }
    surveys, questions = {}, {}
    for title, (opens_on, closes_on) in windows.items():
        survey = Survey.objects.create(
            tenant=tenant,
            title=title,
            intro="Five minutes to tell us how partnering with Acme Cloud is going. Your partner manager reads every answer.",
            opens_on=opens_on,
            closes_on=closes_on,
            created_by=owner,
            open_notified_at=now,
        )
        surveys[title] = survey
        questions[title] = SurveyQuestion.objects.bulk_create(
            [
                SurveyQuestion(tenant=tenant, survey=survey, position=i, text=text, kind=kind, required=required)
                for i, (text, kind, required) in enumerate(QUESTIONS, start=1)
            ]
        )

    active = sorted(
        (p for p in partners.values() if p.status in (PartnerStatus.ACTIVE, PartnerStatus.AT_RISK)), key=lambda p: p.name
    )[:MAX_PARTNERS]
    users = {
        m.partner_id: m.user
        for m in Membership.objects.filter(tenant=tenant, partner__in=active, role__in=PARTNER_ROLES, is_active=True)
        .select_related("user")
        .order_by("partner_id", "-role", "id")
    }  # the last one per partner wins: any of its users
    demo_logins = set(users)
    rows = []
    for index, partner in enumerate(active):
        user = users.get(partner.pk)
        if user is None:
            email = f"psat@{partner.website_domain or partner.public_id}"
            user = User.objects.filter(email=email).first() or User.objects.create_user(
                email, None, full_name=f"{partner.name} team"
            )
            Membership.objects.get_or_create(tenant=tenant, user=user, defaults={"role": Role.PARTNER_REP, "partner": partner})
        base = rng.randint(7, 10)
        falling = index % 4 == 1
        scores = {FIRST: base, SECOND: max(0, base - 3) if falling else min(10, max(0, base + rng.choice([-1, 0, 0, 1])))}
        if partner.pk not in demo_logins and index % 3 == 0:
            scores[CURRENT] = min(10, max(0, scores[SECOND] + rng.choice([-1, 0, 1])))
        for title, score in scores.items():
            survey = surveys[title]
            answers = {}
            for question in questions[title]:
                if question.kind == "scale_1_5":
                    answers[str(question.pk)] = min(5, max(1, round(score / 2) + rng.choice([-1, 0, 0])))
                else:
                    comment = rng.choice(COMMENTS)
                    if comment:
                        answers[str(question.pk)] = comment
            day = min(survey.opens_on + datetime.timedelta(days=rng.randint(0, 5)), today - datetime.timedelta(days=1))
            rows.append(
                SurveyResponse(
                    tenant=tenant,
                    survey=survey,
                    partner=partner,
                    respondent=user,
                    nps=score,
                    answers=answers,
                    submitted_at=_at(max(day, survey.opens_on), 10 + index % 7),
                )
            )
    SurveyResponse.objects.bulk_create(rows)
