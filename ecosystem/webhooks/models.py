"""Webhook endpoints, the event outbox and one delivery per (event, endpoint).

* **Endpoint.** A URL of the tenant's that subscribes to some :data:`EVENT_TYPES`. Its ``secret`` signs
  every request (HMAC-SHA256, :mod:`ecosystem.outbound.signatures`); it is stored because signing needs
  it, encrypted (:mod:`ecosystem.encrypted`). After a rotation the ``previous_secret`` also signs, in
  ``X-PRM-Signature-Previous``, for :data:`ROTATION_GRACE` after ``rotated_at``.
* **Event (the outbox).** Written in the business transaction that caused it, so a rolled-back change
  leaves no event and a committed one is never lost. ``public_id`` is the event id receivers deduplicate on.
* **Delivery.** The state of one event at one endpoint: ``pending`` → ``delivered``, or
  ``retrying`` (backoff) → … → ``dead`` after :data:`MAX_ATTEMPTS` failed attempts.

All three are staff-only (row-level security): partner users never read them; services that emit from a
partner user's action write them inside ``across_partners``.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecosystem.encrypted import EncryptedTextField
from ecosystem.tenancy.models import TenantModel

MAX_ATTEMPTS = 8
ROTATION_GRACE = datetime.timedelta(hours=24)
TEST_EVENT = "webhook.test"

EVENT_TYPES: dict[str, str] = {
    "partner.approved": _("Partner approved"),
    "onboarding.completed": _("Onboarding completed"),
    "tier.changed": _("Tier changed"),
    "registration.submitted": _("Deal registration submitted"),
    "registration.approved": _("Deal registration approved"),
    "registration.expired": _("Deal registration expired"),
    "deal.won": _("Deal won"),
    "lead.offered": _("Lead offered"),
    "lead.accepted": _("Lead accepted"),
    "mdf.approved": _("MDF request approved"),
    "churn_risk.raised": _("Churn risk raised"),
    "attribution_run.finished": _("Attribution run finished"),
}


class WebhookEndpoint(TenantModel):
    """A URL of the tenant's that receives the events it subscribes to, signed with its secret."""

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = ArrayField(models.CharField(max_length=40), default=list, verbose_name=_("events"))
    secret = EncryptedTextField()  # encrypted at rest (ecosystem.encrypted); plain text in Python
    previous_secret = EncryptedTextField(blank=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "public_id"], name="webhook_endpoint_public_id_unique")]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url


class WebhookEvent(TenantModel):
    """The outbox: one business event, written in the transaction that caused it."""

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    event_type = models.CharField(_("event"), max_length=40)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "public_id"], name="webhook_event_public_id_unique")]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")

    def __str__(self) -> str:
        return f"{self.event_type} {self.public_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    RETRYING = "retrying", _("Failed, retrying")
    DEAD = "dead", _("Dead (gave up)")


OPEN_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)


class WebhookDelivery(TenantModel):
    """One event at one endpoint. ``next_attempt_at`` is when it is due, or, while a worker holds it, the
    end of that worker's lease (a worker killed mid-call leaves it due again when the lease ends)."""

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last response code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "public_id"], name="webhook_delivery_public_id_unique"),
            models.UniqueConstraint(fields=["tenant", "event", "endpoint"], name="webhook_delivery_one_per_endpoint"),
        ]
        indexes = [
            # the sweeper's "due" query
            models.Index(
                fields=["tenant", "next_attempt_at"],
                condition=models.Q(status__in=["pending", "retrying"]),
                name="webhook_delivery_due",
            ),
            # an endpoint's delivery log, newest first
            models.Index(fields=["tenant", "endpoint", "-created_at"], name="webhook_delivery_log"),
        ]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id}: {self.status}"
