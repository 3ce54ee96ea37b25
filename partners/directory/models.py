"""The partner directory and partner-to-partner collaboration requests.

Who reads what (row-level security):

* :class:`DirectoryProfile` is the partner's own (``partner_field``): its users read and edit it,
  staff read all. A *published* profile is program information the tenant's other partners may
  browse: :mod:`partners.directory.selectors` reads it for them through ``across_partners`` and
  hands back only the public fields. Unpublished, it is invisible to every other partner.
* :class:`CollaborationRequest` is read by the two partners on it (``team_partner_ids`` = sender,
  receiver) and by staff.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecosystem.tenancy.models import TenantModel
from partners.models import Region
from partners.solutions.models import ComponentRole


class DirectoryProfile(TenantModel):
    """One partner's entry in the program's directory: opt-in, off until the partner publishes it."""

    partner_field = "partner"

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    partner = models.OneToOneField("partners.PartnerOrganization", on_delete=models.CASCADE, related_name="directory_profile")
    is_published = models.BooleanField(
        _("published"), default=False, help_text=_("Published profiles are visible to the program's other partners.")
    )
    headline = models.CharField(_("headline"), max_length=160, blank=True)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    capabilities = ArrayField(models.SlugField(max_length=80), default=list, blank=True, verbose_name=_("capabilities"))
    regions = ArrayField(
        models.CharField(max_length=10, choices=Region.choices), default=list, blank=True, verbose_name=_("regions")
    )
    industries = ArrayField(models.CharField(max_length=60), default=list, blank=True, verbose_name=_("industries"))
    contact_email = models.EmailField(_("contact email"), blank=True)
    show_certifications = models.BooleanField(
        _("show certifications"), default=True, help_text=_("Show how many of your people hold each valid certification.")
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["partner__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="directory_profile_public_id_unique"),
            models.UniqueConstraint(fields=["tenant", "partner"], name="directory_profile_one_per_partner"),
        ]
        indexes = [
            models.Index(fields=["tenant", "is_published"], name="directory_profile_published"),
        ]
        verbose_name = _("directory profile")
        verbose_name_plural = _("directory profiles")

    def __str__(self) -> str:
        return self.headline or str(_("Directory profile"))


class CollaborationSubject(models.TextChoices):
    DEAL = "deal", _("A deal")
    SOLUTION = "solution", _("A joint solution")
    INITIATIVE = "initiative", _("A business-plan initiative")
    ACCOUNT_MAPPING = "account_mapping", _("An account-mapping overlap")
    GENERAL = "general", _("General")


class CollaborationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CollaborationRequest(TenantModel):
    """One partner asks another partner of the program to work together on something.

    ``subject_label`` is what the sender chose to share about the subject when it asked (a deal's
    customer, a solution's or an initiative's name): the receiver reads that, never the sender's
    registration or plan itself. ``team_partner_ids`` is always [sender, receiver].
    """

    partner_field = "from_partner"  # the database policy reads team_partner_ids

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    from_partner = models.ForeignKey(
        "partners.PartnerOrganization", on_delete=models.CASCADE, related_name="+", verbose_name=_("from")
    )
    to_partner = models.ForeignKey(
        "partners.PartnerOrganization", on_delete=models.CASCADE, related_name="+", verbose_name=_("to")
    )
    subject_kind = models.CharField(_("about"), max_length=20, choices=CollaborationSubject.choices)
    registration = models.ForeignKey("deals.DealRegistration", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    solution = models.ForeignKey("solutions.JointSolution", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    initiative = models.ForeignKey("plans.PlanInitiative", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    subject_label = models.CharField(_("subject"), max_length=300, blank=True)
    cosell_role = models.CharField(
        _("co-sell role"), max_length=20, blank=True, help_text=_("For a deal: the role the other partner takes on the team.")
    )
    component_role = models.CharField(
        _("solution role"),
        max_length=30,
        blank=True,
        choices=ComponentRole.choices,
        help_text=_("For a joint solution: the component role the other partner takes (ISV product, SI implementation…)."),
    )
    message = models.TextField(_("message"), max_length=2000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CollaborationStatus.choices, default=CollaborationStatus.PENDING
    )
    response_note = models.CharField(_("answer"), max_length=500, blank=True)
    deal_participant = models.ForeignKey(
        "deals.DealParticipant", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    solution_component = models.ForeignKey(
        "solutions.SolutionComponent", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    team_partner_ids = ArrayField(models.BigIntegerField(), default=list, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    requested_at = models.DateTimeField(_("sent"), auto_now_add=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="collaboration_public_id_unique"),
            models.CheckConstraint(condition=~models.Q(from_partner=models.F("to_partner")), name="collaboration_not_to_itself"),
            # One open request per pair and subject: asking twice is a conflict, not a second row.
            models.UniqueConstraint(
                fields=["tenant", "from_partner", "to_partner", "subject_kind", "registration", "solution", "initiative"],
                condition=models.Q(status="pending"),
                nulls_distinct=False,
                name="collaboration_one_pending",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "from_partner", "-requested_at"], name="collaboration_outbox"),
            models.Index(fields=["tenant", "to_partner", "-requested_at"], name="collaboration_inbox"),
            models.Index(fields=["tenant", "-requested_at", "-id"], name="collaboration_tenant_time"),
        ]
        verbose_name = _("collaboration request")
        verbose_name_plural = _("collaboration requests")

    def __str__(self) -> str:
        return (
            f"{self.get_subject_kind_display()}: {self.subject_label}" if self.subject_label else self.get_subject_kind_display()
        )
