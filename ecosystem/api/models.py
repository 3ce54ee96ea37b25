from __future__ import annotations

import uuid

from django.conf import settings
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
