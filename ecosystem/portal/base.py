"""The one tenant base for portal views.

Every route under ``/t/<tenant_slug>/`` (vendor portal) and ``/p/<tenant_slug>/`` (partner portal)
is wrapped by :func:`tenant_urlpatterns`, so no view can forget it. The wrapper:

1. sends anonymous visitors to the login page;
2. finds the tenant by slug (unknown or inactive -> 404);
3. opens the tenant scope: one transaction that sets the row-level security settings;
4. finds the visitor's active membership; none, or one for the other portal -> 404, the same
   answer as for a tenant that does not exist;
5. requires an authenticator app for vendor staff when the tenant asks for it;
6. narrows partner users to their own organisation (application and database);
7. renders the response inside the transaction, then commits (or rolls back on an error).

Views then declare who may use them with :func:`roles_required`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, URLResolver
from django.utils.translation import gettext as _

from ecosystem.accounts.models import PARTNER_ROLES, STAFF_ROLES
from ecosystem.accounts.selectors import membership_for
from ecosystem.errors import NotFoundError
from ecosystem.tenancy.context import restrict_to_partner, tenant_context
from ecosystem.tenancy.selectors import tenant_by_slug

VENDOR = "vendor"
PARTNER = "partner"


def has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def tenant_view(view: Callable, *, portal: str) -> Callable:
    allowed_roles = STAFF_ROLES if portal == VENDOR else PARTNER_ROLES

    @functools.wraps(view)
    def wrapped(request: HttpRequest, tenant_slug: str, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        tenant = tenant_by_slug(tenant_slug)
        if tenant is None:
            raise Http404
        with tenant_context(tenant.pk, user_id=request.user.pk):
            membership = membership_for(tenant=tenant, user=request.user)
            if membership is None or membership.role not in allowed_roles:
                raise Http404
            if portal == VENDOR and tenant.require_staff_mfa and not has_totp(request.user):
                messages.warning(
                    request, _("%(program)s asks vendor staff to set up an authenticator app first.") % {"program": tenant.name}
                )
                return redirect_to_login(request.get_full_path(), login_url="mfa_activate_totp")
            if membership.partner_id is not None:
                restrict_to_partner(membership.partner_id)
            request.tenant = tenant
            request.membership = membership
            request.portal = portal
            try:
                response = view(request, *args, **kwargs)
            except NotFoundError:
                raise Http404 from None
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            if response.status_code >= 500:
                transaction.set_rollback(True)
            return response

    wrapped.tenant_portal = portal
    return wrapped


def tenant_urlpatterns(patterns: Iterable[URLPattern | URLResolver], *, portal: str) -> list:
    """Wrap every view in ``patterns`` with :func:`tenant_view` for ``portal``."""
    wrapped = []
    for pattern in patterns:
        if not isinstance(pattern, URLPattern):
            raise TypeError("tenant_urlpatterns takes plain path() entries, not include()")
        pattern.callback = tenant_view(pattern.callback, portal=portal)
        wrapped.append(pattern)
    return wrapped


def roles_required(*roles: str) -> Callable:
    """Only these membership roles may use the view; others get a friendly 403."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.membership.role not in roles:
                raise PermissionDenied(_("Your role does not allow this."))
            return view(request, *args, **kwargs)

        wrapped.required_roles = frozenset(roles)
        return wrapped

    return decorator


def back_to_tenant(request: HttpRequest, name: str, **kwargs) -> HttpResponse:
    return redirect(name, tenant_slug=request.tenant.slug, **kwargs)
