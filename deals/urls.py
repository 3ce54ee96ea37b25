"""Vendor portal routes for deal registrations, mounted under ``/t/<tenant>/`` with the namespace ``deals``."""

from django.urls import path

from . import views

app_name = "deals"

urlpatterns = [
    path("deals/registrations/", views.registration_queue, name="queue"),
    path("deals/registrations/<uuid:registration_id>/", views.registration_detail, name="registration"),
    path("deals/registrations/<uuid:registration_id>/approve/", views.registration_approve, name="approve"),
    path("deals/registrations/<uuid:registration_id>/reject/", views.registration_reject, name="reject"),
    path("deals/registrations/<uuid:registration_id>/request-info/", views.registration_request_info, name="request_info"),
    path("deals/registrations/<uuid:registration_id>/stage/", views.registration_stage, name="stage"),
    path("deals/registrations/<uuid:registration_id>/takeover/", views.registration_takeover, name="takeover"),
    path("deals/appeals/", views.appeals, name="appeals"),
    path("deals/appeals/<uuid:appeal_id>/decide/", views.appeal_decide, name="appeal_decide"),
    path("deals/extensions/<uuid:extension_id>/decide/", views.extension_decide, name="extension_decide"),
    path("deals/rules/", views.rules, name="rules"),
    path("deals/product-lines/", views.product_lines, name="product_lines"),
    path("deals/product-lines/<uuid:line_id>/retire/", views.product_line_retire, name="product_line_retire"),
]
