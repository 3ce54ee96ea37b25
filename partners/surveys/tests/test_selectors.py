"""The figures read from the database: a partner's PSAT for the health score (point in time, one query),
one survey's results by type, tier and partner, and the falling flags. Expected numbers by hand."""

from __future__ import annotations

import datetime

import numpy as np
import pytest
from django.utils import timezone

from ecosystem.tenancy.context import tenant_context
from partners.models import PartnerOrganization, Tier
from partners.surveys import selectors
from partners.surveys.models import SurveyQuestion
from scoring.models import HealthScore
from scoring.services import health_scores_compute

from .support import days, move, plant, schedule

pytestmark = pytest.mark.django_db


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def questions(world, survey) -> list[SurveyQuestion]:
    with tenant_context(world.a.tenant.pk):
        return list(SurveyQuestion.objects.filter(survey=survey).order_by("position"))


@pytest.fixture
def history(world, no_tasks):
    """Two closed surveys a quarter apart. Spring (days −200 to −190): partner 1's admin 10 (1–5 answers 5, 4),
    its rep 6 (2, –), partner 2's admin 9 (4, 4). Summer (days −100 to −90): partner 1's admin 7 (3, 2),
    its rep 6 (2, 2), partner 2's admin 9 (5, –)."""
    a = world.a
    spring = move(a, schedule(a, title="Spring"), opens_on=days(-200), closes_on=days(-190))
    summer = move(a, schedule(a, title="Summer"), opens_on=days(-100), closes_on=days(-90))
    for survey, rows in (
        (
            spring,
            [
                (a.partner1, a.partner1_admin, 10, 5, 4),
                (a.partner1, a.partner1_rep, 6, 2, None),
                (a.partner2, a.partner2_admin, 9, 4, 4),
            ],
        ),
        (
            summer,
            [
                (a.partner1, a.partner1_admin, 7, 3, 2),
                (a.partner1, a.partner1_rep, 6, 2, 2),
                (a.partner2, a.partner2_admin, 9, 5, None),
            ],
        ),
    ):
        q1, q2, _q3 = questions(world, survey)
        for partner, user, nps, first, second in rows:
            answers = {str(q1.pk): first, **({str(q2.pk): second} if second is not None else {}), str(_q3.pk): "ok"}
            plant(
                a,
                survey,
                partner=partner,
                user=user,
                nps=nps,
                answers=answers,
                submitted_at=at(survey.opens_on + datetime.timedelta(days=2)),
            )
    return spring, summer


def test_psat_for_health_reads_the_latest_survey_before_the_date_in_one_query(world, history, django_assert_num_queries):
    spring, summer = history
    a = world.a
    ids = np.array(sorted([a.partner1.pk, a.partner2.pk]))
    with tenant_context(a.tenant.pk):
        with django_assert_num_queries(1):  # the 1–5 answers of these partners in the window, joined to their surveys
            now = selectors.psat_for_health(as_of=days(0), partner_ids=ids)
        # Summer: partner 1 answered 3, 2, 2, 2 → 9/4; partner 2 answered 5 → 5
        expected = {a.partner1.pk: 9 / 4, a.partner2.pk: 5.0}
        np.testing.assert_allclose(now, [expected[p] for p in ids])
        # On summer's answer day nothing of summer counts yet: spring, partner 1: 5, 4, 2 → 11/3; partner 2: 4, 4 → 4
        before = selectors.psat_for_health(as_of=summer.opens_on + datetime.timedelta(days=2), partner_ids=ids)
        expected = {a.partner1.pk: 11 / 3, a.partner2.pk: 4.0}
        np.testing.assert_allclose(before, [expected[p] for p in ids])
        # Before spring's answers: none
        assert np.isnan(selectors.psat_for_health(as_of=spring.opens_on, partner_ids=ids)).all()
        # 365 days after summer's answers they are out of the window
        late = summer.opens_on + datetime.timedelta(days=2 + 366)
        assert np.isnan(selectors.psat_for_health(as_of=late, partner_ids=ids)).all()


