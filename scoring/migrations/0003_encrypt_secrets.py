"""The churn alert webhook's signing secret is encrypted at rest (:mod:`ecosystem.encrypted`); rows written
before are encrypted in place, tenant by tenant (backwards: decrypted again)."""

from django.db import migrations

import ecosystem.encrypted
from ecosystem.encrypted import decrypt, encrypt_stored, rewrite_rows_in_migration


def encrypt_rows(apps, schema_editor):
    rewrite_rows_in_migration(
        apps,
        schema_editor,
        model="scoring.ScoringSettings",
        columns=("alert_webhook_secret",),
        convert=lambda row: {"alert_webhook_secret": encrypt_stored(row["alert_webhook_secret"])},
    )


def decrypt_rows(apps, schema_editor):
    rewrite_rows_in_migration(
        apps,
        schema_editor,
        model="scoring.ScoringSettings",
        columns=("alert_webhook_secret",),
        convert=lambda row: {"alert_webhook_secret": decrypt(row["alert_webhook_secret"])},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0002_alerts_interventions_fit"),
        ("tenancy", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="scoringsettings",
            name="alert_webhook_secret",
            field=ecosystem.encrypted.EncryptedTextField(blank=True, editable=False),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
    ]
