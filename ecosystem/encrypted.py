"""Secrets the application must read back (to sign with them), kept encrypted at rest.

A webhook endpoint's signing secret has to be read in plain text at every delivery, so it cannot
be hashed like a password or an API key. :class:`EncryptedTextField` stores it as a Fernet token
(AES-128-CBC with an HMAC-SHA256, from ``cryptography``): a database dump, a replica or a backup no
longer holds a usable secret; the key lives in the application's settings, not in the database.

The keys derive from ``SECRET_KEY`` and ``SECRET_KEY_FALLBACKS`` (each through HMAC-SHA256 with
this module's salt). New values are encrypted with ``SECRET_KEY``; any of the fallbacks still
decrypts. Rotating ``SECRET_KEY`` therefore works as Django's signing does: keep the old key in
``SECRET_KEY_FALLBACKS`` until ``manage.py reencrypt_secrets`` has rewritten the rows.

Stored form: ``enc1:<token>``. A value without the prefix is read as it is (rows written before
the column was encrypted; the migration that encrypts them leaves none). An empty string stays
empty. The ciphertext is random each time, so the column cannot be filtered or compared in SQL.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils.crypto import salted_hmac

PREFIX = "enc1:"
_SALT = "ecosystem.encrypted.EncryptedTextField"


@cache
def _fernet(secret_keys: tuple[str, ...]) -> MultiFernet:
    keys = [
        base64.urlsafe_b64encode(salted_hmac(_SALT, "fernet", secret=key, algorithm="sha256").digest()) for key in secret_keys
    ]
    return MultiFernet([Fernet(key) for key in keys])


def _keys() -> MultiFernet:
    return _fernet((settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())))


def encrypt(plain: str) -> str:
    if not plain:
        return plain
    return PREFIX + _keys().encrypt(plain.encode()).decode()


def decrypt(stored: str | None) -> str | None:
    if not stored or not stored.startswith(PREFIX):
        return stored
    try:
        return _keys().decrypt(stored.removeprefix(PREFIX).encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "An encrypted secret could not be decrypted: SECRET_KEY changed without the old key in SECRET_KEY_FALLBACKS."
        ) from None


class EncryptedTextField(models.TextField):
    """Plain text in Python, a Fernet token in the database (module docstring). Not for lookups."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return None if value is None else encrypt(value)


def rewrite_rows_in_migration(
    apps, schema_editor, *, model: str, columns: tuple[str, ...], convert: Callable[[dict], dict]
) -> None:
    """For a data migration: set ``convert(row)`` on every row of ``model`` (``"app_label.Model"``), tenant by tenant.

    Row-level security is forced on tenant tables, for their owner too (the role migrations run as has no
    ``BYPASSRLS``): each tenant's rows are read and written with ``app.tenant_id`` set to that tenant,
    transaction-local, as ``tenant_context`` does, and reset at the end. Plain SQL reads the columns as
    stored (no field conversion): ``row`` holds them by name, and ``convert`` answers the columns to write.
    """
    connection = schema_editor.connection
    tenants = apps.get_model("tenancy", "Tenant")._meta.db_table
    table = apps.get_model(*model.split("."))._meta.db_table
    selected = ", ".join(f'"{column}"' for column in columns)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f'SELECT id FROM "{tenants}" ORDER BY id')
        for (tenant_id,) in cursor.fetchall():
            cursor.execute(
                "SELECT set_config('app.tenant_id', %s, true), set_config('app.partner_id', '', true)", [str(tenant_id)]
            )
            cursor.execute(f'SELECT id, {selected} FROM "{table}" WHERE tenant_id = %s', [tenant_id])
            for pk, *values in cursor.fetchall():
                changes = convert(dict(zip(columns, values, strict=True)))
                assignments = ", ".join(f'"{column}" = %s' for column in changes)
                cursor.execute(f'UPDATE "{table}" SET {assignments} WHERE id = %s', [*changes.values(), pk])
        cursor.execute("SELECT set_config('app.tenant_id', '', true), set_config('app.partner_id', '', true)")


def encrypt_stored(value: str | None) -> str | None:
    """A stored value encrypted, unless it is empty or encrypted already (for data migrations)."""
    return value if not value or value.startswith(PREFIX) else encrypt(value)


def column_migrations(model: str, columns: tuple[str, ...]) -> tuple[Callable, Callable]:
    """The ``RunPython`` pair for a data migration that encrypts ``columns`` of ``model`` (and decrypts them back)."""

    def encrypt_rows(apps, schema_editor):
        rewrite_rows_in_migration(
            apps, schema_editor, model=model, columns=columns, convert=lambda row: {c: encrypt_stored(row[c]) for c in columns}
        )

    def decrypt_rows(apps, schema_editor):
        rewrite_rows_in_migration(
            apps, schema_editor, model=model, columns=columns, convert=lambda row: {c: decrypt(row[c]) for c in columns}
        )

    return encrypt_rows, decrypt_rows
