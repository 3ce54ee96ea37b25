"""The one base every tenant API view inherits. It owns tenant resolution and cannot be bypassed.

Subclasses implement :meth:`TenantViewSet.scoped_queryset` and the actions; overriding
``dispatch``, ``initial``, ``get_queryset`` or ``get_object`` is a TypeError at import time.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import exceptions, viewsets

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES, Membership
from ecosystem.errors import NotFoundError
from ecosystem.tenancy.context import restrict_to_partner, tenant_context
from ecosystem.tenancy.models import Tenant
from ecosystem.tenancy.selectors import tenant_by_slug

from .authentication import ApiKeyUser
from .models import ApiKey

_SEALED = ("dispatch", "initial", "get_queryset", "get_object")
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _refuse_null_characters(request) -> None:
    """A NUL character in a query parameter is a 400 for every view. PostgreSQL refuses it in any text,
    so a parameter a view reads by hand (not through a form field, which refuses it) answered 500."""
    for name, value in request.query_params.items():
        if "\x00" in value:
            raise exceptions.ValidationError(
                {name: [exceptions.ErrorDetail(_("Null characters are not allowed."), code="null_characters_not_allowed")]}
            )


class TenantViewSet(viewsets.GenericViewSet):
    """Tenant-scoped API base: ``/api/v1/t/<tenant_slug>/…``.

    Resolution, in order: the tenant from the URL (missing -> 404); authentication inside that
    tenant's scope (API keys are looked up only there); the caller's standing in the tenant: an
    API key of this tenant, or an active membership (none -> 404, exactly as a missing object);
    the role: ``read_roles`` for safe methods, ``write_roles`` otherwise (partner users outside
    ``read_roles`` -> 404; staff without the role -> 403). Partner users are then restricted to their
    own organisation in the application and in the database.
    """

    lookup_field = "public_id"
    lookup_url_kwarg = "public_id"
    lookup_value_converter = "uuid"
    read_roles: ClassVar[frozenset[str]] = frozenset(STAFF_ROLES)
    write_roles: ClassVar[frozenset[str]] = frozenset(PARTNER_EDITOR_ROLES)

    model: ClassVar[type]  # the model the viewset serves (the OpenAPI generator asks for it)
    tenant: Tenant | None = None
    membership: Membership | None = None
    api_key: ApiKey | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in _SEALED:
            if name in cls.__dict__:
                raise TypeError(f"{cls.__name__} may not override {name}(); implement scoped_queryset() instead")

    # --- sealed -------------------------------------------------------------------------------

    def dispatch(self, request, *args, **kwargs):
        slug = kwargs.pop("tenant_slug", None)
        self.tenant = tenant_by_slug(slug)
        if self.tenant is None:
            return super().dispatch(request, *args, **kwargs)  # initial() answers 404
        user_id = getattr(request.user, "pk", None) if hasattr(request, "user") else None
        with tenant_context(self.tenant.pk, user_id=user_id):
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)  # authentication, IsAuthenticated, throttles
        if self.tenant is None:
            raise exceptions.NotFound()
        _refuse_null_characters(request)
        write = request.method not in _SAFE_METHODS
        if isinstance(request.user, ApiKeyUser):
            self.api_key = request.user.api_key
            if write and not self.api_key.can_write:
                raise exceptions.PermissionDenied(code="read_only_key", detail=_("This API key may only read."))
            return
        membership = Membership.objects.select_related("partner").filter(user=request.user, is_active=True).first()
        if membership is None or membership.role not in self.read_roles | self.write_roles:
            raise exceptions.NotFound()
        self.membership = membership
        if membership.partner_id is not None:
            restrict_to_partner(membership.partner_id)
        if write and membership.role not in self.write_roles:
            raise exceptions.PermissionDenied(code="role_forbidden", detail=_("Your role may not change this."))
        if not write and membership.role not in self.read_roles:
            raise exceptions.NotFound()

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request, no tenant
            return self.model._base_manager.none()
        return self.scoped_queryset()

    def get_object(self):
        queryset = self.filter_queryset(self.get_queryset())
        try:
            obj = queryset.get(**{self.lookup_field: self.kwargs[self.lookup_url_kwarg]})
        except (queryset.model.DoesNotExist, ValueError, TypeError):
            raise NotFoundError() from None
        self.check_object_permissions(self.request, obj)
        return obj

    # --- for subclasses -----------------------------------------------------------------------

    def scoped_queryset(self) -> QuerySet:
        raise NotImplementedError

    @property
    def actor(self):
        """Who the audit log names: the API key, or the person."""
        return self.api_key if self.api_key is not None else self.request.user

    @property
    def caller_partner_id(self) -> int | None:
        return self.membership.partner_id if self.membership is not None else None
