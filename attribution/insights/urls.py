"""Portal routes: ``urlpatterns`` under /t/<tenant>/ (vendor staff, "insights"); partners have their scorecard instead."""

from django.urls import path

from . import views

urlpatterns = [
    path("insights/", views.dashboard, name="dashboard"),
    path("insights/rows/", views.rows, name="rows"),
]

partner_urlpatterns: list = []
