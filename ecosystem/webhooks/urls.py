"""Portal routes: ``urlpatterns`` under /t/<tenant>/ ("webhooks", owners only); no partner routes."""

from django.urls import path

from . import views

urlpatterns = [
    path("webhooks/", views.endpoints, name="endpoints"),
    path("webhooks/<uuid:endpoint_id>/", views.endpoint_detail, name="endpoint"),
    path("webhooks/<uuid:endpoint_id>/rotate-secret/", views.endpoint_rotate, name="endpoint_rotate"),
    path("webhooks/<uuid:endpoint_id>/test/", views.endpoint_test, name="endpoint_test"),
    path("webhooks/<uuid:endpoint_id>/active/", views.endpoint_active, name="endpoint_active"),
    path("webhooks/deliveries/<uuid:delivery_id>/resend/", views.delivery_resend, name="delivery_resend"),
]

partner_urlpatterns: list = []
