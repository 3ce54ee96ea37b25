from django.db import migrations

from ecosystem.tenancy.rls import TenantRLS
from ecosystem.tenancy.rls import USER_SETTING


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        TenantRLS("membership", partner_field="partner"),
        TenantRLS("invitation", partner_field="partner"),
        # A signed-in person may read their own memberships in every tenant (the tenant switcher).
        # Permissive, so ORed with tenant_isolation; the restrictive partner policy still applies.
        migrations.RunSQL(
            f"CREATE POLICY membership_self ON accounts_membership FOR SELECT USING (user_id = {USER_SETTING})",
            "DROP POLICY IF EXISTS membership_self ON accounts_membership",
        ),
    ]
