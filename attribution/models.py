"""Touchpoints (dated partner interactions with a customer account) and attribution runs with their credits."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecosystem.tenancy.models import TenantModel


class TouchpointType(models.TextChoices):
    REGISTRATION = "registration", _("Deal registration (sourcing)")
    COSELL = "cosell", _("Co-sell role on a deal")
    LEAD_ACCEPTED = "lead_accepted", _("Lead accepted")
    MDF_CAMPAIGN_LEAD = "mdf_campaign_lead", _("MDF campaign lead")
    REFERRAL = "referral", _("Referral")
    TECHNICAL_VALIDATION = "technical_validation", _("Technical validation")
    IMPLEMENTATION = "implementation", _("Implementation")
    RENEWAL_SUPPORT = "renewal_support", _("Renewal support")


class TouchpointSource(models.TextChoices):
    DERIVED = "derived", _("Derived from the platform's own records")
    IMPORTED = "imported", _("Imported from a file")
    API = "api", _("Posted through the API")


class Touchpoint(TenantModel):
    """One dated interaction of a partner with a customer account (and optionally one deal).

    ``external_id`` is unique per tenant when set, so importing or posting the same touchpoint again
    creates nothing; derived touchpoints use ``derived:<kind>:<public id of the source row>``.
    """

    partner_field = "partner"

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey("deals.CustomerAccount", on_delete=models.CASCADE, related_name="+")
    registration = models.ForeignKey("deals.DealRegistration", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    touch_type = models.CharField(_("type"), max_length=24, choices=TouchpointType.choices)
    occurred_at = models.DateTimeField(_("when"))
    weight = models.DecimalField(
        _("weight"), max_digits=8, decimal_places=4, null=True, blank=True, help_text=_("Optional; empty means 1.")
    )
    source = models.CharField(_("source"), max_length=10, choices=TouchpointSource.choices)
    external_id = models.CharField(_("external id"), max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="touchpoint_public_id_unique"),
            models.UniqueConstraint(
                fields=["tenant", "external_id"], condition=~models.Q(external_id=""), name="touchpoint_external_id_unique"
            ),
            models.CheckConstraint(
                name="touchpoint_weight_not_negative", condition=models.Q(weight__isnull=True) | models.Q(weight__gte=0)
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "account", "occurred_at"], name="touchpoint_account_time"),
            models.Index(fields=["tenant", "partner", "occurred_at"], name="touchpoint_partner_time"),
        ]
        verbose_name = _("touchpoint")
        verbose_name_plural = _("touchpoints")

    def __str__(self) -> str:
        return f"{self.get_touch_type_display()} {self.occurred_at:%Y-%m-%d}"


class ChannelDimension(models.TextChoices):
    PARTNER_TYPE = "partner_type", _("Partner type")
    TIER = "tier", _("Tier")
    TOUCHPOINT_TYPE = "touchpoint_type", _("Touchpoint type")
    PARTNER = "partner", _("Partner")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class AttributionRun(TenantModel):
    """One calculation over a tenant and a period with the chosen models and parameters (staff only).

    ``inputs_sha256`` and ``code_version`` make it reproducible: the same journeys and parameters
    give the same hash, and the same engine version gives the same numbers.
    """

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    model_names = models.JSONField(_("models"), default=list)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    dimension = models.CharField(_("channel"), max_length=20, choices=ChannelDimension.choices)
    status = models.CharField(_("status"), max_length=12, choices=RunStatus.choices, default=RunStatus.QUEUED)
    job = models.ForeignKey("jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    inputs_sha256 = models.CharField(_("inputs hash"), max_length=64, blank=True)
    code_version = models.CharField(_("engine version"), max_length=20, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="attribution_run_public_id_unique"),
            models.CheckConstraint(
                name="attribution_run_period_ordered", condition=models.Q(period_end__gte=models.F("period_start"))
            ),
        ]
        indexes = [models.Index(fields=["tenant", "-created_at"], name="attribution_run_created")]
        verbose_name = _("attribution run")
        verbose_name_plural = _("attribution runs")

    def __str__(self) -> str:
        return f"{self.period_start} – {self.period_end} by {self.get_dimension_display()}"


class AttributionCredit(TenantModel):
    """One model's credit to one channel in a run (staff only for now).

    ``conversions`` and ``value`` are the engine's double-precision figures, unrounded, so that a
    model's credits sum to the run's totals; ``value`` is in the program currency.
    """

    run = models.ForeignKey(AttributionRun, on_delete=models.CASCADE, related_name="credits")
    model = models.CharField(_("model"), max_length=30)
    channel_key = models.CharField(_("channel key"), max_length=80)
    channel_label = models.CharField(_("channel"), max_length=200)
    partner = models.ForeignKey(
        "partners.PartnerOrganization", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    conversions = models.FloatField(_("credited conversions"))
    value = models.FloatField(_("credited value"))

    class Meta:
        ordering = ["run", "model", "-value", "channel_key"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "run", "model", "channel_key"], name="attribution_credit_once"),
        ]
        indexes = [
            models.Index(
                fields=["tenant", "partner"], condition=models.Q(partner__isnull=False), name="attribution_credit_partner"
            )
        ]
        verbose_name = _("attribution credit")
        verbose_name_plural = _("attribution credits")

    def __str__(self) -> str:
        return f"{self.model}: {self.channel_label}"
