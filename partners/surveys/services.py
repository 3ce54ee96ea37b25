"""PSAT surveys: every write, with the rules in one place.

* **Scheduling** (:func:`survey_create`, :func:`survey_update`; owners and partner managers): a title,
  dates in order (``closes_on`` on or after ``opens_on``, and not in the past when created), an
  audience (partner types and/or tiers of the program; none: every active partner) and up to
  :data:`MAX_QUESTIONS` questions after the NPS question every survey asks. Questions can change only
  while nobody has answered (``questions_locked``); a closed survey is not changed (``survey_closed``).
* **Answering** (:func:`survey_respond`; partner users): only an open survey (``survey_not_open``) the
  partner is in the audience of (otherwise 404, as for a survey that does not exist); the NPS score
  0–10 and every required question; 1–5 answers are whole numbers 1 to 5. One response per respondent
  and survey: answering again replaces it (``submitted_at`` becomes the latest submission) until
  the survey closes. The partner's health score is refreshed soon after (``scoring.tasks.refresh_soon``).
* **Opening** (:func:`surveys_open_today`, daily from beat and at once for a survey created open):
  every partner user of the audience is emailed once per survey, after commit, one message each.

Answers are stored as ``{question id: value}``; callers name questions by their position (1, 2, …).
Every mutation writes one audit row (``surveys.*``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.models import PARTNER_ROLES, Membership
from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, ConflictError, NotFoundError
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization, PartnerType, Tier

from . import selectors
from .models import NPS_MAX, NPS_MIN, SCALE_MAX, SCALE_MIN, QuestionKind, Survey, SurveyQuestion, SurveyResponse

MAX_QUESTIONS = 20
MAX_TEXT_ANSWER = 2000


# --- input -----------------------------------------------------------------------------------------


def _date(value: Any, field: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ApplicationError(_("Enter a date (YYYY-MM-DD)."), code="invalid_date", field=field) from None


def clean_survey(*, tenant: Tenant, values: dict[str, Any]) -> dict[str, Any]:
    """Title, introduction, dates in order and the audience; tiers by public id → their internal ids."""
    title = str(values.get("title") or "").strip()
    if not title:
        raise ApplicationError(_("Give the survey a title."), code="required", field="title")
    if len(title) > 120:
        raise ApplicationError(_("At most 120 characters."), code="max_length", field="title")
    intro = str(values.get("intro") or "").strip()
    if len(intro) > 2000:
        raise ApplicationError(_("At most 2,000 characters."), code="max_length", field="intro")
    opens_on = _date(values.get("opens_on"), "opens_on")
    closes_on = _date(values.get("closes_on"), "closes_on")
    if closes_on < opens_on:
        raise ApplicationError(_("The survey must close on or after the day it opens."), code="dates_order", field="closes_on")
    types = sorted({str(t) for t in values.get("audience_partner_types") or []})
    unknown = [t for t in types if t not in PartnerType.values]
    if unknown:
        raise ApplicationError(_("Choose partner types of the program."), code="invalid_choice", field="audience_partner_types")
    tier_ids: list[int] = []
    wanted = {str(t) for t in values.get("audience_tiers") or []}
    if wanted:
        found = dict(Tier.objects.filter(tenant=tenant).values_list("public_id", "pk"))
        by_text = {str(k): v for k, v in found.items()}
        if not wanted <= set(by_text):
            raise ApplicationError(_("Choose tiers of the program."), code="invalid_choice", field="audience_tiers")
        tier_ids = sorted(by_text[t] for t in wanted)
    return {
        "title": title,
        "intro": intro,
        "opens_on": opens_on,
        "closes_on": closes_on,
        "audience_partner_types": types,
        "audience_tier_ids": tier_ids,
    }


def clean_questions(questions: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The questions in order: rows without text are dropped; kind ``scale_1_5`` or ``text``; at most 20."""
    cleaned = []
    for row in questions or []:
        text = str(row.get("text") or "").strip()
        if not text:
            continue
        if len(text) > 300:
            raise ApplicationError(_("A question has at most 300 characters."), code="max_length", field="questions")
        kind = str(row.get("kind") or QuestionKind.SCALE_1_5)
        if kind not in QuestionKind.values:
            raise ApplicationError(_("A question is a 1–5 scale or free text."), code="invalid_choice", field="questions")
        cleaned.append({"text": text, "kind": kind, "required": bool(row.get("required", True))})
    if len(cleaned) > MAX_QUESTIONS:
        raise ApplicationError(
            _("At most %(n)d questions after the NPS question.") % {"n": MAX_QUESTIONS}, code="too_many", field="questions"
        )
    return cleaned


