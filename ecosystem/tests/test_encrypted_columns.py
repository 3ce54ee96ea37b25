"""The other secrets the platform reads back are encrypted at rest too: credential issuer secrets (their last
four characters kept beside them for the masked lists) and the churn alert webhook's signing secret. Each
migration converts the rows written before it. Webhook endpoints: ecosystem/webhooks/tests/test_encrypted_secrets.py."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection

from ecosystem.tenancy.context import tenant_context
from onboarding.issuers import credential_issuer_save
from onboarding.models import CredentialIssuer, CredentialIssuerSecret
from scoring.models import ScoringSettings

pytestmark = pytest.mark.django_db

_issuers_migration = __import__("onboarding.migrations.0009_encrypt_secrets", fromlist=["encrypt_rows"])
_scoring_migration = __import__("scoring.migrations.0003_encrypt_secrets", fromlist=["encrypt_rows"])


def _raw(tenant_world, model, column: str, pk: int):
    with tenant_context(tenant_world.tenant.pk), connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{model._meta.db_table}" WHERE id = %s', [pk])
        return cursor.fetchone()[0]


def _set_raw(tenant_world, model, column: str, pk: int, value: str) -> None:
    with tenant_context(tenant_world.tenant.pk), connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{model._meta.db_table}" SET "{column}" = %s WHERE id = %s', [value, pk])


def _issuer(world, secret="top-secret-4821") -> CredentialIssuerSecret:
    with tenant_context(world.a.tenant.pk, user_id=world.a.owner.pk):
        issuer = credential_issuer_save(
            tenant=world.a.tenant,
            actor=world.a.owner,
            name="AWS Certification",
            endpoint_url="https://verify.aws.example/check",
            is_active=True,
            secret=secret,
        )
        return CredentialIssuerSecret.objects.get(issuer=issuer)


def test_an_issuer_secret_is_a_token_in_the_table_with_its_tail_beside_it(world):
    row = _issuer(world)
    stored = _raw(world.a, CredentialIssuerSecret, "secret", row.pk)
    assert stored.startswith("enc1:") and "top-secret" not in stored
    assert (row.secret, row.secret_tail) == ("top-secret-4821", "4821")
    with tenant_context(world.a.tenant.pk):
        assert CredentialIssuer.objects.get().masked_secret == "…4821"


def test_the_issuer_migration_encrypts_old_rows_and_fills_their_tail(world):
    row = _issuer(world)
    _set_raw(world.a, CredentialIssuerSecret, "secret", row.pk, "old-plain-9876")
    _set_raw(world.a, CredentialIssuerSecret, "secret_tail", row.pk, "")

    _issuers_migration.encrypt_rows(django_apps, SimpleNamespace(connection=connection))

    assert _raw(world.a, CredentialIssuerSecret, "secret", row.pk).startswith("enc1:")
    with tenant_context(world.a.tenant.pk):
        reread = CredentialIssuerSecret.objects.get(pk=row.pk)
    assert (reread.secret, reread.secret_tail) == ("old-plain-9876", "9876")


def test_the_churn_alert_webhook_secret_is_encrypted_and_its_migration_converts_old_rows(world):
    with tenant_context(world.a.tenant.pk):
        settings = ScoringSettings.objects.create(
            tenant=world.a.tenant, alert_webhook_url="https://hooks.example.com/churn", alert_webhook_secret="a1" * 32
        )
        secret = ScoringSettings.objects.get().alert_webhook_secret
    assert len(secret) == 64
    assert _raw(world.a, ScoringSettings, "alert_webhook_secret", settings.pk).startswith("enc1:")

    _set_raw(world.a, ScoringSettings, "alert_webhook_secret", settings.pk, "f" * 64)  # as the old column held it
    _scoring_migration.encrypt_rows(django_apps, SimpleNamespace(connection=connection))

    assert _raw(world.a, ScoringSettings, "alert_webhook_secret", settings.pk).startswith("enc1:")
    with tenant_context(world.a.tenant.pk):
        assert ScoringSettings.objects.get().alert_webhook_secret == "f" * 64
