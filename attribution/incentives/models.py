"""Incentives and rebates: back-end rebate programs, the usage figures they may measure, and the quarterly
statements that accrue each partner's rebate, line by line.

* :class:`RebateProgram` — what is measured (closed-won revenue, renewal revenue or a usage metric),
  for which partners (types and tiers; none: every partner), with rate tiers (:class:`RebateRate`)
  applied marginally (like tax brackets) or to the whole amount. The definitions live in
  :mod:`attribution.incentives.rebates` (the arithmetic) and :mod:`attribution.incentives.services.accruals`.
* :class:`UsageFigure` — an imported usage figure of one customer account, metric and month.
* :class:`RebateStatement` — one partner's accrual of one program and quarter: the measured total,
  the rebate, its status (computed → approved → paid) and its lines (:class:`RebateStatementLine`,
  one per deal, account-month or usage row that counted). A computed statement is replaced when the
  quarter is computed again; an approved or paid one is never changed.

Row-level security: programs and their rates are shared configuration (partner users read them, change
none); usage figures are the vendor's (partner users read none);
statements and their lines are partner-owned (a partner user reads its own organisation's only).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecosystem.tenancy.models import TenantModel


class Measure(models.TextChoices):
    CLOSED_WON_REVENUE = "closed_won_revenue", _("Closed-won revenue")
    RENEWAL_REVENUE = "renewal_revenue", _("Renewal revenue")
    USAGE = "usage", _("Customer usage")


# Measures in money (rates are percentages); usage is counted in units (rates are an amount per unit).
MONEY_MEASURES = (Measure.CLOSED_WON_REVENUE, Measure.RENEWAL_REVENUE)


class RateMode(models.TextChoices):
    MARGINAL = "marginal", _("Marginal (each tier's rate on the part within it)")
    WHOLE_AMOUNT = "whole_amount", _("Whole amount (the tier reached sets the rate for everything)")


class ProgramStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    ARCHIVED = "archived", _("Archived")


class RebateProgram(TenantModel):
    """A back-end rebate program: what is measured per partner and quarter, and the rate tiers."""

    partner_readable = True  # partners read the rules their rebates are computed by, never change them

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=500, blank=True)
    measure = models.CharField(_("measure"), max_length=20, choices=Measure.choices)
    usage_metric = models.SlugField(
        _("usage metric"), max_length=60, blank=True, help_text=_("For a usage program: the metric of the imported figures.")
    )
    rate_mode = models.CharField(_("rate mode"), max_length=12, choices=RateMode.choices, default=RateMode.MARGINAL)
    currency = models.CharField(_("currency"), max_length=3)
    partner_types = ArrayField(
        models.CharField(max_length=20), default=list, blank=True, verbose_name=_("eligible partner types")
    )
    tier_ids = ArrayField(models.UUIDField(), default=list, blank=True, verbose_name=_("eligible tiers"))
    status = models.CharField(_("status"), max_length=10, choices=ProgramStatus.choices, default=ProgramStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="rebate_program_public_id_unique"),
            models.UniqueConstraint(fields=["tenant", "name"], name="rebate_program_name_unique"),
            models.CheckConstraint(
                condition=~models.Q(measure="usage") | ~models.Q(usage_metric=""), name="rebate_program_usage_has_metric"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status"], name="rebate_program_status")]
        verbose_name = _("rebate program")
        verbose_name_plural = _("rebate programs")

    def __str__(self) -> str:
        return self.name

    @property
    def is_money(self) -> bool:
        return self.measure in MONEY_MEASURES

    @property
    def unit(self) -> str:
        """What the measured totals and thresholds are counted in."""
        return self.currency if self.is_money else self.usage_metric


class RebateRate(TenantModel):
    """One rate tier: from ``threshold`` (inclusive) up to the next tier's threshold.

    ``rate`` is a percentage for money measures (``2.5`` = 2.5 %) and an amount in the program's
    currency per unit for usage (``0.05`` per API call).
    """

    partner_readable = True

    program = models.ForeignKey(RebateProgram, on_delete=models.CASCADE, related_name="rates")
    threshold = models.DecimalField(_("from"), max_digits=16, decimal_places=2)
    rate = models.DecimalField(_("rate"), max_digits=12, decimal_places=4)

    class Meta:
        ordering = ["program_id", "threshold"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "program", "threshold"], name="rebate_rate_threshold_unique"),
            models.CheckConstraint(condition=models.Q(threshold__gte=Decimal(0)), name="rebate_rate_threshold_not_negative"),
            models.CheckConstraint(condition=models.Q(rate__gte=Decimal(0)), name="rebate_rate_not_negative"),
        ]
        verbose_name = _("rebate rate tier")
        verbose_name_plural = _("rebate rate tiers")

    def __str__(self) -> str:
        return f"{self.threshold}+ @ {self.rate}"


class UsageSource(models.TextChoices):
    IMPORT = "import", _("CSV import")
    API = "api", _("API")


class UsageFigure(TenantModel):
    """One customer account's usage of one metric in one month (``month`` is its first day)."""

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    account = models.ForeignKey("deals.CustomerAccount", on_delete=models.PROTECT, related_name="+")
    metric = models.SlugField(_("metric"), max_length=60)
    month = models.DateField(_("month"))
    quantity = models.DecimalField(_("quantity"), max_digits=16, decimal_places=2)
    source = models.CharField(_("source"), max_length=8, choices=UsageSource.choices)
    external_id = models.CharField(_("id in your system"), max_length=120, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-month", "metric", "account_id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="usage_figure_public_id_unique"),
            models.UniqueConstraint(fields=["tenant", "metric", "account", "month"], name="usage_figure_one_per_month"),
            models.CheckConstraint(condition=models.Q(quantity__gte=Decimal(0)), name="usage_figure_not_negative"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="usage_figure_month_first_day"),
        ]
        indexes = [models.Index(fields=["tenant", "metric", "month"], name="usage_figure_metric_month")]
        verbose_name = _("usage figure")
        verbose_name_plural = _("usage figures")

    def __str__(self) -> str:
        return f"{self.metric} {self.month:%Y-%m}: {self.quantity}"


