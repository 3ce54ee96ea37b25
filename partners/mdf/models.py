"""Market development funds: a quarter's budget, its allocations, partners' requests, claims and their evidence.

The money rules (the services own them, :mod:`partners.mdf.services`):

* **Budget.** One per quarter, in the program's currency (the rules of engagement name it). It is
  the hard limit: the approved amounts of its requests never add up to more than the budget.
* **Available funds of a partner** in a quarter: its own allocation when it has one; otherwise its
  tier's allocation, which is an amount *per partner* of that tier; otherwise nothing. Allocations
  are ceilings per partner; together they may add up to more than the budget (the budget still
  decides, first approved first served).
* **Remaining** for a partner: its available funds minus the approved amounts of its other funded
  requests of that quarter. A request is approved for at most the smaller of the partner's and the
  budget's remaining, with the budget row locked.
* **Spend** is what approved claims pay out (payable or paid), never the request's planned spend.

Who reads what (row-level security): budgets and allocations are staff-only (the services read a
partner's own figures for it); requests, claims and evidence are partner-owned.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecosystem.tenancy.models import TenantModel


class MdfBudget(TenantModel):
    """The program's MDF budget for one quarter."""

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    amount = models.DecimalField(_("budget"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="mdf_budget_public_id_unique"),
            models.UniqueConstraint(fields=["tenant", "year", "quarter"], name="mdf_budget_one_per_quarter"),
            models.CheckConstraint(condition=models.Q(quarter__gte=1, quarter__lte=4), name="mdf_budget_quarter_1_to_4"),
            models.CheckConstraint(condition=models.Q(amount__gte=Decimal(0)), name="mdf_budget_amount_not_negative"),
        ]
        verbose_name = _("MDF budget")
        verbose_name_plural = _("MDF budgets")

    def __str__(self) -> str:
        return self.period

    @property
    def period(self) -> str:
        return f"Q{self.quarter} {self.year}"


class MdfAllocation(TenantModel):
    """A ceiling of a budget for one partner, or for each partner of one tier."""

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    budget = models.ForeignKey(MdfBudget, on_delete=models.CASCADE, related_name="allocations")
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    tier = models.ForeignKey("partners.Tier", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="mdf_allocation_public_id_unique"),
            models.UniqueConstraint(
                fields=["tenant", "budget", "partner"],
                condition=models.Q(partner__isnull=False),
                name="mdf_allocation_partner_once",
            ),
            models.UniqueConstraint(
                fields=["tenant", "budget", "tier"], condition=models.Q(tier__isnull=False), name="mdf_allocation_tier_once"
            ),
            models.CheckConstraint(
                condition=models.Q(partner__isnull=False, tier__isnull=True) | models.Q(partner__isnull=True, tier__isnull=False),
                name="mdf_allocation_partner_or_tier",
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=Decimal(0)), name="mdf_allocation_amount_not_negative"),
        ]
        verbose_name = _("MDF allocation")
        verbose_name_plural = _("MDF allocations")

    def __str__(self) -> str:
        return f"{self.amount}"


class ActivityType(models.TextChoices):
    EVENT = "event", _("Event or trade show")
    WEBINAR = "webinar", _("Webinar")
    DIGITAL = "digital", _("Digital advertising")
    EMAIL = "email", _("Email campaign")
    CONTENT = "content", _("Content and collateral")
    TRAINING = "training", _("Customer training")
    OTHER = "other", _("Other")


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for a decision")
    APPROVED = "approved", _("Approved")
    PARTIALLY_APPROVED = "partially_approved", _("Partially approved")
    REJECTED = "rejected", _("Rejected")
    COMPLETED = "completed", _("Completed")


# Requests holding funds: their approved amounts count against the budget and the partner's allocation.
FUNDED_STATUSES = (RequestStatus.APPROVED, RequestStatus.PARTIALLY_APPROVED, RequestStatus.COMPLETED)


