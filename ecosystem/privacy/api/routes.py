"""This area's part of ``/api/v1/t/<tenant>/``: viewsets on the shared router, plus one-object endpoints."""

from django.urls import path

from .views import MyDataViewSet, PersonViewSet, RetentionViewSet


def register(router) -> None:
    """Add this area's viewsets to the tenant API router (ecosystem/api/urls.py calls it)."""
    router.register("privacy-people", PersonViewSet, basename="privacy-person")


urlpatterns: list = [  # paths relative to /api/v1/t/<tenant_slug>/, named in the "api" namespace
    path(
        "privacy-retention/",
        RetentionViewSet.as_view({"get": "retrieve", "put": "update"}),
        name="privacy-retention",
    ),
    path("my-data/", MyDataViewSet.as_view({"get": "retrieve"}), name="my-data"),
    path("my-data/export/", MyDataViewSet.as_view({"post": "export"}), name="my-data-export"),
]
