from django.db import migrations

from ecosystem.tenancy.rls import TenantRLS


class Migration(migrations.Migration):
    """The partner policy in the form the planner estimates well (ecosystem/tenancy/rls.py)."""

    dependencies = [("accounts", "0002_row_level_security")]

    operations = [
        TenantRLS("membership", partner_field="partner"),
        TenantRLS("invitation", partner_field="partner"),
    ]
