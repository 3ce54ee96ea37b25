"""Pages outside any tenant: the home page, opening a new program, accepting an invitation."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.selectors import tenant_by_slug

from . import services
from .forms import TenantCreateForm
from .models import STAFF_ROLES
from .selectors import memberships_of_user

PENDING_INVITATION = "pending_invitation"


def portal_url(membership) -> str:
    name = "portal:dashboard" if membership.role in STAFF_ROLES else "partner_portal:dashboard"
    return reverse(name, kwargs={"tenant_slug": membership.tenant.slug})


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "portal/landing.html")
    pending = request.session.pop(PENDING_INVITATION, None)
    if pending:
        return redirect(pending)
    memberships = memberships_of_user(user=request.user)
    if len(memberships) == 1:
        return redirect(portal_url(memberships[0]))
    return render(request, "portal/home.html", {"choices": [(m, portal_url(m)) for m in memberships]})


@login_required
@require_http_methods(["GET", "POST"])
def tenant_start(request: HttpRequest) -> HttpResponse:
    """A signed-up vendor opens their partner program and becomes its owner."""
    form = TenantCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not EmailAddress.objects.filter(user=request.user, verified=True).exists():
            form.add_error(None, _("Verify your email address first: we sent you a link."))
        else:
            try:
                tenant = services.tenant_create(owner=request.user, actor=request.user, **form.cleaned_data)
            except ApplicationError as error:
                form.add_error(error.field, error.message)
            else:
                messages.success(request, _("Your partner program is ready. Invite your colleagues and partners."))
                return redirect("portal:dashboard", tenant_slug=tenant.slug)
    return render(request, "accounts/tenant_start.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, tenant_slug: str, token: str) -> HttpResponse:
    tenant = tenant_by_slug(tenant_slug)
    if tenant is None:
        raise Http404
    with tenant_context(tenant.pk, user_id=getattr(request.user, "pk", None)):
        try:
            invitation = services.invitation_find(tenant=tenant, token=token)
        except NotFoundError as error:
            return render(request, "accounts/invitation_invalid.html", {"message": error.message}, status=404)
        context = {"tenant": tenant, "invitation": invitation, "error": None}
        if not request.user.is_authenticated:
            request.session[PENDING_INVITATION] = request.get_full_path()
            return render(request, "accounts/invitation_accept.html", context)
        if request.method == "POST":
            try:
                membership = services.invitation_accept(tenant=tenant, token=token, user=request.user)
            except ApplicationError as error:
                context["error"] = error.message
                return render(request, "accounts/invitation_accept.html", context, status=400)
            request.session.pop(PENDING_INVITATION, None)  # used up: the home page must not send them back here
            messages.success(request, _("Welcome to %(program)s.") % {"program": tenant.name})
            return redirect(portal_url(membership))
        return render(request, "accounts/invitation_accept.html", context)
