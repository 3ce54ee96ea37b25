"""Operational SLAs: what the program promises on each side, and how fast, as tenant configuration.

An SLA names one *measured interaction* (:class:`SlaKind`), a fixed list the code knows how to
measure from timestamps the platform records anyway (``deals.sla.selectors`` says exactly how);
the side that owes the answer follows from the interaction and never changes. Only the target
and the active flag are the program's to set.

The rows are shared program configuration: partner users read them (their portal shows each
SLA's target next to their own figures) and never change them.
"""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecosystem.tenancy.models import TenantModel

MAX_TARGET_HOURS = 720  # 30 days, as the rules of engagement allow for their own deadlines


class SlaKind(models.TextChoices):
    REGISTRATION_DECISION = "registration_decision", _("Vendor decides a deal registration")
    LEAD_ANSWER = "lead_answer", _("Partner accepts or declines an offered lead")
    COSELL_ANSWER = "cosell_answer", _("Partner answers a co-sell invitation")
    EXTENSION_DECISION = "extension_decision", _("Vendor answers a protection extension request")
    APPEAL_DECISION = "appeal_decision", _("Vendor decides an appeal")


class SlaSide(models.TextChoices):
    VENDOR = "vendor", _("Vendor")
    PARTNER = "partner", _("Partner")


# Who owes the answer: fixed by the interaction.
KIND_SIDE = {
    SlaKind.REGISTRATION_DECISION: SlaSide.VENDOR,
    SlaKind.LEAD_ANSWER: SlaSide.PARTNER,
    SlaKind.COSELL_ANSWER: SlaSide.PARTNER,
    SlaKind.EXTENSION_DECISION: SlaSide.VENDOR,
    SlaKind.APPEAL_DECISION: SlaSide.VENDOR,
}

# Targets a program starts with (hours). The two kinds bound to the rules of engagement start
# from the rules instead (see RULE_FIELD).
DEFAULT_TARGET_HOURS = {
    SlaKind.REGISTRATION_DECISION: 48,
    SlaKind.LEAD_ANSWER: 24,
    SlaKind.COSELL_ANSWER: 72,
    SlaKind.EXTENSION_DECISION: 48,
    SlaKind.APPEAL_DECISION: 72,
}

# The rules of engagement already publish two of these deadlines (``approval_sla_hours``, which the
# registration queue shows as "SLA due", and ``lead_response_hours``, after which a lead moves on to
# the next partner). The SLA and the rule are one number: the SLA's target is read from the rule,
# and changing the target changes the rule (deals.sla.services).
RULE_FIELD = {
    SlaKind.REGISTRATION_DECISION: "approval_sla_hours",
    SlaKind.LEAD_ANSWER: "lead_response_hours",
}


class SlaDefinition(TenantModel):
    """One SLA of the program: an interaction, the side that owes it, the target in hours, on or off."""

    partner_readable = True

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    kind = models.CharField(_("interaction"), max_length=30, choices=SlaKind.choices)
    owed_by = models.CharField(_("owed by"), max_length=10, choices=SlaSide.choices, editable=False)
    target_hours = models.PositiveSmallIntegerField(
        _("target (hours)"), validators=[MinValueValidator(1), MaxValueValidator(MAX_TARGET_HOURS)]
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="sla_definition_public_id_unique"),
            models.UniqueConstraint(fields=["tenant", "kind"], name="sla_definition_one_per_kind"),
        ]
        verbose_name = _("SLA")
        verbose_name_plural = _("SLAs")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.target_hours} h)"


class SlaWarning(TenantModel):
    """A warning sent to the owing side that one open item is about to breach its SLA: one per item, ever.

    Staff-only (the platform's own record of what it sent); the row is what makes the beat task
    safe to run twice.
    """

    kind = models.CharField(_("interaction"), max_length=30, choices=SlaKind.choices)
    item_id = models.UUIDField(_("item"))  # the public id of the registration, offer, invitation, extension or appeal
    partner = models.ForeignKey("partners.PartnerOrganization", on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField(_("due"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    recipients = models.PositiveSmallIntegerField(_("people emailed"), default=0)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "kind", "item_id"], name="sla_warning_once_per_item")]
        verbose_name = _("SLA warning")
        verbose_name_plural = _("SLA warnings")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} due {self.due_at:%Y-%m-%d %H:%M}"