def test_the_health_score_takes_psat_as_its_satisfaction(world, history):
    a = world.a
    with tenant_context(a.tenant.pk):
        health_scores_compute(tenant=a.tenant)
        scores = {s.partner_id: s.components["satisfaction"]["score"] for s in HealthScore.objects.all()}
    # satisfaction = 25 · (PSAT − 1): partner 1 25 · (9/4 − 1) = 31.25; partner 2 25 · (5 − 1) = 100
    assert scores[a.partner1.pk] == pytest.approx(31.25) and scores[a.partner2.pk] == pytest.approx(100.0)


def test_one_surveys_results_by_type_tier_and_partner(world, history):
    a = world.a
    _spring, summer = history
    with tenant_context(a.tenant.pk):
        gold = Tier.objects.create(tenant=a.tenant, name="Gold", rank=1)
        PartnerOrganization.objects.filter(pk=a.partner1.pk).update(tier=gold)
        results = selectors.survey_results(tenant=a.tenant, survey=summer)
    # Summer: 7 (passive), 6, 9 → promoters 1/3, detractors 1/3 → 0; mean 22/3; 1–5 answers 3, 2, 2, 2, 5 → 14/5
    assert results.overall["responses"] == 3 and results.overall["nps"] == 0.0
    assert results.overall["mean_score"] == 7.33 and results.overall["psat"] == 2.8
    # question 1: 3, 2, 5 → 10/3; question 2: 2, 2 → 2
    assert [(q.position, mean) for q, mean in results.question_means] == [(1, 3.33), (2, 2.0)]
    by_type = {row["label"]: (row["responses"], row["nps"], row["mean_score"]) for row in results.by_type}
    # reseller (partner 1): 7 (passive), 6 (detractor) → 0 − 50 = −50, mean 6.5; MSP (partner 2): 9 → 100, mean 9
    assert by_type == {"Reseller": (2, -50.0, 6.5), "Managed service provider": (1, 100.0, 9.0)}
    by_tier = {row["label"]: row["responses"] for row in results.by_tier}
    assert by_tier == {"Gold": 2, "No tier": 1}
    by_partner = {row["label"]: (row["falling"], row["change"]) for row in results.by_partner}
    # partner 1: spring (10 + 6) / 2 = 8 → summer (7 + 6) / 2 = 6.5: 1.5 down → falling; partner 2: 9 → 9
    assert by_partner == {a.partner1.name: (True, -1.5), a.partner2.name: (False, 0.0)}
    assert results.by_partner[0]["label"] == a.partner1.name  # falling partners first


def test_the_trend_has_one_point_per_survey_by_opening_date(world, history):
    with tenant_context(world.a.tenant.pk):
        trend = selectors.trend(tenant=world.a.tenant)
    # spring 10, 6, 9 → 2/3 − 1/3 = 33.33, mean 25/3; summer 7, 6, 9 → 1/3 − 1/3 = 0, mean 22/3
    assert [label.split(" · ")[1] for label in trend["labels"]] == ["Spring", "Summer"]
    assert trend["nps"] == [33.33, 0.0] and trend["mean"] == [8.33, 7.33]


def test_falling_partners_lists_the_flagged_ones(world, history):
    with tenant_context(world.a.tenant.pk):
        rows = selectors.falling_partners(tenant=world.a.tenant)
    assert [(r["name"], r["previous_score"], r["latest_score"], r["latest_category"]) for r in rows] == [
        (world.a.partner1.name, 8.0, 6.5, "detractor")
    ]


def test_a_partner_user_reads_only_its_own_organisations_responses(world, history):
    a = world.a
    with tenant_context(a.tenant.pk, partner_id=a.partner2.pk, user_id=a.partner2_admin.pk):
        responses, scale = selectors.response_frames()
    assert set(responses["partner_id"]) == {a.partner2.pk} and set(scale["partner_id"]) == {a.partner2.pk}
