"""Vendor portal: the partner list, a partner's page, creating and editing partners."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deals.sla.selectors import sla_report
from ecosystem.accounts.forms import InvitationForm
from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES, Role
from ecosystem.accounts.selectors import pending_invitations, team_members
from ecosystem.errors import ApplicationError
from ecosystem.exports import export_format, export_queryset
from ecosystem.portal.base import back_to_tenant, roles_required
from ecosystem.portal.forms import ReasonForm
from ecosystem.portal.lists import filter_query

from . import contacts, lifecycle, selectors, services
from .forms import PartnerEditForm, PartnerForm
from .models import PartnerStatus, Tier

PAGE_SIZE = 25


@roles_required(*STAFF_ROLES)
def partner_list(request: HttpRequest) -> HttpResponse:
    partner_filter = selectors.partner_filter(tenant=request.tenant, data=request.GET)
    queryset = partner_filter.qs.order_by("name", "id")
    if export_format(request):
        return export_queryset(
            request,
            filename=f"partners-{request.tenant.slug}.csv",
            queryset=queryset,
            columns={
                "id": "public_id",
                "name": "name",
                "type": "partner_type",
                "website_domain": "website_domain",
                "country": "country",
                "status": "status",
                "created_at": "created_at",
            },
        )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": partner_filter,
        "page": page,
        "query": filter_query(request, partner_filter),
        "can_edit": request.membership.role in PARTNER_EDITOR_ROLES,
    }
    template = "partners/partner_list.html#results" if request.htmx else "partners/partner_list.html"
    return render(request, template, context)


@roles_required(*PARTNER_EDITOR_ROLES)
def partner_create(request: HttpRequest) -> HttpResponse:
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            partner = services.partner_create(tenant=request.tenant, actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": partner.name})
            return back_to_tenant(request, "partners:detail", partner_id=partner.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "partners/partner_form.html", {"form": form, "partner": None}, status=status)


@roles_required(*STAFF_ROLES)
def partner_detail(request: HttpRequest, partner_id) -> HttpResponse:
    partner = selectors.access_partner(tenant=request.tenant, public_id=partner_id)
    context = {
        "partner": partner,
        "members": team_members(tenant=request.tenant, partner_id=partner.pk),
        "invitations": pending_invitations(tenant=request.tenant, partner_id=partner.pk),
        "invite_form": InvitationForm(roles=[Role.PARTNER_ADMIN, Role.PARTNER_REP]),
        "can_edit": request.membership.role in PARTNER_EDITOR_ROLES,
        "is_retired": partner.status == PartnerStatus.RETIRED,
        "status_history": selectors.partner_status_history(tenant=request.tenant, partner_id=partner.pk),
        "tiers": Tier.objects.filter(tenant=request.tenant),
        "sla": sla_report(tenant=request.tenant, partner_id=partner.pk),  # its SLA figures, both sides (3 queries)
        "contacts": contacts.partner_contacts(tenant=request.tenant, partner_id=partner.pk),  # one query, any number
    }
    return render(request, "partners/partner_detail.html", context)


@roles_required(*PARTNER_EDITOR_ROLES)
def partner_edit(request: HttpRequest, partner_id) -> HttpResponse:
    partner = selectors.access_partner(tenant=request.tenant, public_id=partner_id)
    initial = {field: getattr(partner, field) for field in services.EDITABLE_FIELDS}
    initial["country"] = partner.country.code or ""
    form = PartnerEditForm(request.POST or None, request.FILES or None, initial=initial, has_logo=bool(partner.logo))
    if request.method == "POST" and form.is_valid():
        logo = form.cleaned_data.pop("logo", None)
        remove_logo = form.cleaned_data.pop("remove_logo", False)
        try:
            with transaction.atomic():  # the fields and the logo together, or neither
                services.partner_update(tenant=request.tenant, actor=request.user, partner=partner, **form.cleaned_data)
                if logo is not None:
                    services.partner_logo_set(tenant=request.tenant, actor=request.user, partner=partner, upload=logo)
                elif remove_logo:
                    services.partner_logo_remove(tenant=request.tenant, actor=request.user, partner=partner)
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Changes saved."))
            return back_to_tenant(request, "partners:detail", partner_id=partner.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "partners/partner_form.html", {"form": form, "partner": partner}, status=status)


@roles_required(*STAFF_ROLES, *PARTNER_ROLES)
def partner_logo(request: HttpRequest, partner_id) -> HttpResponse:
    """The partner's logo, to the tenant's staff (vendor portal) and the partner's own users (partner portal).

    Never from a public address: the file is read here after the access check, sent inline as an
    image with its own content type and ``nosniff``, so a browser never takes it for anything else.
    """
    partner = selectors.access_partner(tenant=request.tenant, public_id=partner_id, partner_id=request.membership.partner_id)
    if not partner.logo:
        raise Http404
    try:
        handle = partner.logo.storage.open(partner.logo.name, "rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    extension = partner.logo.name.rsplit(".", 1)[-1].lower()
    response = FileResponse(
        handle, content_type=services.partner_logo_content_type(partner), filename=f"logo.{extension}", as_attachment=False
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def partner_retire(request: HttpRequest, partner_id) -> HttpResponse:
    """Offboard the partner: its users lose access at once (see partners.lifecycle)."""
    partner = selectors.access_partner(tenant=request.tenant, public_id=partner_id)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        lifecycle.partner_retire(
            tenant=request.tenant, actor=request.user, partner=partner, reason=form.cleaned_data.get("reason", "")
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s is retired: its users no longer have access.") % {"name": partner.name})
    return back_to_tenant(request, "partners:detail", partner_id=partner.public_id)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def partner_reactivate(request: HttpRequest, partner_id) -> HttpResponse:
    partner = selectors.access_partner(tenant=request.tenant, public_id=partner_id)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        lifecycle.partner_reactivate(
            tenant=request.tenant, actor=request.user, partner=partner, reason=form.cleaned_data.get("reason", "")
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s is active again, with the users it had.") % {"name": partner.name})
    return back_to_tenant(request, "partners:detail", partner_id=partner.public_id)
