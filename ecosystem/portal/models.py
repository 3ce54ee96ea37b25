from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ecosystem.tenancy.models import TenantModel


class DashboardMetrics(TenantModel):
    """The program dashboard's figures as last computed by the background job (one row per tenant)."""

    figures = models.JSONField(_("figures"), default=dict)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant"], name="dashboard_metrics_one_per_tenant")]
        verbose_name = _("dashboard metrics")
        verbose_name_plural = _("dashboard metrics")
