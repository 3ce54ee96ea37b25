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
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
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
