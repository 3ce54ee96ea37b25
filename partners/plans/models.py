"""A joint business plan: what the vendor and a partner (or a solution's partners) set out to do in a period.

Every row carries ``team_partner_ids``, the partner organisations whose users read and edit it (row-level
security): the plan's partner, or every partner of the solution for a solution plan. Staff read all.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecosystem.tenancy.models import TenantModel


class PlanHealth(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")


class PlanState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class GoalMetric(models.TextChoices):
    CLOSED_WON_REVENUE = "closed_won_revenue", _("Closed-won revenue")
    SOURCED_PIPELINE = "sourced_pipeline", _("Partner-sourced pipeline")
    REGISTRATIONS = "registrations", _("Deal registrations")
    CERTIFIED_PEOPLE = "certified_people", _("Certified people")
    MDF_SPEND = "mdf_spend", _("MDF spend")
    CUSTOMER_RETENTION = "customer_retention", _("Customer retention (%)")


class InitiativeStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    BLOCKED = "blocked", _("Blocked")
    DONE = "done", _("Done")


class BusinessPlan(TenantModel):
    """One plan for one period, with one partner or for one joint solution."""

    partner_field = "partner"  # the database policy reads team_partner_ids

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    title = models.CharField(_("title"), max_length=160)
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    solution = models.ForeignKey("solutions.JointSolution", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    state = models.CharField(_("state"), max_length=10, choices=PlanState.choices, default=PlanState.ACTIVE)
    health = models.CharField(_("status"), max_length=10, choices=PlanHealth.choices, default=PlanHealth.ON_TRACK)
    status_note = models.TextField(_("status note"), max_length=4000, blank=True)
    status_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status_updated_at = models.DateTimeField(null=True, blank=True)
    vendor_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vendor owner"),
    )
    partner_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner owner"),
    )
    team_partner_ids = ArrayField(models.BigIntegerField(), default=list, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_start", "title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="business_plan_public_id_unique"),
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")), name="business_plan_period"),
            models.CheckConstraint(
                condition=models.Q(partner__isnull=False) | models.Q(solution__isnull=False), name="business_plan_subject"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "partner", "-period_start"], name="business_plan_partner")]
        verbose_name = _("business plan")
        verbose_name_plural = _("business plans")

    def __str__(self) -> str:
        return self.title


class PlanGoal(TenantModel):
    """A target for one metric over the plan's period.

    Actuals of metrics the platform records are computed from its own rows, never typed. Metrics whose
    source arrives later (MDF spend, customer retention: the program economics issue) take
    ``manual_actual`` until then, and the screen says where the figure came from.
    """

    partner_field = "partner"

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(BusinessPlan, on_delete=models.CASCADE, related_name="goals")
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    metric = models.CharField(_("metric"), max_length=30, choices=GoalMetric.choices)
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=2)
    manual_actual = models.DecimalField(_("actual (entered)"), max_digits=16, decimal_places=2, null=True, blank=True)
    team_partner_ids = ArrayField(models.BigIntegerField(), default=list, editable=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="plan_goal_public_id_unique"),
            models.UniqueConstraint(fields=["tenant", "plan", "metric"], name="plan_goal_once_per_metric"),
            models.CheckConstraint(condition=models.Q(target__gte=0), name="plan_goal_target_not_negative"),
        ]


class PlanInitiative(TenantModel):
    """Something the two sides will do, with an owner on each side and a due date."""

    partner_field = "partner"

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(BusinessPlan, on_delete=models.CASCADE, related_name="initiatives")
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    title = models.CharField(_("initiative"), max_length=200)
    description = models.TextField(_("details"), max_length=4000, blank=True)
    vendor_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vendor owner"),
    )
    partner_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner owner"),
    )
    due_date = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=InitiativeStatus.choices, default=InitiativeStatus.NOT_STARTED)
    completed_at = models.DateTimeField(null=True, blank=True)
    team_partner_ids = ArrayField(models.BigIntegerField(), default=list, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "public_id"], name="plan_initiative_public_id_unique")]

    def __str__(self) -> str:
        return self.title


class PlanReview(TenantModel):
    """The record of one quarterly business review of the plan: figures at the time, what was agreed."""

    partner_field = "partner"

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(BusinessPlan, on_delete=models.CASCADE, related_name="reviews")
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    quarter = models.CharField(_("quarter"), max_length=7, help_text=_("e.g. 2026-Q3"))
    held_on = models.DateField(_("held on"))
    summary = models.TextField(_("summary"), max_length=8000)
    decisions = models.TextField(_("decisions and next steps"), max_length=8000, blank=True)
    figures = models.JSONField(_("figures at the review"), default=dict, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    team_partner_ids = ArrayField(models.BigIntegerField(), default=list, editable=False)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="plan_review_public_id_unique"),
            models.UniqueConstraint(fields=["tenant", "plan", "quarter"], name="plan_review_once_per_quarter"),
        ]