class StatementStatus(models.TextChoices):
    COMPUTED = "computed", _("Computed")
    APPROVED = "approved", _("Approved for payout")
    PAID = "paid", _("Paid")


# Statements a new computation never touches.
SETTLED_STATUSES = (StatementStatus.APPROVED, StatementStatus.PAID)


class RebateStatement(TenantModel):
    """One partner's rebate accrual of one program and quarter, with its lines."""

    partner_field = "partner"

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    program = models.ForeignKey(RebateProgram, on_delete=models.PROTECT, related_name="statements")
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    measure = models.CharField(_("measure"), max_length=20, choices=Measure.choices)
    rate_mode = models.CharField(_("rate mode"), max_length=12, choices=RateMode.choices)
    currency = models.CharField(_("currency"), max_length=3)
    tiers = models.JSONField(_("rate tiers applied"), default=list, help_text=_("[[threshold, rate], …] as computed."))
    measured_total = models.DecimalField(_("measured"), max_digits=16, decimal_places=2)
    rebate_amount = models.DecimalField(_("rebate"), max_digits=14, decimal_places=2)
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=StatementStatus.choices, default=StatementStatus.COMPUTED)
    computed_at = models.DateTimeField(_("computed"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=120, blank=True)

    class Meta:
        ordering = ["-year", "-quarter", "program_id", "partner_id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="rebate_statement_public_id_unique"),
            models.UniqueConstraint(
                fields=["tenant", "program", "partner", "year", "quarter"], name="rebate_statement_one_per_period"
            ),
            models.CheckConstraint(condition=models.Q(quarter__gte=1, quarter__lte=4), name="rebate_statement_quarter_valid"),
            models.CheckConstraint(
                condition=models.Q(rebate_amount__gte=Decimal(0)), name="rebate_statement_rebate_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "program", "year", "quarter"], name="rebate_statement_period"),
            models.Index(fields=["tenant", "partner", "-year", "-quarter"], name="rebate_statement_partner"),
        ]
        verbose_name = _("rebate statement")
        verbose_name_plural = _("rebate statements")

    def __str__(self) -> str:
        return f"{self.period} {self.rebate_amount} {self.currency}"

    @property
    def period(self) -> str:
        return f"{self.year} Q{self.quarter}"

    @property
    def is_settled(self) -> bool:
        return self.status in SETTLED_STATUSES


class LineKind(models.TextChoices):
    DEAL = "deal", _("Closed-won deal")
    ACCOUNT_MONTH = "account_month", _("Renewal account-month")
    USAGE = "usage", _("Usage figure")


class RebateStatementLine(TenantModel):
    """One thing that counted: a closed-won deal, a renewal account-month, or a usage figure.

    ``amount`` is what it adds to the measured total (program currency, or units for usage);
    ``original_amount``/``original_currency``/``exchange_rate`` show a deal's conversion.
    """

    partner_field = "partner"

    statement = models.ForeignKey(RebateStatement, on_delete=models.CASCADE, related_name="lines")
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=14, choices=LineKind.choices)
    source_id = models.UUIDField(_("source id"), help_text=_("The deal registration's, account's or usage figure's public id."))
    description = models.CharField(_("description"), max_length=250)
    day = models.DateField(_("date"), help_text=_("Closed on, or the month."))
    original_amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    original_currency = models.CharField(max_length=3, blank=True)
    exchange_rate = models.DecimalField(max_digits=18, decimal_places=8, null=True, blank=True)
    amount = models.DecimalField(_("counted"), max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["statement_id", "day", "id"]
        indexes = [models.Index(fields=["tenant", "statement", "day"], name="rebate_line_statement")]
        verbose_name = _("rebate statement line")
        verbose_name_plural = _("rebate statement lines")

    def __str__(self) -> str:
        return f"{self.day} {self.description}: {self.amount}"
