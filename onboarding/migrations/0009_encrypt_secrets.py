"""Credential issuer secrets are encrypted at rest (:mod:`ecosystem.encrypted`); their last four characters,
all the lists show, are kept beside them in ``secret_tail``. Rows written before are converted in place,
tenant by tenant (backwards: decrypted again)."""

from django.db import migrations, models

import ecosystem.encrypted
from ecosystem.encrypted import column_migrations, decrypt, encrypt_stored, rewrite_rows_in_migration


def encrypt_rows(apps, schema_editor):
    def convert(row):
        plain = decrypt(row["secret"])
        return {"secret": encrypt_stored(row["secret"]), "secret_tail": (plain or "")[-4:]}

    rewrite_rows_in_migration(
        apps, schema_editor, model="onboarding.CredentialIssuerSecret", columns=("secret",), convert=convert
    )


# backwards: the secrets decrypted again (the tail column goes with its field)
_encrypt_only, decrypt_rows = column_migrations("onboarding.CredentialIssuerSecret", ("secret",))


class Migration(migrations.Migration):
    dependencies = [
        ("onboarding", "0008_learner_tracks"),
        ("tenancy", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="credentialissuersecret",
            name="secret_tail",
            field=models.CharField(blank=True, max_length=4),
        ),
        migrations.AlterField(
            model_name="credentialissuersecret",
            name="secret",
            field=ecosystem.encrypted.EncryptedTextField(verbose_name="signing secret"),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
    ]
