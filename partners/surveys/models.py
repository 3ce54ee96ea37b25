"""Partner satisfaction (PSAT) surveys: what managers schedule and what partner users answer.

* :class:`Survey`: a title, an introduction, the days it is open (``opens_on`` to ``closes_on``, both
  included) and its audience: every active partner, or only some partner types and/or tiers (a
  partner is in the audience when its type is chosen, or no type is, *and* its tier is chosen, or no
  tier is). Its status is derived from the dates, never stored.
* :class:`SurveyQuestion`: the questions after the NPS question every survey asks ("How likely are
  you to recommend partnering with <vendor>?", 0–10): a 1–5 scale or free text, required or not.
* :class:`SurveyResponse`: one per respondent (a partner user) per survey, owned by the respondent's
  partner organisation (row-level security on ``partner``); it can be changed until the survey closes.

Surveys and questions are program configuration partner users read and never change
(``TenantRLS(..., shared=True)``); the services show a partner only the surveys it is in the audience of.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecosystem.tenancy.models import TenantModel
from partners.models import PartnerType

NPS_MIN, NPS_MAX = 0, 10
SCALE_MIN, SCALE_MAX = 1, 5


class SurveyStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class QuestionKind(models.TextChoices):
    SCALE_1_5 = "scale_1_5", _("Scale 1–5")
    TEXT = "text", _("Free text")


def survey_status(*, opens_on: datetime.date, closes_on: datetime.date, today: datetime.date) -> str:
    """Scheduled before ``opens_on``, open from ``opens_on`` through ``closes_on``, closed after."""
    if today < opens_on:
        return SurveyStatus.SCHEDULED
    if today <= closes_on:
        return SurveyStatus.OPEN
    return SurveyStatus.CLOSED


class Survey(TenantModel):
    """A satisfaction survey the vendor schedules for (part of) its partners."""

    partner_readable = True

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    title = models.CharField(_("title"), max_length=120)
    intro = models.TextField(_("introduction"), max_length=2000, blank=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"), help_text=_("The last day partners can answer."))
    audience_partner_types = ArrayField(
        models.CharField(max_length=20, choices=PartnerType.choices),
        default=list,
        blank=True,
        verbose_name=_("partner types"),
        help_text=_("Empty: every type."),
    )
    audience_tier_ids = ArrayField(
        models.BigIntegerField(), default=list, blank=True, verbose_name=_("tiers"), help_text=_("Empty: every tier.")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    open_notified_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text=_("When the partner users were told it is open (once).")
    )

    class Meta:
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="survey_public_id_unique"),
            models.CheckConstraint(condition=models.Q(closes_on__gte=models.F("opens_on")), name="survey_dates_ordered"),
        ]
        indexes = [models.Index(fields=["tenant", "opens_on", "closes_on"], name="survey_tenant_dates")]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.title

    def status_on(self, today: datetime.date) -> str:
        return survey_status(opens_on=self.opens_on, closes_on=self.closes_on, today=today)

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    def get_status_display(self) -> str:
        return str(SurveyStatus(self.status).label)

    @property
    def is_open(self) -> bool:
        return self.status == SurveyStatus.OPEN


class SurveyQuestion(TenantModel):
    """One question after the NPS question, at ``position`` (1, 2, …)."""

    partner_readable = True

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("kind"), max_length=12, choices=QuestionKind.choices, default=QuestionKind.SCALE_1_5)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["survey_id", "position"]
        constraints = [models.UniqueConstraint(fields=["tenant", "survey", "position"], name="survey_question_position_unique")]
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")

    def __str__(self) -> str:
        return self.text


class SurveyResponse(TenantModel):
    """One partner user's answer to one survey: the 0–10 NPS score and ``answers`` {question id (text): value}.

    Scale answers are integers 1–5, text answers strings; a question left unanswered is absent.
    """

    partner_field = "partner"

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.CASCADE, related_name="+")
    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    nps = models.PositiveSmallIntegerField(_("how likely to recommend (0–10)"))
    answers = models.JSONField(default=dict, blank=True)
    submitted_at = models.DateTimeField(_("submitted"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="survey_response_public_id_unique"),
            models.UniqueConstraint(fields=["tenant", "survey", "respondent"], name="survey_response_one_per_respondent"),
            models.CheckConstraint(condition=models.Q(nps__gte=NPS_MIN, nps__lte=NPS_MAX), name="survey_response_nps_range"),
        ]
        indexes = [
            models.Index(fields=["tenant", "partner", "submitted_at"], name="survey_response_partner"),
            models.Index(fields=["tenant", "survey"], name="survey_response_survey"),
        ]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")

    def __str__(self) -> str:
        return f"{self.survey} · {self.nps}"
