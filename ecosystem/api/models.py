from __future__ import annotations

import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecosystem.tenancy.models import TenantModel


class ApiKeyScope(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class ApiKey(TenantModel):
    """A tenant-bound key for integrations. We keep a SHA-256 of the secret; the key is shown once.

    The key reads ``prm_<prefix>_<secret>``: the prefix finds the row, the secret (32 random bytes,
    so a fast hash is safe) is compared in constant time.
    """

    public_id = models.UUIDField(default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12)
    secret_hash = models.CharField(max_length=64)
    scope = models.CharField(_("scope"), max_length=10, choices=ApiKeyScope.choices, default=ApiKeyScope.READ)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "prefix"], name="apikey_prefix_unique"),
            models.UniqueConstraint(fields=["tenant", "public_id"], name="apikey_public_id_unique"),
        ]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def can_write(self) -> bool:
        return self.scope == ApiKeyScope.WRITE


class IdempotencyKey(TenantModel):
    """One ``Idempotency-Key`` a caller sent on a POST that creates something, and the answer it got.

    The unique index on (tenant, caller, key) is what makes a retry safe: of two requests with the
    same key, the second's insert waits for the first's transaction and then finds its answer.
    Keys live 24 hours (``ecosystem.api.idempotency.KEY_LIFETIME``); after that the key is new again.
    ``partner_id`` is the caller's partner organisation (partner users), so row-level security
    keeps one partner's keys from another; staff and API keys leave it empty.
    """

    partner_field = "partner_id"

    key = models.CharField(max_length=255)
    caller = models.CharField(max_length=40, help_text="user:<id> or key:<id>")
    partner_id = models.BigIntegerField(null=True, blank=True)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64, help_text="SHA-256 of the method, path and canonical JSON body")
    response_status = models.PositiveSmallIntegerField(null=True)  # empty only inside the first request
    response_body = models.JSONField(encoder=DjangoJSONEncoder, null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "caller", "key"], name="idempotency_key_unique")]
        indexes = [models.Index(fields=["tenant", "created_at"], name="idempotency_key_created")]
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
