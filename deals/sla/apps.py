from django.apps import AppConfig


class SlaConfig(AppConfig):
    """Operational SLAs on both sides of the program, measured from event timestamps."""

    name = "deals.sla"
    label = "sla"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from deals.models import EngagementRules
        from ecosystem.tenancy.models import Tenant

        from . import receivers

        post_save.connect(receivers.tenant_created, sender=Tenant, dispatch_uid="sla_tenant_created")
        post_save.connect(receivers.rules_saved, sender=EngagementRules, dispatch_uid="sla_rules_saved")
