"""Portal routes: ``urlpatterns`` under /t/<tenant>/ (vendor staff), ``partner_urlpatterns`` under /p/<tenant>/."""

from django.urls import path

from . import views

urlpatterns = [
    path("slas/", views.overview, name="overview"),
    path("slas/<uuid:sla_id>/edit/", views.definition_edit, name="edit"),
    path("slas/breaches/", views.breaches, name="breaches"),
    path("slas/partners/<uuid:partner_id>/", views.partner_detail, name="partner"),
]

partner_urlpatterns = [
    path("slas/", views.mine, name="mine"),
]
