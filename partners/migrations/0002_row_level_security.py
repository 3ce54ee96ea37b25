from django.db import migrations

from ecosystem.tenancy.rls import TenantRLS


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_initial")]

    operations = [
        TenantRLS("partnerorganization", partner_field="id"),
    ]
