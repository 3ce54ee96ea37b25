"""Portal routes: ``urlpatterns`` under /t/<tenant>/ (vendor staff, "mdf"), ``partner_urlpatterns`` under /p/<tenant>/
("partner_mdf")."""

from django.urls import path

from . import views

urlpatterns = [
    path("mdf/", views.campaigns, name="campaigns"),
    path("mdf/budgets/", views.budget_list, name="budgets"),
    path("mdf/budgets/<uuid:budget_id>/", views.budget_detail, name="budget"),
    path("mdf/budgets/<uuid:budget_id>/amount/", views.budget_amount, name="budget_amount"),
    path("mdf/budgets/<uuid:budget_id>/allocations/", views.allocation_set, name="allocation_set"),
    path("mdf/requests/", views.request_queue, name="requests"),
    path("mdf/requests/<uuid:request_id>/decide/", views.request_decide, name="request_decide"),
    path("mdf/claims/", views.claim_queue, name="claims"),
    path("mdf/claims/<uuid:claim_id>/decide/", views.claim_decide, name="claim_decide"),
    path("mdf/claims/<uuid:claim_id>/pay/", views.claim_pay, name="claim_pay"),
    path("mdf/evidence/<uuid:evidence_id>/", views.evidence_download, name="evidence"),
]

partner_urlpatterns = [
    path("mdf/", views.partner_home, name="home"),
    path("mdf/requests/new/", views.partner_request_new, name="request_new"),
    path("mdf/requests/<uuid:request_id>/", views.partner_request_detail, name="request"),
    path("mdf/requests/<uuid:request_id>/claim/", views.partner_claim_submit, name="claim_submit"),
    path("mdf/evidence/<uuid:evidence_id>/", views.partner_evidence_download, name="evidence"),
]
