"""Portal routes: ``urlpatterns`` under /t/<tenant>/ (vendor staff, "scoring"), ``partner_urlpatterns`` under /p/<tenant>/."""

from django.urls import path

from . import views

urlpatterns = [
    path("health/", views.health_list, name="health"),
    path("health/settings/", views.health_settings, name="health_settings"),
    path("health/<uuid:partner_id>/", views.health_detail, name="health_detail"),
]

partner_urlpatterns = [
    path("health/", views.my_health, name="health"),
]
