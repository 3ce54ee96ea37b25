"""Content library pages: the vendor's library (list, add, edit, unpublish) and the partner's view of it.

The partner side calls the same services as any other entry point: the sales-access gate is
enforced in :func:`partners.content.content_download`, not by hiding links.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES
from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.exports import export_format, export_response
from ecosystem.portal.base import back_to_tenant, roles_required
from onboarding.services import partner_access_gate

from . import content
from .forms import ContentItemForm
from .models import PartnerType, Tier

PAGE_SIZE = 25
GATE_CLOSED = "onboarding_incomplete"


def _form_error(form: ContentItemForm, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


# --- vendor portal -------------------------------------------------------------------------------


@roles_required(*STAFF_ROLES)
def content_list(request: HttpRequest) -> HttpResponse:
    partner_type = request.GET.get("partner_type", "")
    partner_type = partner_type if partner_type in PartnerType.values else ""
    published = {"yes": True, "no": False}.get(request.GET.get("published", ""))
    queryset = content.content_list(tenant=request.tenant, partner_type=partner_type or None, published=published)
    if export_format(request):
        rows = queryset.select_related(None).values_list(
            "public_id",
            "title",
            "kind",
            "url",
            "original_filename",
            "partner_types",
            "min_tier__name",
            "is_published",
            "created_at",
        )
        return export_response(
            request,
            filename=f"content-{request.tenant.slug}.csv",
            header=["id", "title", "kind", "link", "file_name", "partner_types", "lowest_tier", "published", "created_at"],
            rows=((*row[:5], " ".join(row[5]), *row[6:]) for row in rows.iterator()),
        )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = QueryDict(mutable=True)
    if partner_type:
        query["partner_type"] = partner_type
    if published is not None:
        query["published"] = request.GET["published"]
    context = {
        "page": page,
        "query": query.urlencode(),
        "partner_type": partner_type,
        "published": request.GET.get("published", "") if published is not None else "",
        "partner_types": PartnerType.choices,
        "type_labels": dict(PartnerType.choices),
        "can_edit": request.membership.role in PARTNER_EDITOR_ROLES,
    }
    return render(request, "partners/content_list.html", context)


@roles_required(*PARTNER_EDITOR_ROLES)
def content_create(request: HttpRequest) -> HttpResponse:
    form = ContentItemForm(request.POST or None, request.FILES or None, tiers=Tier.objects.filter(tenant=request.tenant))
    if request.method == "POST" and form.is_valid():
        try:
            item = content.content_create(tenant=request.tenant, actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("%(title)s was added to the library.") % {"title": item.title})
            return back_to_tenant(request, "content:list")
    status = 400 if request.method == "POST" else 200
    return render(request, "partners/content_form.html", {"form": form, "item": None}, status=status)


@roles_required(*PARTNER_EDITOR_ROLES)
def content_edit(request: HttpRequest, item_id) -> HttpResponse:
    item = content.access_content_item(tenant=request.tenant, public_id=item_id)
    initial = {
        "title": item.title,
        "description": item.description,
        "url": item.url,
        "partner_types": item.partner_types,
        "min_tier": str(item.min_tier.public_id) if item.min_tier_id else "",
        "is_published": item.is_published,
    }
    tiers = Tier.objects.filter(tenant=request.tenant)
    form = ContentItemForm(request.POST or None, request.FILES or None, initial=initial, item=item, tiers=tiers)
    if request.method == "POST" and form.is_valid():
        values = {key: value for key, value in form.cleaned_data.items() if not (key == "file" and value is None)}
        try:
            content.content_update(tenant=request.tenant, actor=request.user, item=item, **values)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return back_to_tenant(request, "content:list")
    status = 400 if request.method == "POST" else 200
    return render(request, "partners/content_form.html", {"form": form, "item": item}, status=status)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def content_unpublish(request: HttpRequest, item_id) -> HttpResponse:
    item = content.access_content_item(tenant=request.tenant, public_id=item_id)
    content.content_unpublish(tenant=request.tenant, actor=request.user, item=item)
    messages.success(request, _("%(title)s is no longer shown to partners.") % {"title": item.title})
    return back_to_tenant(request, "content:list")


# --- partner portal ------------------------------------------------------------------------------


@roles_required(*PARTNER_ROLES)
def my_content(request: HttpRequest) -> HttpResponse:
    """The items for the partner's type once sales access is open; until then, the steps still missing."""
    partner = request.membership.partner
    gate = partner_access_gate(tenant=request.tenant, partner_id=partner.pk)
    page = None
    if gate.is_open:
        page = Paginator(content.content_for_partner(tenant=request.tenant, partner=partner), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    return render(request, "partners/my_content.html", {"gate": gate, "page": page})


@roles_required(*PARTNER_ROLES)
def my_content_download(request: HttpRequest, item_id) -> HttpResponse:
    """Send the file as an attachment, or redirect to the link. 404 for items not for this partner's type."""
    partner = request.membership.partner
    item = content.access_content_item(tenant=request.tenant, public_id=item_id, partner=partner)
    try:
        delivery = content.content_download(tenant=request.tenant, partner_id=partner.pk, user=request.user, item=item)
    except NotFoundError:
        raise
    except ApplicationError as error:
        if error.code != GATE_CLOSED:
            raise
        gate = partner_access_gate(tenant=request.tenant, partner_id=partner.pk)
        return render(request, "partners/content_locked.html", {"gate": gate, "item": item}, status=403)
    if delivery.redirect_url:
        return HttpResponseRedirect(delivery.redirect_url)
    response = FileResponse(delivery.file, as_attachment=True, filename=delivery.filename)
    response["Cache-Control"] = "private, no-store"
    return response
