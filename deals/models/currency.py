"""The program's currency rate table: what one unit of a deal's currency is worth in the program currency.

Attribution converts a deal's amount at the rate in force on its close date (never today's rate):
see :mod:`deals.currency` for the exact rule and the vectorised converter.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecosystem.tenancy.models import TenantModel

CURRENCY_CODE = RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO 4217 code such as EUR."), code="invalid_currency")


class CurrencyRate(TenantModel):
    """1 unit of ``currency`` = ``rate`` units of the program currency, from ``valid_from`` until the
    next row of that currency (the program currency is ``EngagementRules.currency``; it has no rows).

    Staff-only: partner users never read the table (row-level security without a partner policy).
    """

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    currency = models.CharField(_("currency"), max_length=3, validators=[CURRENCY_CODE])
    valid_from = models.DateField(_("valid from"))
    rate = models.DecimalField(
        _("rate"),
        max_digits=18,
        decimal_places=8,
        help_text=_("How many units of the program currency one unit of this currency is worth."),
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="currency_rate_public_id_unique"),
            models.UniqueConstraint(fields=["tenant", "currency", "valid_from"], name="currency_rate_one_per_day"),
            models.CheckConstraint(name="currency_rate_positive", condition=models.Q(rate__gt=Decimal(0))),
            models.CheckConstraint(name="currency_rate_code", condition=models.Q(currency__regex=r"^[A-Z]{3}$")),
        ]
        verbose_name = _("currency rate")
        verbose_name_plural = _("currency rates")

    def __str__(self) -> str:
        return f"{self.currency} {self.valid_from}: {self.rate_text}"

    @property
    def rate_text(self) -> str:
        """The rate without trailing zeros and never in exponent form: ``1.0825``, ``150``."""
        return rate_text(self.rate)


def rate_text(rate: Decimal) -> str:
    return format(Decimal(rate).normalize(), "f")
