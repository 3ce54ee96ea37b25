"""Co-selling routes: ``partner_urlpatterns`` under /p/<tenant>/ ("partner_cosell"), ``urlpatterns`` under /t/<tenant>/ ("cosell")."""

from django.urls import path

from . import cosell_views

urlpatterns = [
    path("cosell/registrations/<uuid:registration_id>/", cosell_views.manage_team, name="team"),
    path("cosell/registrations/<uuid:registration_id>/assign/", cosell_views.manage_assign, name="assign"),
    path(
        "cosell/registrations/<uuid:registration_id>/participants/<uuid:participant_id>/remove/",
        cosell_views.manage_remove,
        name="remove",
    ),
]

partner_urlpatterns = [
    path("cosell/invitations/", cosell_views.invitations, name="invitations"),
    path("cosell/invitations/<uuid:participant_id>/accept/", cosell_views.invitation_accept, name="invitation_accept"),
    path("cosell/invitations/<uuid:participant_id>/decline/", cosell_views.invitation_decline, name="invitation_decline"),
    path("cosell/deals/", cosell_views.deal_list, name="deals"),
    path("cosell/deals/<uuid:registration_id>/", cosell_views.deal_detail, name="deal"),
    path("cosell/registrations/<uuid:registration_id>/team/", cosell_views.team, name="team"),
    path(
        "cosell/registrations/<uuid:registration_id>/team/<uuid:participant_id>/remove/",
        cosell_views.team_remove,
        name="team_remove",
    ),
]
