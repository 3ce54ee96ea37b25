"""Deal registrations, the rules of engagement that decide them, and the record of every decision.

A registration is *active* while it is pending, waiting for more information, or approved: then
it holds one :class:`RegistrationClaim` per product line, and a partial unique index on the active
claims of (account, product line) is the database's last word on "who was first". A registration
that meets a conflict is stored too, *under review*, holding no claim, with one
:class:`DealConflict` per reason so the manager sees exactly why.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecosystem.tenancy.models import TenantModel

from .accounts import CustomerAccount, DirectOpportunity


class TakeoverPolicy(models.TextChoices):
    NEVER = "never", _("Never: an approved registration is the partner's until it ends")
    AFTER_PROTECTION = "after_protection", _("Only after the protection period ends")
    WITH_CONSENT = "with_consent", _("Only with the partner's consent, recorded by a manager")


class EngagementRules(TenantModel):
    """The program's published rules of engagement. One row per tenant; partners read them in their portal.

    *First* is the submission time of a complete registration: the earliest active registration of
    an account and product line holds it, whoever submits later is *under review*.
    """

    partner_readable = True

    protection_days = models.PositiveSmallIntegerField(
        _("protection period (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
        help_text=_("For partners without a tier; a tier's own deal protection days win."),
    )
    auto_approve_below = models.DecimalField(
        _("auto-approve below"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Registrations with no conflict and a value below this are approved at once. Empty: never."),
    )
    currency = models.CharField(_("program currency"), max_length=3, default="USD")
    approval_sla_hours = models.PositiveSmallIntegerField(
        _("approval within (hours)"), default=48, validators=[MinValueValidator(1), MaxValueValidator(720)]
    )
    expiry_reminder_days = models.PositiveSmallIntegerField(
        _("expiry reminder (days before)"), default=14, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    extension_days = models.PositiveSmallIntegerField(
        _("extension (days)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    direct_takeover = models.CharField(
        _("direct sales takeover"), max_length=20, choices=TakeoverPolicy.choices, default=TakeoverPolicy.NEVER
    )
    name_match_threshold = models.PositiveSmallIntegerField(
        _("name similarity threshold"),
        default=90,
        validators=[MinValueValidator(50), MaxValueValidator(100)],
        help_text=_("0-100: customer names this similar count as the same customer when the domains differ."),
    )
    lead_response_hours = models.PositiveSmallIntegerField(
        _("lead answer within (hours)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
        help_text=_("A lead not accepted or declined within this is offered to the next partner."),
    )
    notes = models.TextField(_("other rules"), blank=True, max_length=4000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant"], name="engagement_rules_one_per_tenant")]
        verbose_name = _("rules of engagement")
        verbose_name_plural = _("rules of engagement")

    def __str__(self) -> str:
        return str(_("Rules of engagement"))


class DealStage(models.TextChoices):
    PROSPECTING = "prospecting", _("Prospecting")
    QUALIFICATION = "qualification", _("Qualification")
    PROPOSAL = "proposal", _("Proposal")
    NEGOTIATION = "negotiation", _("Negotiation")
    CLOSED_WON = "closed_won", _("Closed won")
    CLOSED_LOST = "closed_lost", _("Closed lost")


OPEN_STAGES = (DealStage.PROSPECTING, DealStage.QUALIFICATION, DealStage.PROPOSAL, DealStage.NEGOTIATION)


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    UNDER_REVIEW = "under_review", _("Conflict, under review")
    INFO_REQUESTED = "info_requested", _("More information requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Holding the account and product lines (claims active): the registrations a later one conflicts with.
ACTIVE_STATUSES = (RegistrationStatus.PENDING, RegistrationStatus.INFO_REQUESTED, RegistrationStatus.APPROVED)
# Waiting for a manager.
OPEN_FOR_DECISION = (RegistrationStatus.PENDING, RegistrationStatus.UNDER_REVIEW, RegistrationStatus.INFO_REQUESTED)


class DealRegistration(TenantModel):
    """A partner's claim to a customer opportunity, from submission to won, lost, rejected or expired.

    The partner sees the customer as it typed it (``customer_name``, ``customer_domain``); the
    account it was matched to, and any other partner's registration, stay on the vendor's side.

    ``team_partner_ids`` are the partners whose users may read the row (row-level security): the
    registering partner, and the co-selling partners once they accepted. Services keep it.
    """

    partner_field = "partner"  # the registering partner; the database policy reads team_partner_ids

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.PROTECT, related_name="registrations")
    account = models.ForeignKey(CustomerAccount, on_delete=models.PROTECT, related_name="registrations")
    customer_name = models.CharField(_("customer"), max_length=200)
    customer_domain = models.CharField(_("customer website"), max_length=253)
    contact_name = models.CharField(_("customer contact"), max_length=150)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_title = models.CharField(_("contact title"), max_length=150, blank=True)
    product_lines = ArrayField(models.SlugField(max_length=80), verbose_name=_("product lines"))
    solution = models.CharField(_("solution"), max_length=200, blank=True)  # free text, as the partner calls it
    # The program's joint solution the deal is for (partners/solutions): its partners join the deal's team.
    joint_solution = models.ForeignKey(
        "solutions.JointSolution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("joint solution"),
    )
    # The partner's own MDF campaign the deal came from (partners/mdf): links the spend to pipeline and revenue.
    mdf_request = models.ForeignKey(
        "mdf.MdfRequest", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("MDF campaign")
    )
    value = models.DecimalField(_("estimated value"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    expected_close_date = models.DateField(_("expected close"))
    stage = models.CharField(_("stage"), max_length=20, choices=DealStage.choices, default=DealStage.PROSPECTING)
    notes = models.TextField(_("notes"), blank=True, max_length=4000)
    status = models.CharField(_("status"), max_length=20, choices=RegistrationStatus.choices)
    team_partner_ids = ArrayField(models.BigIntegerField(), default=list, editable=False)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    protected_until = models.DateField(_("protected until"), null=True, blank=True)
    expiry_reminded_at = models.DateTimeField(null=True, blank=True)
    closed_amount = models.DecimalField(_("closed amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="deal_registration_public_id_unique"),
            models.CheckConstraint(name="deal_registration_value_not_negative", condition=models.Q(value__gte=Decimal(0))),
            models.CheckConstraint(name="deal_registration_has_product_lines", condition=~models.Q(product_lines=[])),
        ]
        indexes = [
            models.Index(fields=["tenant", "partner", "-submitted_at"], name="deal_registration_partner"),
            models.Index(fields=["tenant", "status", "submitted_at"], name="deal_registration_queue"),
            # The managers' queue as the API pages it (waiting for a decision, oldest first): read in cursor
            # order and stopped after a page, instead of sorting every waiting registration of the tenant.
            models.Index(
                fields=["tenant", "submitted_at", "id"],
                condition=models.Q(status__in=OPEN_FOR_DECISION),
                name="deal_registration_waiting",
            ),
            models.Index(fields=["tenant", "account"], name="deal_registration_account"),
            models.Index(
                fields=["tenant", "joint_solution"],
                condition=models.Q(joint_solution__isnull=False),
                name="deal_registration_solution",
            ),
            models.Index(
                fields=["tenant", "protected_until"],
                condition=models.Q(status="approved"),
                name="deal_registration_protect",
            ),
        ]
        verbose_name = _("deal registration")
        verbose_name_plural = _("deal registrations")

    def __str__(self) -> str:
        return f"{self.customer_name} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class RegistrationClaim(TenantModel):
    """One product line of one customer account held by an active registration.

    The partial unique index on (tenant, account, product line) over active claims is what makes
    "first" race-proof: of any number of concurrent submissions, one claim row can be active.
    """

    partner_field = "partner"

    registration = models.ForeignKey(DealRegistration, on_delete=models.CASCADE, related_name="claims")
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(CustomerAccount, on_delete=models.CASCADE, related_name="+")
    product_line = models.SlugField(max_length=80)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "account", "product_line"],
                condition=models.Q(is_active=True),
                name="registration_claim_one_active",
            )
        ]
        indexes = [models.Index(fields=["tenant", "registration"], name="registration_claim_reg")]


class ConflictKind(models.TextChoices):
    REGISTERED = "registered", _("Another partner's active registration on the same customer and product line")
    SIMILAR_NAME = "similar_name", _("An active registration on a customer with a very similar name")
    DIRECT = "direct", _("An open direct-sales opportunity on the customer")
    DUPLICATE = "duplicate", _("Your own active registration on the same customer and product line")


class DealConflict(TenantModel):
    """Why a registration is under review: one row per reason, with the score that decided it.

    Owned by the registration's partner (it may see that a conflict exists and which rule applies),
    but ``other_registration`` and ``direct_opportunity`` point at rows the partner's scope cannot
    read, and nothing shown to the partner names them.
    """

    partner_field = "partner"

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    registration = models.ForeignKey(DealRegistration, on_delete=models.CASCADE, related_name="conflicts")
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("reason"), max_length=20, choices=ConflictKind.choices)
    score = models.PositiveSmallIntegerField(
        _("match score"), help_text=_("100 for the same domain; the name similarity otherwise.")
    )
    other_registration = models.ForeignKey(DealRegistration, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    direct_opportunity = models.ForeignKey(DirectOpportunity, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    other_submitted_at = models.DateTimeField(_("the other was submitted"), null=True, blank=True)
    product_lines = ArrayField(models.SlugField(max_length=80), default=list, verbose_name=_("overlapping product lines"))
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "public_id"], name="deal_conflict_public_id_unique")]
        indexes = [models.Index(fields=["tenant", "registration"], name="deal_conflict_registration")]


class DecisionAction(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    AUTO_APPROVED = "auto_approved", _("Approved automatically")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    INFO_REQUESTED = "info_requested", _("More information requested")
    INFO_PROVIDED = "info_provided", _("Information provided")
    EXPIRED = "expired", _("Expired")
    EXTENDED = "extended", _("Protection extended")
    STAGE = "stage", _("Stage changed")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    RELEASED = "released", _("Released when the partner retired")


class RegistrationDecision(TenantModel):
    """One step of a registration's history, citing the rule that made it (``rule``, a stable code).

    The partner reads its own registrations' decisions: ``reason`` is written for it, and never
    names another partner.
    """

    partner_field = "partner"

    registration = models.ForeignKey(DealRegistration, on_delete=models.CASCADE, related_name="decisions")
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.CASCADE, related_name="+")
    action = models.CharField(_("what happened"), max_length=20, choices=DecisionAction.choices)
    rule = models.CharField(_("rule"), max_length=60, blank=True)
    reason = models.CharField(_("reason"), max_length=1000, blank=True)
    from_status = models.CharField(max_length=20, choices=RegistrationStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=RegistrationStatus.choices, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["decided_at", "id"]
        indexes = [models.Index(fields=["tenant", "registration", "decided_at"], name="registration_decision_hist")]
