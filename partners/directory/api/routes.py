"""This area's part of ``/api/v1/t/<tenant>/``: viewsets on the shared router, plus one-object endpoints."""

from django.urls import path

from .views import (
    CollaborationViewSet,
    DirectoryViewSet,
    EcosystemMapViewSet,
    MyCollaborationViewSet,
    MyDirectoryProfileViewSet,
)


def register(router) -> None:
    """Add this area's viewsets to the tenant API router (ecosystem/api/urls.py calls it)."""
    # the directory: published profiles (partner users), every profile (staff)
    router.register("directory", DirectoryViewSet, basename="directory")
    # collaboration requests: every one (staff, read); the caller's own (partner users)
    router.register("collaborations", CollaborationViewSet, basename="collaboration")
    router.register("my-collaborations", MyCollaborationViewSet, basename="my-collaboration")


urlpatterns: list = [  # paths relative to /api/v1/t/<tenant_slug>/, named in the "api" namespace
    # a partner user's own directory profile: one object, no id
    path(
        "my-directory-profile/",
        MyDirectoryProfileViewSet.as_view({"get": "retrieve", "put": "update", "patch": "partial_update"}),
        name="my-directory-profile",
    ),
    # the ecosystem map (staff): one object, no id
    path("ecosystem-map/", EcosystemMapViewSet.as_view({"get": "retrieve"}), name="ecosystem-map"),
]