class MdfRequest(TenantModel):
    """A partner's request for funds for one campaign. Once approved it is a *campaign* deals can be tagged with."""

    partner_field = "partner"

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.PROTECT, related_name="+")
    budget = models.ForeignKey(MdfBudget, on_delete=models.PROTECT, related_name="requests")
    activity_type = models.CharField(_("activity"), max_length=20, choices=ActivityType.choices)
    title = models.CharField(_("campaign"), max_length=150)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    planned_spend = models.DecimalField(_("planned spend"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    expected_leads = models.PositiveIntegerField(_("expected leads"), default=0)
    expected_pipeline = models.DecimalField(_("expected pipeline"), max_digits=14, decimal_places=2, default=Decimal(0))
    start_date = models.DateField(_("starts"))
    end_date = models.DateField(_("ends"))
    status = models.CharField(_("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED)
    approved_amount = models.DecimalField(_("approved amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=1000, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="mdf_request_public_id_unique"),
            models.CheckConstraint(condition=models.Q(planned_spend__gt=Decimal(0)), name="mdf_request_spend_positive"),
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")), name="mdf_request_dates_ordered"),
            models.CheckConstraint(
                condition=models.Q(approved_amount__isnull=True) | models.Q(approved_amount__gt=Decimal(0)),
                name="mdf_request_approved_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "partner", "-submitted_at"], name="mdf_request_partner"),
            models.Index(fields=["tenant", "budget", "status"], name="mdf_request_budget"),
            models.Index(fields=["tenant", "status", "submitted_at"], name="mdf_request_queue"),
        ]
        verbose_name = _("MDF request")
        verbose_name_plural = _("MDF requests")

    def __str__(self) -> str:
        return self.title

    @property
    def is_funded(self) -> bool:
        return self.status in FUNDED_STATUSES


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for review")
    APPROVED = "approved", _("Approved, payable")
    REJECTED = "rejected", _("Rejected")
    PAID = "paid", _("Paid")


# Claims that spend the campaign's money (the "spend" of ROPI).
SPENT_STATUSES = (ClaimStatus.APPROVED, ClaimStatus.PAID)
# At most one claim per request in these (a rejected claim may be filed again).
OPEN_CLAIM_STATUSES = (ClaimStatus.SUBMITTED, ClaimStatus.APPROVED, ClaimStatus.PAID)


class MdfClaim(TenantModel):
    """The partner's proof of performance after a campaign, and what the program pays for it."""

    partner_field = "partner"

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(MdfRequest, on_delete=models.PROTECT, related_name="claims")
    claimed_amount = models.DecimalField(_("claimed amount"), max_digits=14, decimal_places=2)
    leads_generated = models.PositiveIntegerField(_("leads generated"), default=0)
    attendees = models.PositiveIntegerField(_("attendees"), default=0)
    notes = models.TextField(_("notes"), max_length=4000, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED)
    approved_amount = models.DecimalField(_("approved amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=1000, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="mdf_claim_public_id_unique"),
            models.UniqueConstraint(
                fields=["tenant", "request"],
                condition=models.Q(status__in=["submitted", "approved", "paid"]),
                name="mdf_claim_one_open_per_request",
            ),
            models.CheckConstraint(condition=models.Q(claimed_amount__gt=Decimal(0)), name="mdf_claim_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "submitted_at"], name="mdf_claim_queue"),
            models.Index(fields=["tenant", "request", "status"], name="mdf_claim_request"),
            models.Index(fields=["tenant", "partner", "status"], name="mdf_claim_partner"),
        ]
        verbose_name = _("MDF claim")
        verbose_name_plural = _("MDF claims")

    def __str__(self) -> str:
        return f"{self.claimed_amount}"


def evidence_upload_to(instance: MdfEvidence, filename: str) -> str:
    # A prefix of its own: the orphan sweep of onboarding's "evidence/" would not know these rows.
    return f"mdf-evidence/{instance.tenant_id}/{instance.partner_id}/{uuid.uuid4().hex}"


class MdfEvidence(TenantModel):
    """An invoice or proof of performance attached to a claim. Never at a public address: sent back as an attachment."""

    partner_field = "partner"

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.PROTECT, related_name="+")
    claim = models.ForeignKey(MdfClaim, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_upload_to, max_length=300)
    original_filename = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "public_id"], name="mdf_evidence_public_id_unique")]
        indexes = [models.Index(fields=["tenant", "claim"], name="mdf_evidence_claim")]
        verbose_name = _("MDF evidence")
        verbose_name_plural = _("MDF evidence")

    def __str__(self) -> str:
        return self.original_filename
