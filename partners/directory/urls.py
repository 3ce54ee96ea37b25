"""Portal routes: ``urlpatterns`` under /t/<tenant>/ (vendor staff, "directory"), ``partner_urlpatterns`` under
/p/<tenant>/ (partner users, "partner_directory")."""

from django.urls import path

from . import views

urlpatterns = [
    path("directory/", views.profile_list, name="list"),
    path("collaborations/", views.collaboration_list, name="collaborations"),
    path("ecosystem-map/", views.ecosystem_map, name="ecosystem_map"),
]

partner_urlpatterns = [
    path("directory/", views.search, name="search"),
    path("directory/partners/<uuid:partner_id>/", views.profile, name="profile"),
    path("directory/my-profile/", views.my_profile, name="my_profile"),
    path("directory/my-profile/publish/", views.publish, name="publish"),
    path("directory/my-profile/unpublish/", views.unpublish, name="unpublish"),
    path("collaborations/", views.collaborations, name="collaborations"),
    path("collaborations/new/", views.collaboration_new, name="collaboration_new"),
    path("collaborations/<uuid:collaboration_id>/", views.collaboration, name="collaboration"),
    path("collaborations/<uuid:collaboration_id>/accept/", views.collaboration_accept, name="collaboration_accept"),
    path("collaborations/<uuid:collaboration_id>/decline/", views.collaboration_decline, name="collaboration_decline"),
    path("collaborations/<uuid:collaboration_id>/withdraw/", views.collaboration_withdraw, name="collaboration_withdraw"),
]
