from django.urls import path

from . import tier_views

app_name = "tiers"

urlpatterns = [
    path("tiers/", tier_views.tier_ladder, name="ladder"),
    path("tiers/evaluate/", tier_views.tier_evaluate_now, name="evaluate"),
    path("tiers/partners/<uuid:partner_id>/approve/", tier_views.tier_proposal_approve, name="approve"),
    path("tiers/partners/<uuid:partner_id>/decline/", tier_views.tier_proposal_decline, name="decline"),
    path("tiers/partners/<uuid:partner_id>/override/", tier_views.tier_override, name="override"),
    path("tiers/partners/<uuid:partner_id>/override/clear/", tier_views.tier_override_clear, name="override_clear"),
]

partner_urlpatterns = [
    path("tier/", tier_views.my_tier, name="mine"),
]
