from django.db import migrations

from ecosystem.tenancy.rls import TenantRLS


class Migration(migrations.Migration):
    dependencies = [("onboarding", "0001_initial")]

    operations = [
        TenantRLS("partnerapplication"),
        TenantRLS("agreementversion", shared=True),
        TenantRLS("securityquestion", shared=True),
        TenantRLS("onboardingtemplate"),
        TenantRLS("onboardingtemplatestep"),
        TenantRLS("onboardingplan", partner_field="partner"),
        TenantRLS("onboardingstep", partner_field="partner"),
        TenantRLS("agreementsignature", partner_field="partner"),
    ]
