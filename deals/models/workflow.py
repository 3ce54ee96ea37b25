"""After submission: appeals against a decision, and requests to extend a protection period."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecosystem.tenancy.models import TenantModel

from .registrations import DealRegistration


class AppealStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a decision")
    UPHELD = "upheld", _("Decision upheld")
    OVERTURNED = "overturned", _("Decision overturned")


class RegistrationAppeal(TenantModel):
    """A partner's one appeal against the decision on its registration, decided by another manager.

    ``assigned_to`` is a partner manager or owner other than the one who made the decision.
    """

    partner_field = "partner"

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    registration = models.OneToOneField(DealRegistration, on_delete=models.CASCADE, related_name="appeal")
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("reason"), max_length=2000)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("reviewer")
    )
    excluded_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=12, choices=AppealStatus.choices, default=AppealStatus.OPEN)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.CharField(_("decision"), max_length=1000, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "public_id"], name="registration_appeal_public_id_unique")]
        indexes = [models.Index(fields=["tenant", "status", "assigned_to"], name="registration_appeal_queue")]


class ExtensionStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    GRANTED = "granted", _("Granted")
    DECLINED = "declined", _("Declined")


class RegistrationExtension(TenantModel):
    """A partner's request for more protection time on an approved registration, and the answer."""

    partner_field = "partner"

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    registration = models.ForeignKey(DealRegistration, on_delete=models.CASCADE, related_name="extensions")
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("reason"), max_length=2000)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=12, choices=ExtensionStatus.choices, default=ExtensionStatus.REQUESTED)
    days = models.PositiveSmallIntegerField(_("days granted"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.CharField(_("decision"), max_length=1000, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="registration_extension_public_unique"),
            # One request waits at a time.
            models.UniqueConstraint(
                fields=["tenant", "registration"],
                condition=models.Q(status="requested"),
                name="registration_extension_one_open",
            ),
        ]
