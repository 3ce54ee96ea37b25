from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from ecosystem.tenancy.context import current_scope

from .models import ApiKey
from .services import api_key_touch, secret_matches

_KEY_FORMAT = re.compile(r"^prm_(?P<prefix>[0-9a-f]{8})_(?P<secret>[A-Za-z0-9_-]{20,})$")


class MalformedApiKey(exceptions.AuthenticationFailed):
    default_code = "malformed_api_key"
    default_detail = _("The API key is malformed. Expected: Authorization: Bearer prm_<prefix>_<secret>.")


class InvalidApiKey(exceptions.AuthenticationFailed):
    default_code = "invalid_api_key"
    default_detail = _("The API key is not valid for this tenant, or it has been revoked.")


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer prm_<prefix>_<secret>``, looked up inside the URL's tenant only.

    A key of another tenant is simply not found (row-level security and the scoped manager both
    say so), and is answered exactly like a wrong or revoked key.
    """

    keyword = "Bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        keyword, _sep, token = header.partition(" ")
        if keyword != self.keyword:
            return None  # e.g. Basic: not ours
        match = _KEY_FORMAT.match(token.strip())
        if not match:
            raise MalformedApiKey()
        if current_scope() is None:  # unknown tenant in the URL: nothing to look the key up in
            raise InvalidApiKey()
        api_key = ApiKey.objects.select_related("created_by").filter(prefix=match["prefix"], revoked_at__isnull=True).first()
        if api_key is None or not secret_matches(api_key, match["secret"]):
            raise InvalidApiKey()
        api_key_touch(api_key=api_key)
        return (ApiKeyUser(api_key), api_key)

    def authenticate_header(self, request) -> str:
        return self.keyword


class ApiKeyUser:
    """The request.user of an API-key request: authenticated, no person, no membership."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, api_key: ApiKey) -> None:
        self.api_key = api_key

    def __str__(self) -> str:
        return f"API key {self.api_key.name}"


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """Describes API keys in the OpenAPI document as HTTP bearer authentication."""

    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "prm_<prefix>_<secret>",
            "description": "A tenant API key, created by an owner in the portal (API keys page).",
        }
