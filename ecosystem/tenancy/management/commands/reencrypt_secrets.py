"""Rewrite every encrypted secret under the current ``SECRET_KEY`` (after a key rotation).

Run it with the old key still in ``SECRET_KEY_FALLBACKS``; once it has run, the old key may go. It
finds the columns itself (every :class:`~ecosystem.encrypted.EncryptedTextField` of a tenant model) and
rewrites each tenant's rows in that tenant's scope (row-level security).
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from ecosystem.encrypted import EncryptedTextField
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant, TenantModel


def encrypted_columns() -> dict[type[TenantModel], list[str]]:
    found: dict[type[TenantModel], list[str]] = {}
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names and issubclass(model, TenantModel):
            found[model] = names
    return found


class Command(BaseCommand):
    help = "Encrypt every stored secret again with the current SECRET_KEY (after rotating it)."

    def handle(self, *args, **options) -> None:
        columns = encrypted_columns()
        rewritten = 0
        for tenant_id in Tenant.objects.order_by("pk").values_list("pk", flat=True):
            with tenant_context(tenant_id), transaction.atomic():
                for model, names in columns.items():
                    for row in model.objects.select_for_update().only(*names):
                        row.save(update_fields=names)  # read decrypted, saved encrypted anew
                        rewritten += 1
        models = ", ".join(sorted(model._meta.label for model in columns))
        self.stdout.write(f"{rewritten} row(s) of {models} encrypted under the current key")
