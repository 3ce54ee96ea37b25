from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from ecosystem.tenancy.models import TenantModel
from partners.models import PartnerType, Region


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Not accepted")


class DealVolume(models.TextChoices):
    UNDER_10 = "under_10", _("Fewer than 10 deals a year")
    FROM_10_TO_50 = "10_50", _("10 to 50 deals a year")
    FROM_50_TO_200 = "50_200", _("50 to 200 deals a year")
    OVER_200 = "over_200", _("More than 200 deals a year")


class PartnerApplication(TenantModel):
    """A company applying to join the vendor's program through the public application page.

    One open application per website domain: a second submission for the same domain updates
    the open one (and says so) instead of creating a duplicate.
    """

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    company_name = models.CharField(_("company"), max_length=200)
    website_domain = models.CharField(_("website domain"), max_length=253)
    partner_type = models.CharField(_("partner type"), max_length=20, choices=PartnerType.choices)
    capabilities = ArrayField(models.SlugField(max_length=80), default=list, blank=True, verbose_name=_("capabilities"))
    regions = ArrayField(
        models.CharField(max_length=10, choices=Region.choices), default=list, blank=True, verbose_name=_("regions")
    )
    country = CountryField(_("headquarters country"), blank=True)
    expected_deal_volume = models.CharField(_("expected deal volume"), max_length=10, choices=DealVolume.choices)
    contact_name = models.CharField(_("contact name"), max_length=150)
    contact_email = models.EmailField(_("contact email"))
    message = models.TextField(_("message"), blank=True, max_length=2000)
    status = models.CharField(_("status"), max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED)
    status_token_hash = models.CharField(max_length=64)
    submissions = models.PositiveIntegerField(_("submissions"), default=1)
    fit_score = models.FloatField(_("partner fit"), null=True, blank=True, help_text=_("Filled in by partner-fit scoring."))
    decision_reason = models.CharField(_("reason"), max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    partner = models.ForeignKey(
        "partners.PartnerOrganization", on_delete=models.SET_NULL, null=True, blank=True, related_name="applications"
    )
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="application_public_id_unique"),
            models.UniqueConstraint(fields=["tenant", "status_token_hash"], name="application_token_unique"),
            models.UniqueConstraint(
                fields=["tenant", "website_domain"],
                condition=models.Q(status="submitted"),
                name="application_one_open_per_domain",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status", "-submitted_at"], name="application_queue")]
        verbose_name = _("partner application")
        verbose_name_plural = _("partner applications")

    def __str__(self) -> str:
        return f"{self.company_name} ({self.website_domain})"
