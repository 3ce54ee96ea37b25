"""The tenant's privacy settings, and the record that a person was erased from the tenant."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecosystem.tenancy.models import TenantModel

RETENTION_DEFAULT_DAYS = 730
RETENTION_MIN_DAYS = 90
RETENTION_MAX_DAYS = 3650


class PrivacySettings(TenantModel):
    """One row per tenant (created on first save); a tenant without a row keeps the defaults."""

    engagement_retention_days = models.PositiveIntegerField(
        _("keep engagement events for (days)"),
        default=RETENTION_DEFAULT_DAYS,
        validators=[MinValueValidator(RETENTION_MIN_DAYS), MaxValueValidator(RETENTION_MAX_DAYS)],
        help_text=_(
            "Older engagement events are deleted every night. Health scores read the last 365 days; "
            "churn training reads up to three years back, so a shorter period gives it less history."
        ),
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="privacy_settings_one_per_tenant"),
            models.CheckConstraint(
                name="privacy_retention_in_range",
                condition=models.Q(engagement_retention_days__gte=RETENTION_MIN_DAYS)
                & models.Q(engagement_retention_days__lte=RETENTION_MAX_DAYS),
            ),
        ]
        verbose_name = _("privacy settings")
        verbose_name_plural = _("privacy settings")


class ErasedPerson(TenantModel):
    """A person this tenant erased: from then on the tenant shows them only as ``label``.

    The user row is global (one person, several programs); while other programs still hold it, it
    keeps the person's name there, and this row is what tells this tenant's pages and exports to
    show the pseudonym instead.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    label = models.CharField(max_length=60)
    erased_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "user"], name="erased_person_once_per_tenant")]
        verbose_name = _("erased person")
        verbose_name_plural = _("erased people")

    def __str__(self) -> str:
        return self.label
