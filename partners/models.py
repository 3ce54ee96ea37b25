from __future__ import annotations

import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
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


class Region(models.TextChoices):
    NORTH_AMERICA = "na", _("North America")
    LATIN_AMERICA = "latam", _("Latin America")
    EMEA = "emea", _("Europe, Middle East and Africa")
    APAC = "apac", _("Asia Pacific")


class PartnerStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ONBOARDING = "onboarding", _("Onboarding")
    ACTIVE = "active", _("Active")
    AT_RISK = "at_risk", _("At risk")
    RETIRED = "retired", _("Retired")


LOGO_EXTENSIONS = ("png", "jpg")
LOGO_MAX_BYTES = 1024 * 1024  # 1 MiB


def logo_upload_to(instance: PartnerOrganization, filename: str) -> str:
    """``logos/<tenant id>/<random>.<ext>``: not guessable; served only by the portal to people who may see the partner."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"logos/{instance.tenant_id}/{uuid.uuid4().hex}.{extension}"


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
    tier = models.ForeignKey("partners.Tier", on_delete=models.SET_NULL, null=True, blank=True, related_name="partners")
    description = models.TextField(_("description"), blank=True, max_length=2000)
    regions = ArrayField(
        models.CharField(max_length=10, choices=Region.choices), default=list, blank=True, verbose_name=_("regions")
    )
    capabilities = ArrayField(models.SlugField(max_length=80), default=list, blank=True, verbose_name=_("capabilities"))
    logo = models.FileField(_("logo"), upload_to=logo_upload_to, max_length=255, blank=True)
    tier_override_until = models.DateField(
        _("tier held until"),
        null=True,
        blank=True,
        help_text=_("A manager's override: the nightly evaluation leaves the tier alone until then."),
    )
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

    @property
    def tier_override_active(self) -> bool:
        """A manager's override holds the tier today (it holds through its last day, as the evaluation reads it)."""
        return self.tier_override_until is not None and self.tier_override_until >= timezone.localdate()


class ContactRole(models.TextChoices):
    PRIMARY = "primary", _("Primary contact")
    SALES = "sales", _("Sales")
    TECHNICAL = "technical", _("Technical")
    MARKETING = "marketing", _("Marketing")
    BILLING = "billing", _("Billing")
    OTHER = "other", _("Other")


class PartnerContact(TenantModel):
    """A person at a partner organisation the vendor's staff deal with (not necessarily a portal user).

    One contact per email address per partner, whatever its case (the unique index decides).
    """

    partner_field = "partner"

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(PartnerOrganization, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), max_length=254)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=ContactRole.choices, default=ContactRole.OTHER)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="partner_contact_public_id_unique"),
            models.UniqueConstraint("tenant", "partner", Lower("email"), name="partner_contact_email_unique_per_partner"),
        ]
        indexes = [
            models.Index(fields=["tenant", "partner", "name"], name="partner_contact_partner_name"),
            models.Index(fields=["tenant", "-created_at", "-id"], name="partner_contact_tenant_created"),
        ]
        verbose_name = _("partner contact")
        verbose_name_plural = _("partner contacts")

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


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
    MDF_REQUEST_SUBMITTED = "mdf_request_submitted", _("MDF request submitted")
    MDF_CLAIM_SUBMITTED = "mdf_claim_submitted", _("MDF claim submitted")


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


# --- content library ----------------------------------------------------------------------------

CONTENT_FILE_EXTENSIONS = ("pdf", "pptx", "docx", "xlsx", "png", "jpg", "zip")
CONTENT_MAX_BYTES = 25 * 1024 * 1024  # 25 MiB


class ContentKind(models.TextChoices):
    FILE = "file", _("File")
    LINK = "link", _("Link")


def content_upload_to(instance: ContentItem, filename: str) -> str:
    """``content/<tenant id>/<random>.<ext>``: the name people gave the file is kept in a column, never on disk.

    The path is not guessable and there is no MEDIA_URL route: files leave only through the
    partner portal's download view, which checks the sales-access gate and the item's visibility.
    """
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"content/{instance.tenant_id}/{uuid.uuid4().hex}.{extension}"


