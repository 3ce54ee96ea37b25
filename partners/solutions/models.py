"""A joint solution is one offering several partners deliver together, led by an orchestrator.

Example: an ISV's product, implemented by a systems integrator, run by an MSP and fulfilled by a
distributor. The orchestrator manages the solution: vendor staff, or one partner organisation.

Who reads what (row-level security on ``team_partner_ids``): staff read every solution; a partner
reads the solutions it proposed, orchestrates or has a component in. The catalogue of solutions
in market is program information every partner may browse: services read it for a partner through
``across_partners`` and hand back only the public fields.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecosystem.tenancy.models import TenantModel
from partners.models import Region


class SolutionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Waiting for approval")
    IN_MARKET = "in_market", _("In market")
    RETIRED = "retired", _("Retired")


class OrchestratorKind(models.TextChoices):
    VENDOR = "vendor", _("Vendor")
    PARTNER = "partner", _("Partner")


class ComponentRole(models.TextChoices):
    ISV_PRODUCT = "isv_product", _("ISV product")
    SI_IMPLEMENTATION = "si_implementation", _("SI implementation")
    MSP_MANAGED_SERVICE = "msp_managed_service", _("MSP managed service")
    DISTRIBUTOR_FULFILMENT = "distributor_fulfilment", _("Distributor fulfilment")
    CONSULTING = "consulting", _("Consulting")


class ComponentStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Confirmed")
    DECLINED = "declined", _("Declined")


class JointSolution(TenantModel):
    """One multi-partner offering in the tenant's catalogue."""

    partner_field = "proposed_by"  # the database policy reads team_partner_ids

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=120)
    summary = models.TextField(_("summary"), max_length=4000, blank=True)
    industries = ArrayField(models.CharField(max_length=60), default=list, blank=True, verbose_name=_("target industries"))
    regions = ArrayField(
        models.CharField(max_length=10, choices=Region.choices), default=list, blank=True, verbose_name=_("target regions")
    )
    status = models.CharField(_("status"), max_length=12, choices=SolutionStatus.choices, default=SolutionStatus.DRAFT)
    orchestrator_kind = models.CharField(
        _("orchestrated by"), max_length=10, choices=OrchestratorKind.choices, default=OrchestratorKind.VENDOR
    )
    orchestrator_partner = models.ForeignKey(
        "partners.PartnerOrganization", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    orchestrator_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vendor lead"),
    )
    proposed_by = models.ForeignKey(
        "partners.PartnerOrganization", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    team_partner_ids = ArrayField(models.BigIntegerField(), default=list, editable=False)
    decision_reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    launched_at = models.DateTimeField(_("in market since"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="joint_solution_public_id_unique"),
            models.CheckConstraint(
                condition=models.Q(orchestrator_kind="vendor", orchestrator_partner__isnull=True)
                | models.Q(orchestrator_kind="partner", orchestrator_partner__isnull=False),
                name="joint_solution_orchestrator_consistent",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status"], name="joint_solution_status")]
        verbose_name = _("joint solution")
        verbose_name_plural = _("joint solutions")

    def __str__(self) -> str:
        return self.name


class SolutionComponent(TenantModel):
    """One part of a solution, delivered by one partner in one role. A partner may hold several roles."""

    partner_field = "partner"  # the database policy reads team_partner_ids

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    solution = models.ForeignKey(JointSolution, on_delete=models.CASCADE, related_name="components")
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=30, choices=ComponentRole.choices)
    description = models.CharField(_("what they deliver"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ComponentStatus.choices, default=ComponentStatus.INVITED)
    team_partner_ids = ArrayField(models.BigIntegerField(), default=list, editable=False)
    added_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="solution_component_public_id_unique"),
            models.UniqueConstraint(fields=["tenant", "solution", "partner", "role"], name="solution_component_once"),
        ]
        indexes = [models.Index(fields=["tenant", "partner", "status"], name="solution_component_partner")]
        verbose_name = _("solution component")
        verbose_name_plural = _("solution components")

    def __str__(self) -> str:
        return f"{self.get_role_display()}"
