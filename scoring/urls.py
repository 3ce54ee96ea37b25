"""Portal routes: ``urlpatterns`` under /t/<tenant>/ (vendor staff, "scoring"), ``partner_urlpatterns`` under /p/<tenant>/."""

from django.urls import path

from . import churn_views, fit_urls, views

urlpatterns = [
    path("health/", views.health_list, name="health"),
    path("health/settings/", views.health_settings, name="health_settings"),
    path("health/churn/", churn_views.churn, name="churn"),
    path("health/churn/jobs/<uuid:job_id>/", churn_views.churn_job, name="churn_job"),
    path("health/churn/model/", churn_views.churn_model, name="churn_model"),
    path("health/churn/models/<uuid:model_id>/", churn_views.churn_model, name="churn_model_version"),
    path("health/churn/models/<uuid:model_id>/activate/", churn_views.churn_model_activate, name="churn_model_activate"),
    path("health/churn/alerts/<uuid:alert_id>/", churn_views.churn_alert, name="churn_alert"),
    path(
        "health/churn/interventions/<uuid:intervention_id>/outcome/",
        churn_views.intervention_outcome,
        name="intervention_outcome",
    ),
    *fit_urls.urlpatterns,
    path("health/<uuid:partner_id>/", views.health_detail, name="health_detail"),
]

partner_urlpatterns = [
    path("health/", views.my_health, name="health"),
]
