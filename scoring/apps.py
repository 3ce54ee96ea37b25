from django.apps import AppConfig


class ScoringConfig(AppConfig):
    """Health scores, churn prediction and partner fit (the scoring issue)."""

    name = "scoring"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from deals.models import DealRegistration
        from onboarding.models.training import Certification
        from partners.models import EngagementEvent

        from . import fit_receivers, receivers

        for model in (EngagementEvent, DealRegistration, Certification):
            post_save.connect(receivers.partner_record_saved, sender=model, dispatch_uid=f"scoring_refresh_{model.__name__}")
        post_save.connect(
            fit_receivers.application_saved, sender="onboarding.PartnerApplication", dispatch_uid="scoring_fit_application"
        )
