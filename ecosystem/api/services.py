from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.models import Tenant

from .models import ApiKey, ApiKeyScope

KEY_PREFIX = "prm"


@dataclass(frozen=True)
class IssuedApiKey:
    api_key: ApiKey
    plaintext: str  # shown to the person once, never stored


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(api_key: ApiKey, secret: str) -> bool:
    return hmac.compare_digest(api_key.secret_hash, hash_secret(secret))


def api_key_create(*, tenant: Tenant, actor: Any, name: str, scope: str) -> IssuedApiKey:
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("Give the key a name, such as the system that will use it."), code="required", field="name")
    if scope not in ApiKeyScope.values:
        raise ApplicationError(_("Choose read or write."), code="invalid_choice", field="scope")
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        api_key = ApiKey.objects.create(
            tenant=tenant, name=name[:100], prefix=prefix, secret_hash=hash_secret(secret), scope=scope, created_by=actor
        )
        audit_record(tenant=tenant, actor=actor, action="api_key.create", target=api_key, changes={"scope": scope})
    return IssuedApiKey(api_key=api_key, plaintext=f"{KEY_PREFIX}_{prefix}_{secret}")


def api_key_revoke(*, tenant: Tenant, actor: Any, api_key: ApiKey) -> ApiKey:
    with transaction.atomic():
        locked = ApiKey.objects.select_for_update().get(pk=api_key.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            audit_record(tenant=tenant, actor=actor, action="api_key.revoke", target=locked)
    return locked


def api_key_touch(*, api_key: ApiKey) -> None:
    """Record use at most once a minute, so a busy integration does not write on every request."""
    now = timezone.now()
    if api_key.last_used_at is None or (now - api_key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
