"""Webhook endpoint secrets are encrypted at rest (:mod:`ecosystem.encrypted`): the columns become text
and the rows written before are encrypted in place, tenant by tenant (backwards: decrypted again)."""

from django.db import migrations

import ecosystem.encrypted
from ecosystem.encrypted import decrypt, encrypt_stored, rewrite_rows_in_migration

COLUMNS = ("secret", "previous_secret")


def encrypt_rows(apps, schema_editor):
    rewrite_rows_in_migration(
        apps,
        schema_editor,
        model="webhooks.WebhookEndpoint",
        columns=COLUMNS,
        convert=lambda row: {column: encrypt_stored(row[column]) for column in COLUMNS},
    )


def decrypt_rows(apps, schema_editor):
    rewrite_rows_in_migration(
        apps,
        schema_editor,
        model="webhooks.WebhookEndpoint",
        columns=COLUMNS,
        convert=lambda row: {column: decrypt(row[column]) for column in COLUMNS},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_initial"),
        ("tenancy", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="webhookendpoint",
            name="previous_secret",
            field=ecosystem.encrypted.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name="webhookendpoint",
            name="secret",
            field=ecosystem.encrypted.EncryptedTextField(),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
    ]
