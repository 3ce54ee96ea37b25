"""Scoring: each tenant's settings, partner health scores with their history, and the model registry.

- :class:`ScoringSettings`: one row per tenant (staff-only): the health score's component weights and
  parameters, the program's definition of an *inactive* partner, the at-risk threshold, and whether
  partners may see the churn probability about themselves.
- :class:`HealthScore`: one row per partner and day (the latest computation of that day wins), with
  its components, what moved since the previous score and the top actions that would raise it.
  Partner users read their own rows.
- :class:`PredictionModel`: every trained model of a tenant (churn, partner fit, MDF return), with
  version, training window, data hash, metrics, feature list and the fitted estimator; one active
  model per kind, which can be rolled back.
- :class:`ChurnPrediction`: a probability with its top drivers for a partner and a date, from a
  model or from the transparent rules when the tenant has too little history.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecosystem.encrypted import EncryptedTextField
from ecosystem.tenancy.models import TenantModel

HEALTH_COMPONENTS = ("engagement", "enablement", "pipeline", "revenue", "satisfaction", "compliance")


class ScoringSettings(TenantModel):
    """The tenant's scoring choices (one row). Empty JSON means the engine's documented defaults."""

    weights = models.JSONField(_("component weights"), default=dict, blank=True)
    parameters = models.JSONField(_("component parameters"), default=dict, blank=True)
    inactive_after_days = models.PositiveSmallIntegerField(
        _("inactive after (days)"),
        default=90,
        help_text=_("A partner is inactive when it has had no login, no deal registration and no training for this long."),
    )
    at_risk_threshold = models.FloatField(_("at-risk threshold"), default=0.5)
    partners_see_churn = models.BooleanField(_("partners see their own churn probability"), default=False)
    alert_emails = models.BooleanField(_("email managers about new at-risk partners"), default=True)
    alert_webhook_url = models.URLField(
        _("at-risk webhook"),
        blank=True,
        max_length=500,
        help_text=_("An https:// address that receives a signed JSON POST for each new at-risk alert."),
    )
    alert_webhook_secret = EncryptedTextField(blank=True, editable=False)  # encrypted at rest (ecosystem.encrypted)
    churn_status = models.JSONField(
        _("churn model status"), default=dict, blank=True
    )  # the last training attempt: {at, outcome: trained|rules|failed, reason, version}
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="scoring_settings_once"),
            models.CheckConstraint(
                name="scoring_threshold_is_probability",
                condition=models.Q(at_risk_threshold__gte=0) & models.Q(at_risk_threshold__lte=1),
            ),
        ]
        verbose_name = _("scoring settings")
        verbose_name_plural = _("scoring settings")

    def __str__(self) -> str:
        return str(_("Scoring settings"))


class HealthScore(TenantModel):
    """A partner's health score on one day: total 0–100, the components, what moved, the top actions."""

    partner_field = "partner"

    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField(_("as of"))
    computed_at = models.DateTimeField(_("computed"))
    total = models.FloatField(_("health score"))
    components = models.JSONField(_("components"), default=dict)  # name -> 0–100 (absent: left out)
    moved = models.JSONField(_("what moved"), default=list, blank=True)  # [{component, change}], largest first
    actions = models.JSONField(_("top actions"), default=list, blank=True)  # [{action, gain}], largest first
    engine_version = models.CharField(_("engine version"), max_length=20)

    class Meta:
        ordering = ["partner", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "partner", "as_of"], name="health_score_once_a_day"),
            models.CheckConstraint(name="health_score_is_0_to_100", condition=models.Q(total__gte=0) & models.Q(total__lte=100)),
        ]
        indexes = [models.Index(fields=["tenant", "as_of", "total"], name="health_score_day_total")]
        verbose_name = _("health score")
        verbose_name_plural = _("health scores")

    def __str__(self) -> str:
        return f"{self.total:.0f} on {self.as_of}"


class ModelKind(models.TextChoices):
    CHURN = "churn", _("Churn / inactivity in the next 90 days")
    FIT = "fit", _("Ideal partner profile fit")
    MDF_RETURN = "mdf_return", _("MDF return")


class PredictionModel(TenantModel):
    """One trained model of a tenant, as it was trained: reproducible and explainable (staff only).

    ``artefact`` holds the fitted estimator serialised with joblib; it is only ever loaded by the
    worker from this table (never from user input).
    """

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=ModelKind.choices)
    version = models.PositiveIntegerField(_("version"))
    is_active = models.BooleanField(_("active"), default=False)
    method = models.CharField(_("method"), max_length=60)  # e.g. "gradient_boosting+isotonic"
    trained_at = models.DateTimeField(_("trained"))
    window_start = models.DateField(_("training window from"))
    window_end = models.DateField(_("training window to"))
    data_sha256 = models.CharField(_("training data hash"), max_length=64)
    features = models.JSONField(_("features"), default=list)
    metrics = models.JSONField(_("metrics"), default=dict)
    artefact = models.BinaryField(_("fitted model"), editable=False)
    drift = models.JSONField(_("drift check"), default=dict, blank=True)  # the latest check against live data
    job = models.ForeignKey("jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    trained_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="prediction_model_public_id_unique"),
            models.UniqueConstraint(fields=["tenant", "kind", "version"], name="prediction_model_version_once"),
            models.UniqueConstraint(
                fields=["tenant", "kind"], condition=models.Q(is_active=True), name="prediction_model_one_active"
            ),
            models.CheckConstraint(
                name="prediction_model_window_ordered", condition=models.Q(window_end__gte=models.F("window_start"))
            ),
        ]
        verbose_name = _("prediction model")
        verbose_name_plural = _("prediction models")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