def _questions_create(*, tenant: Tenant, survey: Survey, questions: list[dict[str, Any]]) -> None:
    SurveyQuestion.objects.bulk_create(
        [SurveyQuestion(tenant=tenant, survey=survey, position=i, **row) for i, row in enumerate(questions, start=1)]
    )


# --- scheduling ------------------------------------------------------------------------------------


def survey_create(*, tenant: Tenant, actor: Any, values: dict[str, Any], questions: list[dict[str, Any]] | None = None) -> Survey:
    """Schedule a survey. It asks the NPS question, then ``questions`` in order. Refused if it would
    already be closed (``closes_on`` before today). A survey that opens today emails its audience at once."""
    details = clean_survey(tenant=tenant, values=values)
    rows = clean_questions(questions)
    if details["closes_on"] < timezone.localdate():
        raise ApplicationError(_("The closing day has passed: choose today or later."), code="closes_in_past", field="closes_on")
    with transaction.atomic():
        survey = Survey.objects.create(tenant=tenant, created_by=person_of(actor), **details)
        _questions_create(tenant=tenant, survey=survey, questions=rows)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="surveys.create",
            target=survey,
            changes={
                "title": survey.title,
                "opens_on": str(survey.opens_on),
                "closes_on": str(survey.closes_on),
                "questions": len(rows),
            },
        )
        if survey.opens_on <= timezone.localdate():
            from ecosystem.jobs.tasks import enqueue_on_commit

            from .tasks import surveys_open_today

            enqueue_on_commit(surveys_open_today, tenant.pk)
    return survey


def survey_update(
    *, tenant: Tenant, actor: Any, survey: Survey, values: dict[str, Any], questions: list[dict[str, Any]] | None = None
) -> Survey:
    """Change the details and audience, and (``questions`` given) the questions while nobody has answered."""
    details = clean_survey(tenant=tenant, values=values)
    rows = None if questions is None else clean_questions(questions)
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(tenant=tenant, pk=survey.pk)
        if locked.closes_on < timezone.localdate():
            raise ConflictError(_("This survey is closed."), code="survey_closed")
        if details["closes_on"] < timezone.localdate():
            raise ApplicationError(
                _("The closing day has passed: choose today or later."), code="closes_in_past", field="closes_on"
            )
        changed_questions = False
        if rows is not None:
            current = [
                {"text": q.text, "kind": q.kind, "required": q.required} for q in selectors.survey_questions(survey=locked)
            ]
            changed_questions = current != rows
            if changed_questions and SurveyResponse.objects.filter(tenant=tenant, survey=locked).exists():
                raise ConflictError(
                    _("Partners have answered already: the questions can no longer change."), code="questions_locked"
                )
        before = {name: getattr(locked, name) for name in details}
        for name, value in details.items():
            setattr(locked, name, value)
        locked.save(update_fields=[*details, "updated_at"])
        if changed_questions:
            SurveyQuestion.objects.filter(tenant=tenant, survey=locked).delete()
            _questions_create(tenant=tenant, survey=locked, questions=rows)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="surveys.update",
            target=locked,
            changes={
                "changed": sorted(name for name, value in details.items() if before[name] != value),
                "questions": changed_questions,
            },
        )
    return locked


# --- answering -------------------------------------------------------------------------------------


def _whole_number(value: Any, *, low: int, high: int, field: str, message: str) -> int:
    if isinstance(value, bool):
        raise ApplicationError(message, code="out_of_range", field=field)
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit():
            raise ApplicationError(message, code="out_of_range", field=field)
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or not low <= value <= high:
        raise ApplicationError(message, code="out_of_range", field=field)
    return value


def clean_answers(*, questions: list[SurveyQuestion], nps: Any, answers: dict[Any, Any] | None) -> tuple[int, dict[str, Any]]:
    """(NPS score, {question id: value}) from answers keyed by question position. Errors name the field
    ``nps`` or ``q_<position>``."""
    if nps is None or nps == "":
        raise ApplicationError(_("Choose a score from 0 to 10."), code="required", field="nps")
    score = _whole_number(nps, low=NPS_MIN, high=NPS_MAX, field="nps", message=_("Choose a score from 0 to 10."))
    given = {str(k).strip(): v for k, v in (answers or {}).items()}
    by_position = {str(q.position): q for q in questions}
    unknown = sorted(set(given) - set(by_position))
    if unknown:
        raise ApplicationError(
            _("This survey has no question %(position)s.") % {"position": unknown[0]}, code="unknown_question", field="answers"
        )
    stored: dict[str, Any] = {}
    for position, question in by_position.items():
        field = f"q_{position}"
        value = given.get(position)
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            if question.required:
                raise ApplicationError(_("Please answer this question."), code="required", field=field)
            continue
        if question.kind == QuestionKind.SCALE_1_5:
            stored[str(question.pk)] = _whole_number(
                value, low=SCALE_MIN, high=SCALE_MAX, field=field, message=_("Choose 1 to 5.")
            )
        else:
            if not isinstance(value, str):
                raise ApplicationError(_("Write the answer as text."), code="invalid", field=field)
            if len(value) > MAX_TEXT_ANSWER:
                raise ApplicationError(_("At most 2,000 characters."), code="max_length", field=field)
            stored[str(question.pk)] = value
    return score, stored


