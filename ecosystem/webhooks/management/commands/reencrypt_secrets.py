"""Rewrite every webhook endpoint's secrets under the current ``SECRET_KEY`` (after a key rotation).

Run it with the old key still in ``SECRET_KEY_FALLBACKS``; once it has run, the old key may go.
Each tenant's rows are read and saved in that tenant's scope (row-level security).
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant
from ecosystem.webhooks.models import WebhookEndpoint


class Command(BaseCommand):
    help = "Encrypt every webhook endpoint secret again with the current SECRET_KEY (after rotating it)."

    def handle(self, *args, **options) -> None:
        rewritten = 0
        for tenant_id in Tenant.objects.order_by("pk").values_list("pk", flat=True):
            with tenant_context(tenant_id), transaction.atomic():
                for endpoint in WebhookEndpoint.objects.select_for_update().only("secret", "previous_secret"):
                    endpoint.save(update_fields=["secret", "previous_secret"])  # read decrypted, saved encrypted anew
                    rewritten += 1
        self.stdout.write(f"{rewritten} webhook endpoint(s) encrypted under the current key")
