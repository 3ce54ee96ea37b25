"""Portal routes: ``urlpatterns`` under /t/<tenant>/ (vendor staff, "scorecard"), ``partner_urlpatterns``
under /p/<tenant>/ ("partner_scorecard")."""

from django.urls import path

from . import views

urlpatterns = [
    path("partners/<uuid:partner_id>/scorecard/", views.partner_scorecard_page, name="partner"),
]

partner_urlpatterns = [
    path("scorecard/", views.my_scorecard, name="mine"),
]