class ContentItem(TenantModel):
    """A piece of sales material (a file or a link) in the tenant's content library.

    Visible to partner users whose organisation's type is in ``partner_types`` (empty: every
    type) and whose tier ranks at least ``min_tier`` (empty: every partner, with or without a
    tier), once published and once their sales access is open (``partners.content``).

    Program configuration that partner users read and never change: ``partner_readable``.
    """

    partner_readable = True

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=ContentKind.choices)
    url = models.URLField(_("link"), max_length=500, blank=True, help_text=_("For links: an https:// address."))
    file = models.FileField(_("file"), upload_to=content_upload_to, max_length=255, blank=True)
    original_filename = models.CharField(_("file name"), max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size"), default=0)
    partner_types = ArrayField(
        models.CharField(max_length=20, choices=PartnerType.choices),
        verbose_name=_("partner types"),
        default=list,
        blank=True,
        help_text=_("Empty: every partner type."),
    )
    min_tier = models.ForeignKey(
        "partners.Tier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lowest tier"),
        help_text=_("Only partners at this tier or above see it. Empty: every partner."),
    )
    is_published = models.BooleanField(_("published"), default=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="content_item_public_id_unique"),
            # The last word on what a row may hold, whatever wrote it: a stored file, or an https link.
            models.CheckConstraint(
                name="content_item_file_or_https_link",
                condition=(models.Q(kind="file", url="") & ~models.Q(file=""))
                | models.Q(kind="link", file="", url__startswith="https://"),
            ),
        ]
        indexes = [models.Index(fields=["tenant", "-created_at", "-id"], name="content_item_tenant_created")]
        verbose_name = _("content item")
        verbose_name_plural = _("content items")

    def __str__(self) -> str:
        return self.title

    def is_visible_to(self, partner_type: str, *, tier_rank: int | None) -> bool:
        """Published, for this partner type, and at or below the partner's tier (``None``: no tier)."""
        if not self.is_published or (self.partner_types and partner_type not in self.partner_types):
            return False
        if self.min_tier_id is None:
            return True
        return tier_rank is not None and self.min_tier.rank <= tier_rank


class TierMetric(models.TextChoices):
    CERTIFIED_PEOPLE = "certified_people", _("Certified people")
    CLOSED_WON_REVENUE_12M = "closed_won_revenue_12m", _("Closed-won revenue, last 12 months")
    ACTIVE_REGISTRATIONS = "active_registrations", _("Active deal registrations")
    HEALTH_SCORE = "health_score", _("Health score")


class Tier(TenantModel):
    """A level of the program (Registered, Silver, Gold, …) with its benefits. Higher ``rank`` is better."""

    partner_readable = True

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=60)
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("0 is the entry tier; higher is better."))
    discount_percent = models.DecimalField(_("discount %"), max_digits=5, decimal_places=2, default=0)
    mdf_eligible = models.BooleanField(_("MDF eligible"), default=False)
    deal_protection_days = models.PositiveSmallIntegerField(_("deal protection (days)"), default=90)
    other_benefits = models.CharField(_("other benefits"), max_length=300, blank=True)

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "rank"], name="tier_rank_unique"),
            models.UniqueConstraint(fields=["tenant", "public_id"], name="tier_public_id_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class TierRule(TenantModel):
    """A tier needs every one of its rules: ``metric`` at least ``minimum``."""

    partner_readable = True

    tier = models.ForeignKey(Tier, on_delete=models.CASCADE, related_name="rules")
    metric = models.CharField(_("measure"), max_length=30, choices=TierMetric.choices)
    minimum = models.DecimalField(_("at least"), max_digits=14, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "tier", "metric"], name="tier_rule_one_per_metric")]


class TierPolicy(TenantModel):
    """How the nightly evaluation acts: apply changes itself or propose them; how long before a downgrade."""

    auto_apply = models.BooleanField(_("apply changes automatically"), default=False)
    downgrade_grace_days = models.PositiveSmallIntegerField(_("grace period before a downgrade (days)"), default=60)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant"], name="tier_policy_one_per_tenant")]


class TierProposalStatus(models.TextChoices):
    NONE = "none", _("No change")
    PROPOSED = "proposed", _("Waiting for approval")
    APPLIED = "applied", _("Applied")
    IN_GRACE = "grace", _("Below the tier, in the grace period")
    OVERRIDDEN = "overridden", _("Held by a manager's override")
    DECLINED = "declined", _("Declined by a manager")


class TierEvaluation(TenantModel):
    """The latest computed eligibility of one partner, kept apart from the tier it actually has."""

    partner_field = "partner"

    partner = models.OneToOneField(PartnerOrganization, on_delete=models.CASCADE, related_name="tier_evaluation")
    eligible_tier = models.ForeignKey(Tier, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    facts = models.JSONField(_("figures"), default=dict)
    status = models.CharField(_("proposal"), max_length=12, choices=TierProposalStatus.choices, default=TierProposalStatus.NONE)
    below_since = models.DateField(_("below its tier since"), null=True, blank=True)
    evaluated_at = models.DateTimeField(_("evaluated"))

    class Meta:
        indexes = [models.Index(fields=["tenant", "status"], name="tier_evaluation_status")]


class TierChangeKind(models.TextChoices):
    AUTOMATIC = "automatic", _("Applied by the nightly evaluation")
    APPROVED = "approved", _("Proposed and approved")
    OVERRIDE = "override", _("Manager override")
    IMPORTED = "imported", _("Set by a partner import")


class TierChange(TenantModel):
    """One change of a partner's tier, with the rule and the figures that caused it."""

    partner_field = "partner"

    partner = models.ForeignKey(PartnerOrganization, on_delete=models.CASCADE, related_name="tier_changes")
    from_tier = models.ForeignKey(Tier, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    to_tier = models.ForeignKey(Tier, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(_("how"), max_length=10, choices=TierChangeKind.choices)
    reason = models.CharField(_("why"), max_length=500)
    facts = models.JSONField(_("figures"), default=dict, blank=True)
    changed_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    changed_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["tenant", "partner", "-changed_at"], name="tier_change_partner_time")]
