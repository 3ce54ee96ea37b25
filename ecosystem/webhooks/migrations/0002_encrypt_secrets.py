"""Webhook endpoint secrets are encrypted at rest (:mod:`ecosystem.encrypted`): the columns become text
and the rows written before are encrypted in place, tenant by tenant (backwards: decrypted again)."""

from django.db import migrations

import ecosystem.encrypted
from ecosystem.encrypted import column_migrations

encrypt_rows, decrypt_rows = column_migrations("webhooks.WebhookEndpoint", ("secret", "previous_secret"))


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
