"""Sign-ins, failed sign-ins and MFA changes reach the audit log of each program the person works in,
and of no other program."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.urls import reverse

from ecosystem.audit.models import AuditEntry
from ecosystem.tenancy.context import tenant_context

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-staple"


def _actions(tenant, user) -> list[str]:
    with tenant_context(tenant.pk):
        return list(AuditEntry.objects.filter(actor=user).order_by("id").values_list("action", flat=True))


def test_a_sign_in_and_a_failed_one_are_audited_in_the_persons_program_only(client, world):
    a, b = world.a, world.b
    a.manager.set_password(PASSWORD)
    a.manager.save()
    login = reverse("account_login")
    client.post(login, {"login": a.manager.email, "password": "not the password"})
    client.post(login, {"login": a.manager.email, "password": PASSWORD})
    assert _actions(a.tenant, a.manager) == ["auth.login_failed", "auth.login"]
    assert _actions(b.tenant, a.manager) == []  # not a member there
    with tenant_context(a.tenant.pk):
        failed = AuditEntry.objects.get(action="auth.login_failed")
    assert failed.changes == {"email": a.manager.email} and "password" not in str(failed.changes)
    assert failed.ip is not None


def test_a_failed_sign_in_for_an_unknown_address_names_nobody(client, world):
    client.post(reverse("account_login"), {"login": "nobody@nowhere.example", "password": "x" * 12})
    for tenant in (world.a.tenant, world.b.tenant):
        with tenant_context(tenant.pk):
            assert not AuditEntry.objects.filter(action__startswith="auth.").exists()


def test_mfa_changes_are_audited(world):
    a = world.a
    totp = SimpleNamespace(type=Authenticator.Type.TOTP)
    mfa_signals.authenticator_added.send(sender=Authenticator, request=None, user=a.manager, authenticator=totp)
    mfa_signals.authenticator_removed.send(sender=Authenticator, request=None, user=a.manager, authenticator=totp)
    assert _actions(a.tenant, a.manager) == ["auth.mfa_added", "auth.mfa_removed"]
    with tenant_context(a.tenant.pk):
        assert AuditEntry.objects.filter(action="auth.mfa_added").get().changes == {"type": "totp"}


def test_a_partner_users_sign_in_is_in_its_programs_log_with_its_partner(client, world):
    a = world.a
    client.force_login(a.partner1_admin)
    with tenant_context(a.tenant.pk):
        entry = AuditEntry.objects.get(action="auth.login", actor=a.partner1_admin)
    assert entry.partner_id == a.partner1.pk
