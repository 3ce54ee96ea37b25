from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecosystem.tenancy.models import TenantModel


class AuditEntry(TenantModel):
    """One row per change, written by the service that made it, in the same transaction.

    Append-only: a database trigger rejects UPDATE and DELETE for every role, so neither the
    application nor an operator in Django admin can rewrite history.
    """

    partner_field = "partner"

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)
    partner = models.ForeignKey(
        "partners.PartnerOrganization",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The partner organisation whose user made the change, when a partner user made it."),
    )
    action = models.CharField(_("action"), max_length=80)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    via = models.CharField(_("via"), max_length=20, default="system")
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "-created_at", "-id"], name="audit_tenant_created_id"),
            models.Index(fields=["tenant", "object_type", "object_id"], name="audit_tenant_object"),
        ]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.action} {self.object_repr}"


class PlatformAuditEntry(models.Model):
    """Operator changes to platform-wide records (people, tenants' settings) made in Django admin."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("platform audit entry")
        verbose_name_plural = _("platform audit entries")

    def __str__(self) -> str:
        return f"{self.action} {self.object_repr}"
