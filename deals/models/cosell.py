"""Co-selling: the partners working one deal together, each in a role."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecosystem.tenancy.models import TenantModel

from .registrations import DealRegistration


class CoSellRole(models.TextChoices):
    SOURCING = "sourcing", _("Sourcing")
    INFLUENCING = "influencing", _("Influencing")
    IMPLEMENTATION = "implementation", _("Implementation")
    REFERRAL = "referral", _("Referral")
    DISTRIBUTION = "distribution", _("Distribution")


class ParticipantStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("On the team")
    DECLINED = "declined", _("Declined")
    REMOVED = "removed", _("Removed")


class DealParticipant(TenantModel):
    """One partner on a registration's team, in a role. The registering partner is on it as *sourcing*.

    ``team_partner_ids`` are the partners whose users may read this row (row-level security): the
    team of the deal, plus the invited partner itself while it decides. Services keep it, together
    with the registration's own ``team_partner_ids``.
    """

    partner_field = "partner"  # the participant; the database policy reads team_partner_ids

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    registration = models.ForeignKey(DealRegistration, on_delete=models.CASCADE, related_name="participants")
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("role"), max_length=20, choices=CoSellRole.choices)
    status = models.CharField(_("status"), max_length=10, choices=ParticipantStatus.choices, default=ParticipantStatus.INVITED)
    team_partner_ids = ArrayField(models.BigIntegerField(), default=list, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    invited_by_partner = models.ForeignKey(
        "partners.PartnerOrganization", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message = models.CharField(_("message"), max_length=500, blank=True)
    invited_at = models.DateTimeField(_("invited"), auto_now_add=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["invited_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="deal_participant_public_id_unique"),
            models.UniqueConstraint(fields=["tenant", "registration", "partner"], name="deal_participant_once"),
        ]
        indexes = [
            models.Index(fields=["tenant", "partner", "status"], name="deal_participant_partner"),
            # the co-sell answer SLA reads the invitations made in a period (deals.sla.selectors)
            models.Index(fields=["tenant", "invited_at"], name="deal_participant_invited_at"),
        ]
