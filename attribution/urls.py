"""Portal routes: ``urlpatterns`` under /t/<tenant>/ (vendor staff, "attribution"), ``partner_urlpatterns`` under /p/<tenant>/."""

from django.urls import path

from . import views

urlpatterns = [
    path("attribution/", views.run_list, name="list"),
    path("attribution/runs/<uuid:run_id>/", views.run_detail, name="detail"),
    path("attribution/runs/<uuid:run_id>/export.csv", views.run_export, name="export"),
]

partner_urlpatterns: list = []
