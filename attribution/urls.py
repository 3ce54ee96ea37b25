"""Portal routes: ``urlpatterns`` under /t/<tenant>/ (vendor staff, "attribution"), ``partner_urlpatterns`` under /p/<tenant>/."""

from django.urls import path

from .views import partner, results, runs, touchpoints

urlpatterns = [
    path("attribution/", runs.run_list, name="list"),
    path("attribution/runs/<uuid:run_id>/", runs.run_detail, name="detail"),
    path("attribution/runs/<uuid:run_id>/export.csv", runs.run_export, name="export"),
    path("attribution/runs/<uuid:run_id>/deals/", results.journeys, name="journeys"),
    path("attribution/runs/<uuid:run_id>/deals.csv", results.journeys_export, name="journeys_export"),
    path("attribution/runs/<uuid:run_id>/deals/<uuid:registration_id>/", results.journey, name="journey"),
    path("attribution/runs.csv", results.runs_export, name="runs_export"),
    path("attribution/trend/", results.trend_view, name="trend"),
    path("attribution/touchpoints/", touchpoints.touchpoint_list, name="touchpoints"),
    path("attribution/touchpoints/import/", touchpoints.touchpoint_import, name="touchpoints_import"),
    path("attribution/touchpoints/export.csv", touchpoints.touchpoint_export, name="touchpoints_export"),
]

partner_urlpatterns: list = [
    path("attribution/", partner.overview, name="overview"),
    path("attribution/deals/<uuid:registration_id>/", partner.journey, name="journey"),
    path("attribution/export.csv", partner.export, name="export"),
]
