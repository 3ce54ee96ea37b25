from django.urls import path

from . import setup_views as views

app_name = "setup"

# Under /t/<tenant_slug>/: wrapped by the tenant base in ecosystem/urls.py.
urlpatterns = [
    path("setup/", views.setup_index, name="index"),
    path("setup/templates/", views.template_create, name="template_create"),
    path("setup/templates/<uuid:template_id>/steps/", views.template_step_add, name="template_step_add"),
    path(
        "setup/templates/<uuid:template_id>/steps/<int:position>/remove/", views.template_step_remove, name="template_step_remove"
    ),
    path("setup/agreements/", views.agreement_add, name="agreement_add"),
    path("setup/questions/", views.question_add, name="question_add"),
    path("setup/questions/<uuid:question_id>/retire/", views.question_retire, name="question_retire"),
    path("setup/capabilities/", views.capability_create, name="capability_add"),
    path("setup/tiers/", views.tier_save, name="tier_save"),
    path("setup/tiers/policy/", views.tier_policy_save, name="tier_policy"),
]
