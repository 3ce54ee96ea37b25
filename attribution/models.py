"""Touchpoints (dated partner interactions with a customer account) and attribution runs with their credits."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import BrinIndex
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
    # True while the run's per-touch detail (AttributionTouch rows) is kept; older runs keep their
    # channel credits and summary only (attribution.services.attribution_details_prune).
    details_kept = models.BooleanField(_("per-deal detail kept"), default=False)

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
    """One model's credit to one channel in a run.

    Partner users read the rows of runs by partner that name them (``partner``); rows of the other
    dimensions (type, tier, touchpoint type) have no partner and are staff-only.

    ``conversions`` and ``value`` are the engine's double-precision figures, unrounded, so that a
    model's credits sum to the run's totals; ``value`` is in the program currency.
    """

    partner_field = "partner"

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
        ordering = ["run_id", "model", "-value", "channel_key"]  # run_id: "run" would join the staff-only runs
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


class OutcomeKind(models.IntegerChoices):
    WON = 1, _("Won")
    LOST = 2, _("Lost")
    EXPIRED = 3, _("Expired")
    OPEN = 4, _("Open at the period's end")


class AttributionTouch(TenantModel):
    """One touch of one journey in a run, with its share of the journey under each per-touch model:
    the "why" behind a deal's credit, kept as the run saw it.

    A journey is the rows of one (run, registration), ordered by ``position`` (0 = oldest). Each share
    column is the touch's fraction of its journey under that model with the run's parameters (they
    sum to 1 over the journey): the touch is credited ``share × conv`` conversions and ``share × value``
    of the program currency. Shapley on conversion counts has an exact per-deal split (each distinct
    channel of the journey gets 1/|channels|, divided among its touches); Markov and Shapley on
    conversion rates credit channels over all journeys at once and have none, so no column.

    The journey's outcome (kind, date, conv, value converted at the close-date ``rate``) is repeated
    on each of its touches, so one table holds the run's detail. Written by binary COPY for whole runs
    (3.3 million touches in seconds): ``tenant``, ``run``, ``registration``, ``touchpoint`` and
    ``partner`` are ids without database foreign keys (per-row checks) or indexes of their own (the
    two composite indexes serve every read); each would cost more than the write itself;
    :func:`attribution.services.attribution_details_prune` removes a run's rows.

    Partner users read their own touches (``partner``); the other touches of a journey they are on
    come through :mod:`attribution.partner_selectors`, named only when they co-sold the deal.
    """

    partner_field = "partner"

    tenant = models.ForeignKey(
        "tenancy.Tenant", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+", editable=False
    )
    run = models.ForeignKey(AttributionRun, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+")
    registration = models.ForeignKey(
        "deals.DealRegistration", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    touchpoint = models.ForeignKey(Touchpoint, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+")
    partner = models.ForeignKey(
        "partners.PartnerOrganization", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    position = models.SmallIntegerField(_("position"))
    length = models.SmallIntegerField(_("touches in the journey"))
    channel = models.IntegerField(_("channel code"))  # index into the run's summary["channel_keys"]
    touch_on = models.DateField(_("touch date"))
    days = models.FloatField(_("days before the outcome"))
    outcome = models.SmallIntegerField(_("outcome"), choices=OutcomeKind.choices)
    outcome_on = models.DateField(_("outcome date"))
    conv = models.FloatField(_("conversion"))
    value = models.FloatField(_("journey value (program currency)"))
    rate = models.FloatField(_("rate to the program currency"))
    first_touch = models.FloatField()
    last_touch = models.FloatField()
    linear = models.FloatField()
    position_based = models.FloatField()
    time_decay = models.FloatField()
    shapley_counts = models.FloatField()

    class Meta:
        ordering = ["run_id", "outcome_on", "registration_id", "position"]
        indexes = [
            # A run's rows are written at once, in registration order: a block-range index finds a
            # journey in a few pages and costs nothing to maintain, where a B-tree over millions of
            # rows doubled the write.
            BrinIndex(fields=["run", "registration"], name="attribution_touch_journey", pages_per_range=16),
            models.Index(fields=["run", "partner"], name="attribution_touch_partner"),
        ]
        verbose_name = _("attributed touch")
        verbose_name_plural = _("attributed touches")

    def __str__(self) -> str:
        return f"touch {self.position + 1} of {self.length}"
