from django.db import migrations

from ecosystem.tenancy.rls import TenantRLS


class Migration(migrations.Migration):
    dependencies = [("partners", "0004_capability_engagementevent_partnerstatuschange")]

    operations = [
        TenantRLS("capability", shared=True),
        TenantRLS("partnerstatuschange", partner_field="partner"),
        TenantRLS("engagementevent", partner_field="partner"),
    ]
