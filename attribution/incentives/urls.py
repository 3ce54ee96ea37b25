"""Portal routes: ``urlpatterns`` under /t/<tenant>/ (vendor staff, "incentives"), ``partner_urlpatterns``
under /p/<tenant>/ ("partner_incentives": a partner's own rebate statements)."""

from django.urls import path

from . import views

urlpatterns = [
    path("incentives/", views.program_list, name="programs"),
    path("incentives/programs/new/", views.program_new, name="program_new"),
    path("incentives/programs/<uuid:program_id>/", views.program_detail, name="program"),
    path("incentives/programs/<uuid:program_id>/edit/", views.program_edit, name="program_edit"),
    path("incentives/programs/<uuid:program_id>/compute/", views.program_compute, name="program_compute"),
    path("incentives/programs/<uuid:program_id>/statements/", views.program_statements, name="statements"),
    path("incentives/statements/export/", views.finance_export, name="finance_export"),
    path("incentives/statements/<uuid:statement_id>/", views.statement_detail, name="statement"),
    path("incentives/statements/<uuid:statement_id>/approve/", views.statement_approve, name="statement_approve"),
    path("incentives/statements/<uuid:statement_id>/pay/", views.statement_pay, name="statement_pay"),
    path("incentives/usage/", views.usage_list, name="usage"),
    path("incentives/usage/import/", views.usage_import, name="usage_import"),
]

partner_urlpatterns = [
    path("rebates/", views.partner_statements, name="statements"),
    path("rebates/<uuid:statement_id>/", views.partner_statement, name="statement"),
]
