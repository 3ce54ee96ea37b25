"""PSAT surveys: the reads the pages, the API and the health score share.

* Staff read every survey and every response. A partner user reads the surveys its organisation is
  in the audience of once they have opened (:func:`surveys_for_partner`, :func:`access_survey`), and
  only its own organisation's responses (row-level security on ``SurveyResponse.partner``).
* The figures load responses and 1–5 answers with one query each (:func:`response_frames`) and hand
  them to :mod:`partners.surveys.metrics`; :func:`psat_for_health` is the health score's satisfaction input.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from ecosystem.errors import NotFoundError
from ecosystem.tenancy.access import is_uuid
from ecosystem.tenancy.context import require_tenant_id
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization, PartnerStatus, PartnerType, Tier

from . import metrics
from .models import QuestionKind, Survey, SurveyQuestion, SurveyResponse

# Partners a survey goes to: those working with the program now.
AUDIENCE_STATUSES = (PartnerStatus.ACTIVE, PartnerStatus.AT_RISK)


def _today() -> datetime.date:
    return timezone.localdate()


# --- audience --------------------------------------------------------------------------------------


def audience_q(*, partner_type: str, tier_id: int | None, prefix: str = "") -> Q:
    """Surveys whose audience holds a partner of this type and tier (no type chosen: every type; same for tiers)."""
    types = Q(**{f"{prefix}audience_partner_types": []}) | Q(**{f"{prefix}audience_partner_types__contains": [partner_type]})
    tiers = Q(**{f"{prefix}audience_tier_ids": []})
    if tier_id is not None:
        tiers |= Q(**{f"{prefix}audience_tier_ids__contains": [tier_id]})
    return types & tiers


def audience_partners(*, tenant: Tenant, survey: Survey) -> QuerySet:
    """The active partners ``survey`` goes to."""
    queryset = PartnerOrganization.objects.filter(tenant=tenant, status__in=AUDIENCE_STATUSES)
    if survey.audience_partner_types:
        queryset = queryset.filter(partner_type__in=survey.audience_partner_types)
    if survey.audience_tier_ids:
        queryset = queryset.filter(tier_id__in=survey.audience_tier_ids)
    return queryset


def in_audience(*, survey: Survey, partner: PartnerOrganization) -> bool:
    return (
        partner.status in AUDIENCE_STATUSES
        and (not survey.audience_partner_types or partner.partner_type in survey.audience_partner_types)
        and (not survey.audience_tier_ids or partner.tier_id in survey.audience_tier_ids)
    )


def audience_label(survey: Survey, tier_names: dict[int, str]) -> str:
    """ "Every partner", or the types and tiers chosen, in words."""
    parts = []
    if survey.audience_partner_types:
        parts.append(", ".join(str(PartnerType(t).label) for t in survey.audience_partner_types))
    if survey.audience_tier_ids:
        parts.append(", ".join(tier_names.get(t, "?") for t in survey.audience_tier_ids))
    return " · ".join(parts) if parts else "Every partner"


def tier_names(*, tenant: Tenant) -> dict[int, str]:
    return dict(Tier.objects.filter(tenant=tenant).values_list("pk", "name"))


# --- staff -----------------------------------------------------------------------------------------


def surveys_for_staff(*, tenant: Tenant) -> QuerySet:
    """Every survey, latest opening first, with ``response_count`` (one query when evaluated)."""
    return Survey.objects.filter(tenant=tenant).annotate(response_count=Count("responses")).order_by("-opens_on", "-id")


def access_survey(*, tenant: Tenant, public_id: Any, partner: PartnerOrganization | None = None) -> Survey:
    """A survey the caller may read: any for staff (``partner`` None); for a partner, one it is in the
    audience of that has opened. 404 for missing, foreign and not-for-you alike."""
    if not is_uuid(public_id):
        raise NotFoundError()
    survey = Survey.objects.filter(tenant=tenant, public_id=public_id).first()
    if survey is None:
        raise NotFoundError()
    if partner is not None and (survey.opens_on > _today() or not in_audience(survey=survey, partner=partner)):
        raise NotFoundError()
    return survey


def survey_questions(*, survey: Survey) -> list[SurveyQuestion]:
    return list(SurveyQuestion.objects.filter(tenant_id=survey.tenant_id, survey=survey).order_by("position"))


# --- partner ---------------------------------------------------------------------------------------


def surveys_for_partner(*, tenant: Tenant, partner: PartnerOrganization) -> QuerySet:
    """Surveys the partner is in the audience of that have opened, latest first (closed ones included).

    A partner that is no longer active sees none (it is in no audience).
    """
    if partner.status not in AUDIENCE_STATUSES:
        return Survey.objects.none()
    return (
        Survey.objects.filter(tenant=tenant, opens_on__lte=_today())
        .filter(audience_q(partner_type=partner.partner_type, tier_id=partner.tier_id))
        .order_by("-opens_on", "-id")
    )


def open_surveys_for_partner(*, tenant: Tenant, partner: PartnerOrganization) -> QuerySet:
    return surveys_for_partner(tenant=tenant, partner=partner).filter(closes_on__gte=_today())


def my_response(*, tenant: Tenant, survey: Survey, user) -> SurveyResponse | None:
    return SurveyResponse.objects.filter(tenant=tenant, survey=survey, respondent=user).first()


def my_responses(*, tenant: Tenant, user) -> dict[int, SurveyResponse]:
    """{survey id: the user's response} (one query)."""
    rows = SurveyResponse.objects.filter(tenant=tenant, respondent=user)
    return {row.survey_id: row for row in rows}


# --- figures ---------------------------------------------------------------------------------------

_RESPONSES_SQL = """
SELECT r.id AS response_id, r.survey_id, s.opens_on, r.partner_id, r.nps,
       (r.submitted_at AT TIME ZONE %s)::date AS submitted_on,
       p.partner_type, COALESCE(t.name, '') AS tier
FROM surveys_surveyresponse r
JOIN surveys_survey s ON s.id = r.survey_id
JOIN partners_partnerorganization p ON p.id = r.partner_id
LEFT JOIN partners_tier t ON t.id = p.tier_id
WHERE r.tenant_id = %s {where}
"""

_SCALE_SQL = """
SELECT r.id AS response_id, q.id AS question_id, (a.value)::int AS value,
       r.partner_id, r.survey_id, s.opens_on, (r.submitted_at AT TIME ZONE %s)::date AS submitted_on
FROM surveys_surveyresponse r
JOIN surveys_survey s ON s.id = r.survey_id
CROSS JOIN LATERAL jsonb_each_text(r.answers) a
JOIN surveys_surveyquestion q ON q.survey_id = r.survey_id AND q.id::text = a.key AND q.kind = %s
WHERE r.tenant_id = %s AND a.value ~ '^[1-5]$' {where}
"""


def _frame(sql: str, params: list, columns: list[str]) -> pd.DataFrame:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return pd.DataFrame.from_records(rows, columns=columns)


_RESPONSE_COLUMNS = ["response_id", "survey_id", "opens_on", "partner_id", "nps", "submitted_on", "partner_type", "tier"]
_SCALE_COLUMNS = ["response_id", "question_id", "value", "partner_id", "survey_id", "opens_on", "submitted_on"]


def response_frames(*, survey: Survey | None = None, survey_ids=None, partner_ids=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(responses, 1–5 answers) of the tenant in scope, or of some surveys: two queries.

    Row-level security applies (a partner user's scope reads its own responses only); the tenant
    filter is also written out so the plans use the tenant indexes.
    """
    tenant_id = require_tenant_id()
    where, extra = "", []
    if survey is not None:
        where += " AND r.survey_id = %s"
        extra.append(survey.pk)
    if survey_ids is not None:
        where += " AND r.survey_id = ANY(%s)"
        extra.append([int(s) for s in survey_ids])
    if partner_ids is not None:
        where += " AND r.partner_id = ANY(%s)"
        extra.append([int(p) for p in partner_ids])
    zone = timezone.get_current_timezone_name()
    responses = _frame(_RESPONSES_SQL.format(where=where), [zone, tenant_id, *extra], _RESPONSE_COLUMNS)
    scale = _frame(_SCALE_SQL.format(where=where), [zone, QuestionKind.SCALE_1_5, tenant_id, *extra], _SCALE_COLUMNS)
    responses["program"] = "all"
    return responses, scale


def psat_for_health(*, as_of: datetime.date, partner_ids) -> np.ndarray:
    """Each partner's PSAT (1–5, NaN where none) as of ``as_of``, aligned with the sorted ``partner_ids``.

    The definition is :func:`partners.surveys.metrics.partner_psat` (the latest survey a partner answered
    in the 365 days before ``as_of``, mean of its respondents' 1–5 answers there). One query, whatever
    the number of partners. Call in the tenant's staff scope (the health score computation is).
    """
    ids = np.sort(np.asarray(partner_ids, dtype=np.int64))
    if not len(ids):
        return np.full(0, np.nan)
    since = as_of - datetime.timedelta(days=metrics.PSAT_WINDOW_DAYS + 1)  # a day of slack; the metric cuts exactly
    where = " AND r.partner_id = ANY(%s) AND r.submitted_at >= %s"
    zone = timezone.get_current_timezone_name()
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    answers = _frame(
        _SCALE_SQL.format(where=where),
        [zone, QuestionKind.SCALE_1_5, require_tenant_id(), ids.tolist(), start],
        _SCALE_COLUMNS,
    )
    return metrics.partner_psat(answers, as_of=as_of, partner_ids=ids)


@dataclass
class SurveyResults:
    """One survey's figures: overall, per question, by partner type, by tier, by partner (with the falling flag)."""

    survey: Survey
    questions: list[SurveyQuestion]
    overall: dict
    by_type: list[dict]
    by_tier: list[dict]
    by_partner: list[dict]

    @property
    def question_means(self) -> list[tuple[SurveyQuestion, float | None]]:
        """Each 1–5 question with its mean over every respondent."""
        return list(zip(self.questions, self.overall["questions"] or [None] * len(self.questions), strict=False))


def _rows(frame: pd.DataFrame, questions: list[SurveyQuestion], *, label) -> list[dict]:
    rows = []
    records = frame.reset_index().to_dict("records")
    for record in records:
        rows.append(
            {
                "label": label(record),
                "responses": int(record["responses"]),
                "nps": _number(record["nps"]),
                "mean_score": _number(record["mean_score"]),
                "psat": _number(record["psat"]),
                "questions": [_number(record.get(f"question_{q.pk}")) for q in questions if q.kind == QuestionKind.SCALE_1_5],
                "record": record,
            }
        )
    return rows


def _number(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if np.isnan(value) else round(value, 2)


def survey_results(*, tenant: Tenant, survey: Survey) -> SurveyResults:
    """The figures of one survey (five queries: questions, responses, answers, every response for the
    falling flags, partners' names)."""
    questions = survey_questions(survey=survey)
    responses, scale = response_frames(survey=survey)
    overall_frame = metrics.group_figures(responses, scale, by=["program"])
    overall = _rows(overall_frame, questions, label=lambda r: "all")
    by_type = _rows(
        metrics.group_figures(responses, scale, by=["partner_type"]),
        questions,
        label=lambda r: str(PartnerType(r["partner_type"]).label),
    )
    by_tier = _rows(metrics.group_figures(responses, scale, by=["tier"]), questions, label=lambda r: r["tier"] or "No tier")
    partner_frame = metrics.group_figures(responses, scale, by=["partner_id"])
    falling = program_falling(tenant=tenant)
    partners = {}
    if len(partner_frame):
        rows = PartnerOrganization.objects.filter(tenant=tenant, pk__in=[int(p) for p in partner_frame.index])
        partners = {pk: (name, public_id) for pk, name, public_id in rows.values_list("pk", "name", "public_id")}
    by_partner = _rows(partner_frame, questions, label=lambda r: partners.get(int(r["partner_id"]), ("?", None))[0])
    for row in by_partner:
        pid = int(row["record"]["partner_id"])
        row["partner_public_id"] = partners.get(pid, ("?", None))[1]
        flag = falling.get(pid)
        row["falling"] = bool(flag and flag["falling"])
        row["change"] = flag["change"] if flag else None
    by_partner.sort(key=lambda r: (not r["falling"], r["label"]))
    return SurveyResults(
        survey=survey,
        questions=[q for q in questions if q.kind == QuestionKind.SCALE_1_5],
        overall=overall[0] if overall else {"responses": 0, "nps": None, "mean_score": None, "psat": None, "questions": None},
        by_type=by_type,
        by_tier=by_tier,
        by_partner=by_partner,
    )


def program_falling(*, tenant: Tenant, as_of: datetime.date | None = None) -> dict[int, dict]:
    """{partner id: its falling-PSAT standing} for every partner that answered a survey (one query)."""
    responses = _frame(
        _RESPONSES_SQL.format(where=""), [timezone.get_current_timezone_name(), require_tenant_id()], _RESPONSE_COLUMNS
    )
    frame = metrics.falling_psat(responses, as_of=as_of)
    out = {}
    for pid, record in frame.to_dict("index").items():
        out[int(pid)] = {
            "falling": bool(record["falling"]),
            "latest_score": _number(record["latest_score"]),
            "previous_score": _number(record["previous_score"]),
            "change": _number(record["change"]),
            "latest_survey_id": int(record["latest_survey_id"]),
            "latest_category": metrics.CATEGORY_NAMES.get(int(record["latest_category"]), ""),
            "previous_category": metrics.CATEGORY_NAMES.get(int(record["previous_category"]), ""),
        }
    return out


def trend(*, tenant: Tenant) -> dict:
    """NPS and mean 0–10 score of every survey with answers, by opening date (for the line chart): two queries."""
    responses, scale = response_frames()
    titles = dict(Survey.objects.filter(tenant=tenant).values_list("pk", "title"))
    if responses.empty:
        return {"labels": [], "nps": [], "mean": [], "psat": []}
    figures = metrics.group_figures(responses, scale, by=["opens_on", "survey_id"]).reset_index()
    return {
        "labels": [f"{row.opens_on:%Y-%m-%d} · {titles.get(int(row.survey_id), '')}" for row in figures.itertuples()],
        "nps": [_number(v) for v in figures["nps"]],
        "mean": [_number(v) for v in figures["mean_score"]],
        "psat": [_number(v) for v in figures["psat"]],
    }


def falling_partners(*, tenant: Tenant) -> list[dict]:
    """The partners flagged falling today, worst drop first, with their names (two queries)."""
    flags = {pid: row for pid, row in program_falling(tenant=tenant).items() if row["falling"]}
    if not flags:
        return []
    partners = {
        pk: (name, public_id)
        for pk, name, public_id in PartnerOrganization.objects.filter(tenant=tenant, pk__in=list(flags)).values_list(
            "pk", "name", "public_id"
        )
    }
    rows = [
        {"partner_id": pid, "name": partners[pid][0], "partner_public_id": partners[pid][1], **row}
        for pid, row in flags.items()
        if pid in partners
    ]
    return sorted(rows, key=lambda r: (r["change"] if r["change"] is not None else 0.0, r["name"]))


def survey_figures(*, tenant: Tenant, surveys: list[Survey]) -> dict[int, dict]:
    """{survey id: {responses, nps, mean_score, psat}} for these surveys (two queries)."""
    if not surveys:
        return {}
    responses, scale = response_frames(survey_ids=[s.pk for s in surveys])
    frame = metrics.group_figures(responses, scale, by=["survey_id"])
    return {
        int(pid): {"nps": _number(r["nps"]), "mean_score": _number(r["mean_score"]), "psat": _number(r["psat"])}
        for pid, r in frame.to_dict("index").items()
    }


def responses_for_export(*, tenant: Tenant, survey: Survey) -> QuerySet:
    """The survey's responses with their partner and respondent, for the CSV (one query)."""
    return (
        SurveyResponse.objects.filter(tenant=tenant, survey=survey)
        .select_related("partner", "respondent")
        .order_by("partner__name", "submitted_at", "id")
    )
