# The managers' queue read in cursor order (bench/api_load.py): a partial index over the registrations
# waiting for a decision, tenant first, in the API's ordering (submitted_at, id).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("deals", "0009_mdf_campaign"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dealregistration",
            index=models.Index(
                condition=models.Q(("status__in", ("pending", "under_review", "info_requested"))),
                fields=["tenant", "submitted_at", "id"],
                name="deal_registration_waiting",
            ),
        ),
    ]
