from django.db import migrations

from ecosystem.tenancy.rls import TenantRLS


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial")]

    operations = [
        TenantRLS("apikey"),
    ]
