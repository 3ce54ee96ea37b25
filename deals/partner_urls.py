"""Partner portal routes for deal registration, under /p/<tenant_slug>/ with namespace "partner_deals".

Wrapped by the tenant base in ecosystem/urls.py (``tenant_urlpatterns(..., portal=PARTNER)``).
"""

from django.urls import path

from . import partner_views as views

urlpatterns = [
    path("deals/", views.registration_list, name="list"),
    path("deals/register/", views.register, name="register"),
    path("deals/precheck/", views.precheck, name="precheck"),
    path("deals/rules/", views.rules, name="rules"),
    path("deals/<uuid:registration_id>/", views.registration_detail, name="detail"),
    path("deals/<uuid:registration_id>/info/", views.registration_info, name="info"),
    path("deals/<uuid:registration_id>/stage/", views.registration_stage, name="stage"),
    path("deals/<uuid:registration_id>/withdraw/", views.registration_withdraw, name="withdraw"),
    path("deals/<uuid:registration_id>/appeal/", views.registration_appeal, name="appeal"),
    path("deals/<uuid:registration_id>/extension/", views.registration_extension, name="extension"),
]
