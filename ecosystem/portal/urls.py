from django.urls import path

from . import tenant_export_views, views

app_name = "portal"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dashboard/refresh/", views.dashboard_refresh, name="dashboard_refresh"),
    path("jobs/<uuid:job_id>/", views.job_status, name="job_status"),
    path("team/", views.team, name="team"),
    path("partners/<uuid:partner_id>/invite/", views.partner_invite, name="partner_invite"),
    path("invitations/<uuid:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("members/<uuid:membership_id>/deactivate/", views.membership_deactivate, name="membership_deactivate"),
    path("api-keys/", views.api_keys, name="api_keys"),
    path("api-keys/<uuid:key_id>/revoke/", views.api_key_revoke, name="api_key_revoke"),
    path("audit/", views.audit_log, name="audit_log"),
    path("data-export/", tenant_export_views.tenant_export, name="tenant_export"),
    path("data-export/<uuid:job_id>/download/", tenant_export_views.tenant_export_file, name="tenant_export_file"),
]
