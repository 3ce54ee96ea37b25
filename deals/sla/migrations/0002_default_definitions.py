"""Every existing program gets its five SLAs with the default targets (those bound to a rule: the rule's).

Until now the rows were made on the first staff read of an SLA page; from now on a program has them
from its creation (``deals.sla.receivers.tenant_created``) and reads never write. This migration
fills in the programs that existed before.

Row-level security is forced on these tables, for their owner too (the role migrations run as has
no ``BYPASSRLS``): each tenant's rows are read and written with ``app.tenant_id`` set to that
tenant, transaction-local (``set_config(..., true)``), exactly as ``tenant_context`` does, and
reset at the end. Plain SQL (not the historical models): the tenant managers need the application
scope, and one statement per tenant suffices. Re-running it changes nothing (``ON CONFLICT``), and
rule-bound targets of rows made earlier are brought in line with their rule.
"""

from django.db import migrations, transaction

# kind -> (owed by, default target hours, rules-of-engagement column or None); as in deals.sla.models
DEFAULTS = [
    ("registration_decision", "vendor", 48, "approval_sla_hours"),
    ("lead_answer", "partner", 24, "lead_response_hours"),
    ("cosell_answer", "partner", 72, None),
    ("extension_decision", "vendor", 48, None),
    ("appeal_decision", "vendor", 72, None),
]


def create_defaults(apps, schema_editor):
    connection = schema_editor.connection
    tenants = apps.get_model("tenancy", "Tenant")._meta.db_table
    definitions = apps.get_model("sla", "SlaDefinition")._meta.db_table
    rules_table = apps.get_model("deals", "EngagementRules")._meta.db_table
    # one transaction (a savepoint inside the migration's own): the settings last until it ends
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f'SELECT id FROM "{tenants}" ORDER BY id')
        tenant_ids = [row[0] for row in cursor.fetchall()]
        for tenant_id in tenant_ids:
            cursor.execute(
                "SELECT set_config('app.tenant_id', %s, true), set_config('app.partner_id', '', true)", [str(tenant_id)]
            )
            cursor.execute(
                f'SELECT approval_sla_hours, lead_response_hours FROM "{rules_table}" WHERE tenant_id = %s', [tenant_id]
            )
            found = cursor.fetchone()
            rules = dict(zip(("approval_sla_hours", "lead_response_hours"), found, strict=True)) if found else {}
            rows = [(kind, side, rules.get(field, hours) if field else hours) for kind, side, hours, field in DEFAULTS]
            values = ", ".join(["(%s, gen_random_uuid(), %s, %s, %s, true, now())"] * len(rows))
            params = [value for kind, side, hours in rows for value in (tenant_id, kind, side, hours)]
            cursor.execute(
                f'INSERT INTO "{definitions}" (tenant_id, public_id, kind, owed_by, target_hours, is_active, updated_at) '
                f"VALUES {values} ON CONFLICT (tenant_id, kind) DO NOTHING",
                params,
            )
            for kind, _side, _hours, field in DEFAULTS:
                if field and field in rules:
                    cursor.execute(
                        f'UPDATE "{definitions}" SET target_hours = %s WHERE tenant_id = %s AND kind = %s AND target_hours <> %s',
                        [rules[field], tenant_id, kind, rules[field]],
                    )
        cursor.execute("SELECT set_config('app.tenant_id', '', true), set_config('app.partner_id', '', true)")


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0001_initial"),
        ("deals", "0002_workflow_cosell_leads_imports"),
        ("tenancy", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_defaults, migrations.RunPython.noop, elidable=True),
    ]
