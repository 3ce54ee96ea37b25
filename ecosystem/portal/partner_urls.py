from django.urls import path

from . import views

app_name = "partner_portal"

urlpatterns = [
    path("", views.partner_dashboard, name="dashboard"),
    path("team/", views.partner_team, name="team"),
    path("invitations/<uuid:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("members/<uuid:membership_id>/deactivate/", views.membership_deactivate, name="membership_deactivate"),
]
