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


class Capability(TenantModel):
    """A capability the vendor tracks partners by (cloud migration, security, a vertical, …)."""

    partner_readable = True

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("key"), max_length=80)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "slug"], name="capability_slug_unique"),
            models.UniqueConstraint(fields=["tenant", "public_id"], name="capability_public_id_unique"),
        ]
        verbose_name = _("capability")
        verbose_name_plural = _("capabilities")

    def __str__(self) -> str:
        return self.name


class PartnerStatusChange(TenantModel):
    """One step of a partner's lifecycle, kept for history and time-to-value figures."""

    partner_field = "partner"

    partner = models.ForeignKey(PartnerOrganization, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=20, choices=PartnerStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=PartnerStatus.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    changed_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    changed_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["tenant", "partner", "changed_at"], name="status_change_partner_time")]


class EngagementKind(models.TextChoices):
    LOGIN = "login", _("Portal login")
    CONTENT_DOWNLOAD = "content_download", _("Content download")
    COURSE_COMPLETED = "course_completed", _("Course completed")
    REGISTRATION_SUBMITTED = "registration_submitted", _("Deal registration submitted")
    ONBOARDING_STEP_COMPLETED = "onboarding_step_completed", _("Onboarding step completed")


class EngagementEvent(TenantModel):
    """A dated thing a partner's people did; scoring and churn prediction learn from these."""

    partner_field = "partner"

    partner = models.ForeignKey(PartnerOrganization, on_delete=models.CASCADE, related_name="engagement_events")
    user = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=40, choices=EngagementKind.choices)
    occurred_at = models.DateTimeField(_("when"))
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "partner", "kind", "-occurred_at"], name="engagement_partner_kind_time"),
            models.Index(fields=["tenant", "-occurred_at"], name="engagement_tenant_time"),
        ]
