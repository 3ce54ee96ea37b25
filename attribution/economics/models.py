"""Program economics: what customers pay over time, and what the program and direct sales cost.

* :class:`CustomerRevenue` — one customer account's monthly recurring revenue (MRR) for one month,
  in the program's currency (the currency of the rules of engagement), with the partner that managed
  the account that month (none: a direct customer). One row per account and month: importing or
  posting the same month again *replaces* the stored figure and managing partner.
* :class:`ProgramCost` — what one quarter cost in one category: the partner program's own costs
  (partner team, MDF, incentives, tools) or the direct-sales cost the program is compared with.
  One row per quarter and category: saving it again replaces the amount.

Both are vendor staff's (row-level security: partner users read no row). The metrics over them are
defined once, in :mod:`attribution.economics.metrics`.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecosystem.tenancy.models import TenantModel


class RevenueSource(models.TextChoices):
    IMPORT = "import", _("CSV import")
    API = "api", _("API")


class CostCategory(models.TextChoices):
    PARTNER_TEAM = "partner_team", _("Partner team")
    MDF = "mdf", _("Market development funds")
    INCENTIVES = "incentives", _("Incentives and rebates")
    TOOLS = "tools", _("Tools")
    DIRECT_SALES = "direct_sales", _("Direct sales")


# The categories that make up the partner program's cost (partner CAC's numerator).
PARTNER_COST_CATEGORIES = (CostCategory.PARTNER_TEAM, CostCategory.MDF, CostCategory.INCENTIVES, CostCategory.TOOLS)


class CustomerRevenue(TenantModel):
    """One account's MRR for one month (``month`` is the first day of that month)."""

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    account = models.ForeignKey("deals.CustomerAccount", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))
    mrr = models.DecimalField(_("MRR"), max_digits=14, decimal_places=2)
    managing_partner = models.ForeignKey(
        "partners.PartnerOrganization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("managing partner"),
        help_text=_("Empty: a direct customer that month."),
    )
    source = models.CharField(_("source"), max_length=8, choices=RevenueSource.choices)
    external_id = models.CharField(_("id in your system"), max_length=120, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-month", "account_id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="customer_revenue_public_id_unique"),
            models.UniqueConstraint(fields=["tenant", "account", "month"], name="customer_revenue_one_per_month"),
            models.CheckConstraint(condition=models.Q(mrr__gte=Decimal(0)), name="customer_revenue_mrr_not_negative"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="customer_revenue_month_first_day"),
        ]
        indexes = [
            models.Index(fields=["tenant", "month"], name="customer_revenue_month"),
            models.Index(fields=["tenant", "managing_partner", "month"], name="customer_revenue_partner"),
        ]
        verbose_name = _("customer revenue")
        verbose_name_plural = _("customer revenue")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.mrr}"


class ProgramCost(TenantModel):
    """What one quarter cost in one category, in the program's currency."""

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    category = models.CharField(_("category"), max_length=20, choices=CostCategory.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=500, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-year", "-quarter", "category"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="program_cost_public_id_unique"),
            models.UniqueConstraint(fields=["tenant", "year", "quarter", "category"], name="program_cost_one_per_period"),
            models.CheckConstraint(condition=models.Q(amount__gte=Decimal(0)), name="program_cost_amount_not_negative"),
            models.CheckConstraint(condition=models.Q(quarter__gte=1, quarter__lte=4), name="program_cost_quarter_valid"),
        ]
        verbose_name = _("program cost")
        verbose_name_plural = _("program costs")

    def __str__(self) -> str:
        return f"{self.year} Q{self.quarter} {self.get_category_display()}"


# --- the weekly program summary email (attribution/economics/summary.py) --------------------------


class WeeklySummarySettings(TenantModel):
    """Whether the program's weekly summary email goes out, and which owners and partner managers skip it.

    One row per tenant, made on first save; no row means the defaults (sent, to every owner and partner
    manager). Vendor staff's (row-level security: partner users read no row).
    """

    enabled = models.BooleanField(_("send the weekly summary"), default=True)
    # users (ids) among the active owners and partner managers who asked not to receive it
    opted_out = ArrayField(models.BigIntegerField(), default=list, blank=True, verbose_name=_("not sent to"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant"], name="weekly_summary_settings_one_per_tenant")]
        verbose_name = _("weekly summary settings")
        verbose_name_plural = _("weekly summary settings")

    def __str__(self) -> str:
        return "on" if self.enabled else "off"


class WeeklySummarySent(TenantModel):
    """The week a summary went out: at most one per tenant and week (the unique constraint makes a second
    run of the same week send nothing)."""

    week_start = models.DateField(_("week of"), help_text=_("The Monday the summary was sent on (it covers the 7 days before)."))
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        ordering = ["-week_start"]
        constraints = [models.UniqueConstraint(fields=["tenant", "week_start"], name="weekly_summary_one_per_week")]
        verbose_name = _("weekly summary sent")
        verbose_name_plural = _("weekly summaries sent")

    def __str__(self) -> str:
        return f"{self.week_start:%Y-%m-%d}"
