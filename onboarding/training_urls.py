from django.urls import path

from . import training_views as views

app_name = "training"

# Under /t/<tenant_slug>/ (vendor portal): wrapped by the tenant base in ecosystem/urls.py.
urlpatterns = [
    path("training/", views.overview, name="overview"),
    path("training/certifications/", views.certification_list, name="certifications"),
    path("training/certifications/<uuid:certification_id>/revoke/", views.certification_revoke, name="certification_revoke"),
    path("training/partners/<uuid:partner_id>/", views.partner_team_training, name="partner_team"),
]

# Under /p/<tenant_slug>/ (partner portal).
partner_urlpatterns = [
    path("training/", views.catalogue, name="catalogue"),
    path("training/courses/<uuid:course_id>/", views.course, name="course"),
    path("training/certifications/", views.my_certifications, name="certifications"),
    path("training/certifications/<uuid:certification_id>/", views.certification, name="certification"),
    path("training/team/", views.team_training, name="team"),
    path("training/team/<uuid:membership_id>/", views.team_member_training, name="team_member"),
]
