"""Authentication events in the audit log of every program the person works in.

- ``auth.login``: a successful sign-in (the portal or Django admin, password or social).
- ``auth.login_failed``: a failed sign-in for an existing account's email (the address typed is kept,
  never the password). A failure for an unknown address names nobody, so no program records it.
- ``auth.mfa_added`` / ``auth.mfa_removed`` / ``auth.mfa_reset``: an authenticator (TOTP, recovery
  codes, security key) added, removed, or its recovery codes regenerated.
- ``api_key.create`` / ``api_key.revoke`` are recorded by the API key services themselves.

A person's sign-in is not one tenant's business alone: each of the programs they are an active member
of gets its own row, in its own scope, so an owner reads the sign-ins of their own members only.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from ecosystem.accounts.selectors import memberships_of_user
from ecosystem.tenancy.context import tenant_context

from .services import audit_record


def record_for_person(user, action: str, changes: dict[str, Any] | None = None) -> int:
    """One ``action`` row in each program ``user`` is an active member of; returns how many."""
    memberships = memberships_of_user(user=user)
    for membership in memberships:
        with tenant_context(membership.tenant_id, partner_id=membership.partner_id, user_id=user.pk):
            audit_record(tenant=membership.tenant, actor=user, action=action, target=user, changes=changes, via="web")
    return len(memberships)


@receiver(user_logged_in, dispatch_uid="audit.login")
def login(sender, request, user, **kwargs) -> None:
    record_for_person(user, "auth.login")


@receiver(user_login_failed, dispatch_uid="audit.login_failed")
def login_failed(sender, credentials: dict, request=None, **kwargs) -> None:
    typed = str(credentials.get("email") or credentials.get("username") or credentials.get("login") or "").strip()
    if not typed:
        return
    user = get_user_model()._default_manager.filter(email__iexact=typed).first()
    if user is not None:
        record_for_person(user, "auth.login_failed", {"email": typed[:254]})


def _mfa(action: str):
    def handler(sender, request=None, user=None, authenticator=None, **kwargs) -> None:
        if user is not None:
            record_for_person(user, action, {"type": getattr(authenticator, "type", "")})

    return handler


def connect() -> None:
    from allauth.mfa import signals

    signals.authenticator_added.connect(_mfa("auth.mfa_added"), dispatch_uid="audit.mfa_added", weak=False)
    signals.authenticator_removed.connect(_mfa("auth.mfa_removed"), dispatch_uid="audit.mfa_removed", weak=False)
    signals.authenticator_reset.connect(_mfa("auth.mfa_reset"), dispatch_uid="audit.mfa_reset", weak=False)
