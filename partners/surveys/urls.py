"""Portal routes: ``urlpatterns`` under /t/<tenant>/ (vendor staff, "surveys"), ``partner_urlpatterns`` under
/p/<tenant>/ ("partner_surveys")."""

from django.urls import path

from . import views

urlpatterns = [
    path("surveys/", views.survey_list, name="list"),
    path("surveys/new/", views.survey_create, name="create"),
    path("surveys/<uuid:survey_id>/", views.survey_detail, name="detail"),
    path("surveys/<uuid:survey_id>/edit/", views.survey_edit, name="edit"),
]

partner_urlpatterns = [
    path("surveys/", views.partner_list, name="list"),
    path("surveys/<uuid:survey_id>/", views.partner_answer, name="answer"),
]
