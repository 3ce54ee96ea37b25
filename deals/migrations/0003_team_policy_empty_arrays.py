from django.db import migrations

from ecosystem.tenancy.rls import TenantRLS


class Migration(migrations.Migration):
    """The team policy again: staff now read rows whose team array is empty (see ecosystem/tenancy/rls.py)."""

    dependencies = [("deals", "0002_workflow_cosell_leads_imports")]

    operations = [
        TenantRLS("dealregistration", partner_array_field="team_partner_ids"),
        TenantRLS("dealparticipant", partner_array_field="team_partner_ids"),
    ]
