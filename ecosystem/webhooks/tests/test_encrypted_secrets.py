"""Endpoint secrets are encrypted at rest: the table holds Fernet tokens, the application reads plain
text (test_delivery.py verifies the signatures made with it), a SECRET_KEY rotation with the old key as a fallback loses nothing, and the
migration encrypts the rows written before it."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from ecosystem import encrypted
from ecosystem.tenancy.context import tenant_context
from ecosystem.webhooks import services
from ecosystem.webhooks.models import WebhookEndpoint

from .support import endpoint_for

_migration = __import__("ecosystem.webhooks.migrations.0002_encrypt_secrets", fromlist=["encrypt_rows"])


def _stored(tenant_world, endpoint) -> tuple[str, str]:
    """The columns as the database holds them (raw SQL: no field conversion)."""
    with tenant_context(tenant_world.tenant.pk), connection.cursor() as cursor:
        cursor.execute(f'SELECT secret, previous_secret FROM "{WebhookEndpoint._meta.db_table}" WHERE id = %s', [endpoint.pk])
        return cursor.fetchone()


def _read(tenant_world, endpoint) -> WebhookEndpoint:
    with tenant_context(tenant_world.tenant.pk):
        return WebhookEndpoint.objects.get(pk=endpoint.pk)


def test_the_table_holds_a_token_and_the_application_reads_the_secret(world):
    endpoint = endpoint_for(world.a)
    stored, previous = _stored(world.a, endpoint)
    assert stored.startswith("enc1:") and endpoint.secret not in stored
    assert previous == ""  # nothing rotated yet: empty stays empty
    assert _read(world.a, endpoint).secret == endpoint.secret


def test_a_rotated_secret_and_its_predecessor_are_both_encrypted(world):
    endpoint = endpoint_for(world.a)
    with tenant_context(world.a.tenant.pk, user_id=world.a.owner.pk):
        rotated = services.webhook_endpoint_rotate_secret(tenant=world.a.tenant, actor=world.a.owner, endpoint=endpoint)
    stored, previous = _stored(world.a, rotated)
    assert stored.startswith("enc1:") and previous.startswith("enc1:")
    reread = _read(world.a, rotated)
    assert (reread.secret, reread.previous_secret) == (rotated.secret, endpoint.secret)


def test_the_same_secret_encrypts_differently_each_time():
    assert encrypted.encrypt("whsec_same") != encrypted.encrypt("whsec_same")
    assert encrypted.decrypt(encrypted.encrypt("whsec_same")) == "whsec_same"


def test_a_key_rotation_with_the_old_key_as_fallback_loses_nothing_and_the_command_moves_rows_to_the_new_key(world, settings):
    endpoint = endpoint_for(world.a)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-secret-key-" + "x" * 40, [old_key]
    assert _read(world.a, endpoint).secret == endpoint.secret  # the fallback still decrypts

    out = io.StringIO()
    call_command("reencrypt_secrets", stdout=out)
    assert out.getvalue().startswith(
        "1 row(s) of onboarding.CredentialIssuerSecret, scoring.ScoringSettings, webhooks.WebhookEndpoint"
    )

    settings.SECRET_KEY_FALLBACKS = []  # the old key is gone
    assert _read(world.a, endpoint).secret == endpoint.secret


def test_without_the_old_key_the_error_says_what_to_do(world, settings):
    endpoint = endpoint_for(world.a)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "another-key-" + "y" * 40, []
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY_FALLBACKS"):
        _read(world.a, endpoint)


def test_the_migration_encrypts_rows_written_in_plain_text_and_leaves_encrypted_ones(world):
    plain = endpoint_for(world.a)
    already = endpoint_for(world.a, url="https://hooks.example.com/other")
    with tenant_context(world.a.tenant.pk), connection.cursor() as cursor:  # a row as the old column held it
        cursor.execute(f'UPDATE "{WebhookEndpoint._meta.db_table}" SET secret = %s WHERE id = %s', ["whsec_plain_old", plain.pk])
    token_before = _stored(world.a, already)[0]

    _migration.encrypt_rows(django_apps, SimpleNamespace(connection=connection))

    assert _stored(world.a, plain)[0].startswith("enc1:")
    assert _read(world.a, plain).secret == "whsec_plain_old"
    assert _stored(world.a, already)[0] == token_before  # not encrypted twice
