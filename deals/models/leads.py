"""Leads the vendor passes to partners, and each offer of a lead with why that partner was chosen."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecosystem.tenancy.models import TenantModel
from partners.models import PartnerType, Region

from .accounts import CustomerAccount
from .registrations import DealRegistration


class LeadStatus(models.TextChoices):
    NEW = "new", _("Not offered yet")
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    CONVERTED = "converted", _("Converted to a registration")
    UNMATCHED = "unmatched", _("No partner left to offer it to")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Lead(TenantModel):
    """A prospect the vendor hands to a partner. The partner it is offered to (``offered_to``) reads it."""

    partner_field = "offered_to"

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    company_name = models.CharField(_("company"), max_length=200)
    domain = models.CharField(_("website domain"), max_length=253, blank=True)
    account = models.ForeignKey(CustomerAccount, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    contact_name = models.CharField(_("contact"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    region = models.CharField(_("region"), max_length=10, choices=Region.choices, blank=True)
    partner_type = models.CharField(_("partner type wanted"), max_length=20, choices=PartnerType.choices, blank=True)
    capabilities = ArrayField(models.SlugField(max_length=80), default=list, blank=True, verbose_name=_("capabilities needed"))
    product_lines = ArrayField(models.SlugField(max_length=80), default=list, blank=True, verbose_name=_("product lines"))
    estimated_value = models.DecimalField(_("estimated value"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=4000)
    # The program's joint solution the lead is for; it carries to the registration when the lead converts.
    joint_solution = models.ForeignKey(
        "solutions.JointSolution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("joint solution"),
    )
    # The MDF campaign that generated the lead (partners/mdf).
    mdf_request = models.ForeignKey(
        "mdf.MdfRequest", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("MDF campaign")
    )
    status = models.CharField(_("status"), max_length=12, choices=LeadStatus.choices, default=LeadStatus.NEW)
    offered_to = models.ForeignKey(
        "partners.PartnerOrganization", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    respond_by = models.DateTimeField(_("answer by"), null=True, blank=True)
    registration = models.ForeignKey(DealRegistration, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "public_id"], name="lead_public_id_unique")]
        indexes = [
            models.Index(fields=["tenant", "status", "-created_at"], name="lead_status"),
            models.Index(fields=["tenant", "offered_to", "status"], name="lead_offered_to"),
            models.Index(fields=["tenant", "respond_by"], condition=models.Q(status="offered"), name="lead_respond_by"),
        ]

    def __str__(self) -> str:
        return self.company_name


class OfferStatus(models.TextChoices):
    OFFERED = "offered", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("No answer in time")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class LeadOffer(TenantModel):
    """One offer of a lead to one partner: when, until when, the answer, and why that partner was chosen."""

    partner_field = "partner"

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="offers")
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.OFFERED)
    offered_at = models.DateTimeField(_("offered"), auto_now_add=True)
    respond_by = models.DateTimeField(_("answer by"))
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=500, blank=True)
    manual = models.BooleanField(_("chosen by a manager"), default=False)
    routing = models.JSONField(_("why this partner"), default=dict, blank=True)
    offered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-offered_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="lead_offer_public_id_unique"),
            # One open offer per lead at a time.
            models.UniqueConstraint(fields=["tenant", "lead"], condition=models.Q(status="offered"), name="lead_offer_one_open"),
        ]
        indexes = [
            models.Index(fields=["tenant", "partner", "status"], name="lead_offer_partner"),
            # the lead-answer SLA reads the offers made in a period (deals.sla.selectors)
            models.Index(fields=["tenant", "offered_at"], name="lead_offer_offered_at"),
        ]


class LeadRoutingDetail(TenantModel):
    """The candidates a routing weighed for one offer (names, tiers, loads, weights): for the vendor only.

    Kept apart from :class:`LeadOffer`, which the offered partner reads, so that no partner's row
    ever names the partners it was weighed against.
    """

    offer = models.OneToOneField(LeadOffer, on_delete=models.CASCADE, related_name="routing_detail")
    candidates = models.JSONField(_("candidates weighed"), default=list)