class PredictionMethod(models.TextChoices):
    MODEL = "model", _("Trained model")
    RULES = "rules", _("Rule-based (too little history to train)")


class ChurnPrediction(TenantModel):
    """The probability that a partner goes inactive in the next 90 days, as of a date, with its drivers.

    Staff-only rows: a partner user reads its own probability only when the tenant allows it
    (:attr:`ScoringSettings.partners_see_churn`), through a selector that checks the setting and
    crosses the partner boundary for that one row; with the setting off the database has nothing to give.
    """

    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField(_("as of"))
    probability = models.FloatField(_("probability"))
    method = models.CharField(_("method"), max_length=8, choices=PredictionMethod.choices)
    model = models.ForeignKey(PredictionModel, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    drivers = models.JSONField(_("top drivers"), default=list)  # [{feature, sentence, contribution}]
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        ordering = ["partner", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "partner", "as_of"], name="churn_prediction_once_a_day"),
            models.CheckConstraint(
                name="churn_probability_is_probability",
                condition=models.Q(probability__gte=0) & models.Q(probability__lte=1),
            ),
        ]
        indexes = [models.Index(fields=["tenant", "as_of", "-probability"], name="churn_prediction_day_risk")]
        verbose_name = _("churn prediction")
        verbose_name_plural = _("churn predictions")

    def __str__(self) -> str:
        return f"{self.probability:.0%} on {self.as_of}"


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ChurnAlert(TenantModel):
    """A partner's churn risk crossed the tenant's threshold (staff only).

    Raised by the prediction run, at most one open alert per partner; it carries the probability and
    drivers of the prediction that raised it and a suggested intervention. A manager records what was
    done (:class:`Intervention`) and closes it with the outcome.
    """

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.CASCADE, related_name="+")
    raised_on = models.DateField(_("raised"))
    probability = models.FloatField(_("risk when raised"))
    method = models.CharField(_("method"), max_length=8, choices=PredictionMethod.choices)
    drivers = models.JSONField(_("drivers"), default=list)
    suggestion = models.JSONField(_("suggested intervention"), default=dict)  # {action, sentence}
    status = models.CharField(_("status"), max_length=8, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-raised_on", "-probability"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="churn_alert_public_id_unique"),
            models.UniqueConstraint(
                fields=["tenant", "partner"], condition=models.Q(status="open"), name="churn_alert_one_open_per_partner"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status", "-raised_on"], name="churn_alert_status_day")]
        verbose_name = _("churn alert")
        verbose_name_plural = _("churn alerts")

    def __str__(self) -> str:
        return f"{self.probability:.0%} on {self.raised_on}"


class InterventionAction(models.TextChoices):
    CALL = "call", _("Call with the partner's leadership")
    BUSINESS_REVIEW = "business_review", _("Joint business review")
    ENABLEMENT = "enablement", _("Enablement or certification session")
    PIPELINE = "pipeline", _("Shared leads or co-selling")
    FUNDING = "funding", _("MDF or incentive offer")
    TIER_HOLD = "tier_hold", _("Tier held for a period")
    OTHER = "other", _("Other")


class InterventionOutcome(models.TextChoices):
    PENDING = "pending", _("Not known yet")
    RETAINED = "retained", _("Partner re-engaged")
    CHURNED = "churned", _("Partner went inactive")


class Intervention(TenantModel):
    """What a manager did for a partner at risk, and what came of it (staff only).

    Interventions are training data: the churn table counts a partner's interventions of the last 90
    days as a feature, so the next model learns what they change.
    """

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.CASCADE, related_name="+")
    alert = models.ForeignKey(ChurnAlert, on_delete=models.SET_NULL, null=True, blank=True, related_name="interventions")
    action = models.CharField(_("what was done"), max_length=20, choices=InterventionAction.choices)
    occurred_on = models.DateField(_("when"))
    note = models.TextField(_("note"), blank=True, max_length=2000)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=InterventionOutcome.choices, default=InterventionOutcome.PENDING
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "public_id"], name="intervention_public_id_unique")]
        indexes = [models.Index(fields=["tenant", "partner", "occurred_on"], name="intervention_partner_day")]
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")

    def __str__(self) -> str:
        return f"{self.get_action_display()} on {self.occurred_on}"


class FitScore(TenantModel):
    """How closely an applicant or a prospect partner matches the tenant's ideal partner profile (staff only).

    Exactly one of ``application`` and ``partner`` is set; the latest computation replaces the previous one.
    """

    application = models.OneToOneField(
        "onboarding.PartnerApplication", on_delete=models.CASCADE, null=True, blank=True, related_name="fit"
    )
    partner = models.OneToOneField(
        "partners.PartnerOrganization", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    score = models.FloatField(_("fit"))  # 0–100
    reasons = models.JSONField(_("reasons"), default=list)  # [{trait, value, sentence, effect}], strongest first
    model = models.ForeignKey(PredictionModel, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="fit_score_one_subject",
                condition=(models.Q(application__isnull=False) & models.Q(partner__isnull=True))
                | (models.Q(application__isnull=True) & models.Q(partner__isnull=False)),
            ),
            models.CheckConstraint(name="fit_score_is_0_to_100", condition=models.Q(score__gte=0) & models.Q(score__lte=100)),
        ]
        verbose_name = _("fit score")
        verbose_name_plural = _("fit scores")

    def __str__(self) -> str:
        return f"{self.score:.0f}"
