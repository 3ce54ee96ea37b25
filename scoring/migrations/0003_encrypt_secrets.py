"""The churn alert webhook's signing secret is encrypted at rest (:mod:`ecosystem.encrypted`); rows written
before are encrypted in place, tenant by tenant (backwards: decrypted again)."""

from django.db import migrations

import ecosystem.encrypted
from ecosystem.encrypted import column_migrations

encrypt_rows, decrypt_rows = column_migrations("scoring.ScoringSettings", ("alert_webhook_secret",))


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
