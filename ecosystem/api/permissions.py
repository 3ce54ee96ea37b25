"""Permissions shared by API views beyond the tenant base's roles."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from .authentication import ApiKeyUser


class PeopleOnly(permissions.BasePermission):
    """Signed-in people only, never an API key: for granting access (API keys, invitations, memberships).

    A key that could mint keys or invite an owner would turn one leaked secret into lasting access that
    survives the key's revocation. Answers ``403 api_key_forbidden``.
    """

    message = _("API keys and people are managed by signed-in people, not by an API key.")
    code = "api_key_forbidden"

    def has_permission(self, request, view) -> bool:
        return not isinstance(request.user, ApiKeyUser)
