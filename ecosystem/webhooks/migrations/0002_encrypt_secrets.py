"""Webhook endpoint secrets are encrypted at rest (:mod:`ecosystem.encrypted`): the columns become text
and the rows written before are encrypted in place (backwards: decrypted again).

Row-level security is forced on the table, for its owner too: each tenant's rows are rewritten with
``app.tenant_id`` set to that tenant, transaction-local, as ``deals.sla`` migration 0002 does. Plain SQL,
so the rows are read as stored; the values go through the module's own ``encrypt`` / ``decrypt``.
"""

from django.db import migrations, transaction

import ecosystem.encrypted
from ecosystem.encrypted import decrypt, encrypt


def _rewrite(apps, schema_editor, convert):
    connection = schema_editor.connection
    tenants = apps.get_model("tenancy", "Tenant")._meta.db_table
    endpoints = apps.get_model("webhooks", "WebhookEndpoint")._meta.db_table
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f'SELECT id FROM "{tenants}" ORDER BY id')
        for (tenant_id,) in cursor.fetchall():
            cursor.execute(
                "SELECT set_config('app.tenant_id', %s, true), set_config('app.partner_id', '', true)", [str(tenant_id)]
            )
            cursor.execute(f'SELECT id, secret, previous_secret FROM "{endpoints}" WHERE tenant_id = %s', [tenant_id])
            for pk, secret, previous in cursor.fetchall():
                cursor.execute(
                    f'UPDATE "{endpoints}" SET secret = %s, previous_secret = %s WHERE id = %s',
                    [convert(secret), convert(previous), pk],
                )
        cursor.execute("SELECT set_config('app.tenant_id', '', true), set_config('app.partner_id', '', true)")


def encrypt_rows(apps, schema_editor):
    _rewrite(apps, schema_editor, lambda value: value if value.startswith(ecosystem.encrypted.PREFIX) else encrypt(value))


def decrypt_rows(apps, schema_editor):
    _rewrite(apps, schema_editor, decrypt)


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
