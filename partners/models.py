from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from ecosystem.tenancy.models import TenantModel


class PartnerType(models.TextChoices):
    RESELLER = "reseller", _("Reseller")
    MSP = "msp", _("Managed service provider")
    ISV = "isv", _("Independent software vendor")
    SI = "si", _("System integrator")
    GSI = "gsi", _("Global system integrator")
    DISTRIBUTOR = "distributor", _("Distributor")
    REFERRAL = "referral", _("Referral partner")
    INFLUENCER = "influencer", _("Influence partner")


class PartnerStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ONBOARDING = "onboarding", _("Onboarding")
    ACTIVE = "active", _("Active")
    AT_RISK = "at_risk", _("At risk")
    RETIRED = "retired", _("Retired")


class PartnerOrganization(TenantModel):
    """A company in the vendor's partner program. Each tenant keeps its own record of each partner."""

    partner_field = "id"  # a partner user sees exactly their own organisation

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200)
    partner_type = models.CharField(_("type"), max_length=20, choices=PartnerType.choices)
    website_domain = models.CharField(
        _("website domain"), max_length=253, blank=True, help_text=_("For example acme.example; used to spot duplicates.")
    )
    country = CountryField(_("country"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=PartnerStatus.choices, default=PartnerStatus.PROSPECT)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="partner_public_id_unique"),
            models.UniqueConstraint(
                fields=["tenant", "website_domain"],
                condition=~models.Q(website_domain=""),
                name="partner_domain_unique_per_tenant",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "partner_type"], name="partner_tenant_status_type"),
            models.Index(fields=["tenant", "-created_at", "-id"], name="partner_tenant_created_id"),
            models.Index(fields=["tenant", "name"], name="partner_tenant_name"),
        ]
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")

    def __str__(self) -> str:
        return self.name