def survey_respond(
    *, tenant: Tenant, actor: Any, partner_id: int, survey: Survey, nps: Any, answers: dict[Any, Any] | None = None
) -> SurveyResponse:
    """A partner user answers (or changes their answer to) an open survey their organisation is in the audience of.

    Locks the respondent's response row (the unique constraint on survey and respondent decides a
    race between two first answers: the loser updates the winner's row).
    """
    partner = PartnerOrganization.objects.filter(tenant=tenant, pk=partner_id).first()
    if partner is None or not selectors.in_audience(survey=survey, partner=partner):
        raise NotFoundError()
    if not survey.is_open:
        raise ConflictError(_("This survey is not open for answers."), code="survey_not_open")
    score, stored = clean_answers(questions=selectors.survey_questions(survey=survey), nps=nps, answers=answers)
    user = person_of(actor)
    now = timezone.now()
    with transaction.atomic():
        response = SurveyResponse.objects.select_for_update().filter(tenant=tenant, survey=survey, respondent=user).first()
        created = False
        if response is None:
            try:
                with transaction.atomic():
                    response = SurveyResponse.objects.create(
                        tenant=tenant,
                        survey=survey,
                        partner=partner,
                        respondent=user,
                        nps=score,
                        answers=stored,
                        submitted_at=now,
                    )
                    created = True
            except IntegrityError:
                response = (
                    SurveyResponse.objects.select_for_update().filter(tenant=tenant, survey=survey, respondent=user).first()
                )
                if response is None:
                    raise ConflictError(_("Your answer could not be saved: try again."), code="answer_conflict") from None
        if not created:
            if response.partner_id != partner.pk:
                raise NotFoundError()
            response.nps, response.answers, response.submitted_at = score, stored, now
            response.save(update_fields=["nps", "answers", "submitted_at", "updated_at"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="surveys.respond",
            target=response,
            changes={"survey": str(survey.public_id), "nps": score, "answers": len(stored), "changed": not created},
        )
        from scoring.tasks import refresh_soon

        refresh_soon(tenant.pk, partner.pk)
    return response


# --- opening ---------------------------------------------------------------------------------------


def _partner_addresses(*, tenant: Tenant, survey: Survey) -> list[str]:
    """Active partner users of the audience (one query)."""
    partners = selectors.audience_partners(tenant=tenant, survey=survey)
    return sorted(
        set(
            Membership.objects.filter(tenant=tenant, partner__in=partners, role__in=PARTNER_ROLES, is_active=True).values_list(
                "user__email", flat=True
            )
        )
        - {""}
    )


def surveys_open_today(*, tenant: Tenant, today: datetime.date | None = None) -> int:
    """Email the audience of every open survey not yet announced; returns how many surveys. Safe to run twice:
    a survey is announced once (``open_notified_at``, set under a row lock)."""
    today = today or timezone.localdate()
    announced = 0
    with transaction.atomic():
        due = list(
            Survey.objects.select_for_update(skip_locked=True)
            .filter(tenant=tenant, open_notified_at__isnull=True, opens_on__lte=today, closes_on__gte=today)
            .order_by("opens_on", "id")
        )
        for survey in due:
            addresses = _partner_addresses(tenant=tenant, survey=survey)
            survey.open_notified_at = timezone.now()
            survey.save(update_fields=["open_notified_at"])
            audit_record(
                tenant=tenant, actor=None, action="surveys.announce", target=survey, changes={"recipients": len(addresses)}
            )
            _send_open_emails(tenant=tenant, survey=survey, addresses=addresses)
            announced += 1
    return announced


def _send_open_emails(*, tenant: Tenant, survey: Survey, addresses: list[str]) -> None:
    """One message per person (no partner sees another's address), sent after commit."""
    if not addresses:
        return
    link = settings.SITE_URL.rstrip("/") + reverse(
        "partner_surveys:answer", kwargs={"tenant_slug": tenant.slug, "survey_id": survey.public_id}
    )
    subject = f"[{tenant.name}] {survey.title}"
    body = render_to_string("surveys/email/open.txt", {"tenant": tenant, "survey": survey, "link": link})
    messages = [(subject, body, None, [address]) for address in addresses]
    transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=False))
