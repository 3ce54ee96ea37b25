from django.urls import path

from . import views

app_name = "onboarding"

# Under /t/<tenant_slug>/ (vendor portal): wrapped by the tenant base in ecosystem/urls.py.
urlpatterns = [
    path("applications/", views.application_list, name="application_list"),
    path("applications/<uuid:application_id>/", views.application_detail, name="application_detail"),
    path(
        "applications/<uuid:application_id>/approve/",
        views.application_decide,
        {"decision": "approve"},
        name="application_approve",
    ),
    path(
        "applications/<uuid:application_id>/reject/", views.application_decide, {"decision": "reject"}, name="application_reject"
    ),
    path("onboarding/", views.onboarding_board, name="board"),
    path("onboarding/evidence/<uuid:evidence_id>/", views.evidence_download, name="evidence"),
    path("screening/", views.screening, name="screening"),
    path("screening/matches/<uuid:match_id>/clear/", views.screening_match_clear, name="screening_match_clear"),
    path(
        "onboarding/steps/<uuid:step_id>/approve/", views.security_review_decide, {"decision": "approve"}, name="review_approve"
    ),
    path("onboarding/steps/<uuid:step_id>/return/", views.security_review_decide, {"decision": "return"}, name="review_return"),
]

# Under /p/<tenant_slug>/ (partner portal).
partner_urlpatterns = [
    path("onboarding/", views.my_onboarding, name="mine"),
    path("onboarding/steps/<uuid:step_id>/", views.my_step, name="step"),
    path("onboarding/steps/<uuid:step_id>/evidence/", views.my_evidence_add, name="evidence_add"),
    path("onboarding/evidence/<uuid:evidence_id>/", views.my_evidence_download, name="evidence"),
]

# Public, outside any portal: /apply/<tenant_slug>/…
public_urlpatterns = [
    path("<slug:tenant_slug>/", views.apply, name="apply"),
    path("<slug:tenant_slug>/status/<str:token>/", views.application_status, name="application_status"),
]
