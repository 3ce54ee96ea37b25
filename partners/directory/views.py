"""Directory, collaboration and ecosystem-map pages.

Partner portal: the directory search and a partner's profile page (published profiles only, and
one's own), one's own profile (partner admins edit and publish it), the collaboration inbox and
outbox, the request form (``collaboration_new``, prefilled from the query string) and a request's
page with accept / decline / withdraw. Vendor portal: every profile, every collaboration (filters,
CSV) and the ecosystem map.

Every read goes through :mod:`partners.directory.selectors` and every write through
:mod:`partners.directory.services`, as the API does.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecosystem.accounts.models import PARTNER_ROLES, STAFF_ROLES, Role
from ecosystem.errors import ApplicationError
from ecosystem.exports import export_format, export_response
from ecosystem.portal.base import back_to_tenant, roles_required
from ecosystem.portal.lists import filter_query
from partners.models import Capability, PartnerOrganization

from . import selectors, services
from .forms import CollaborationForm, DirectoryProfileForm
from .models import CollaborationStatus, CollaborationSubject

PAGE_SIZE = 20


def _partner_id(request: HttpRequest) -> int:
    return request.membership.partner_id


def _form_error(form, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _filter_query(filters: selectors.DirectoryFilters) -> str:
    query = QueryDict(mutable=True)
    for name in ("q", "capability", "region", "partner_type", "tier"):
        if getattr(filters, name):
            query[name] = getattr(filters, name)
    return query.urlencode()


def _directory_export(request: HttpRequest, *, published_only: bool) -> HttpResponse:
    """The filtered directory, every card (not one page): the same public fields the cards show; four queries."""
    filters = selectors.DirectoryFilters.from_data(request.GET)
    cards = selectors.directory_search(tenant=request.tenant, filters=filters, paginate=iter, published_only=published_only)
    header = ["partner_id", "name", "type", "tier", "headline", "capabilities", "regions", "industries", "contact_email"]
    header += ["solutions", "updated_at"] + ([] if published_only else ["published"])
    rows = (
        [
            card.partner_id,
            card.name,
            card.partner_type_label,
            card.tier,
            card.headline,
            "; ".join(card.capabilities),
            "; ".join(card.region_labels),
            "; ".join(card.industries),
            card.contact_email,
            "; ".join(card.solutions),
            card.updated_at,
        ]
        + ([] if published_only else [card.is_published])
        for card in cards
    )
    return export_response(request, filename=f"partner-directory-{request.tenant.slug}.csv", header=header, rows=rows)


def _directory_page(request: HttpRequest, *, published_only: bool):
    filters = selectors.DirectoryFilters.from_data(request.GET)
    holder: dict = {}

    def paginate(queryset):
        holder["page"] = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        return holder["page"].object_list

    cards = selectors.directory_search(tenant=request.tenant, filters=filters, paginate=paginate, published_only=published_only)
    return filters, holder["page"], cards


# --- partner portal: the directory -----------------------------------------------------------------


@roles_required(*PARTNER_ROLES)
def search(request: HttpRequest) -> HttpResponse:
    if export_format(request):
        return _directory_export(request, published_only=True)
    filters, page, cards = _directory_page(request, published_only=True)
    context = {
        "filters": filters,
        "page": page,
        "cards": cards,
        "query": _filter_query(filters),
        "options": selectors.directory_options(tenant=request.tenant),
        "my_partner_id": request.membership.partner.public_id,
    }
    template = "directory/search.html#results" if request.htmx else "directory/search.html"
    return render(request, template, context)


@roles_required(*PARTNER_ROLES)
def profile(request: HttpRequest, partner_id) -> HttpResponse:
    card = selectors.directory_card(tenant=request.tenant, partner_public_id=partner_id, viewer_partner_id=_partner_id(request))
    is_own = card.partner_id == request.membership.partner.public_id
    return render(request, "directory/profile.html", {"card": card, "is_own": is_own})


@roles_required(*PARTNER_ROLES)
def my_profile(request: HttpRequest) -> HttpResponse:
    partner = request.membership.partner
    current = selectors.own_profile(tenant=request.tenant, partner=partner)
    can_edit = request.membership.role == Role.PARTNER_ADMIN
    capabilities = list(Capability.objects.filter(tenant=request.tenant).order_by("name").values_list("slug", "name"))
    initial = {name: getattr(current, name) for name in services.PROFILE_FIELDS}
    initial["industries"] = ", ".join(current.industries)
    form = DirectoryProfileForm(request.POST or None, initial=initial, capabilities=capabilities)
    status = 200
    if request.method == "POST":
        if not can_edit:
            messages.error(request, _("Your partner admin edits the directory profile."))
            return back_to_tenant(request, "partner_directory:my_profile")
        if form.is_valid():
            try:
                services.directory_profile_save(
                    tenant=request.tenant, actor=request.user, partner=partner, values=form.cleaned_data
                )
            except ApplicationError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Profile saved."))
                return back_to_tenant(request, "partner_directory:my_profile")
        status = 400
    context = {"form": form, "profile": current, "can_edit": can_edit}
    return render(request, "directory/my_profile.html", context, status=status)


def _publish(request: HttpRequest, *, publish: bool) -> HttpResponse:
    try:
        services.directory_profile_publish(
            tenant=request.tenant, actor=request.user, partner=request.membership.partner, publish=publish
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Your profile is in the directory: the program's other partners see it.")
            if publish
            else _("Your profile is no longer in the directory."),
        )
    return back_to_tenant(request, "partner_directory:my_profile")


@require_POST
@roles_required(Role.PARTNER_ADMIN)
def publish(request: HttpRequest) -> HttpResponse:
    return _publish(request, publish=True)


@require_POST
@roles_required(Role.PARTNER_ADMIN)
def unpublish(request: HttpRequest) -> HttpResponse:
    return _publish(request, publish=False)


# --- partner portal: collaborations ----------------------------------------------------------------


@roles_required(*PARTNER_ROLES)
def collaborations(request: HttpRequest) -> HttpResponse:
    box = request.GET.get("box", "")
    box = box if box in ("in", "out") else ""
    status = request.GET.get("status", "")
    status = status if status in CollaborationStatus.values else ""
    queryset = selectors.collaborations_for_partner(
        tenant=request.tenant, partner_id=_partner_id(request), box=box, status=status
    )
    if export_format(request):
        # the caller's own collaborations as the page shows them: two queries (the rows, the partner names)
        views = selectors.collaboration_views(tenant=request.tenant, rows=queryset, partner_id=_partner_id(request))
        return export_response(
            request,
            filename="my-collaborations.csv",
            header=[
                "id",
                "direction",
                "sent_at",
                "from_partner",
                "to_partner",
                "about",
                "subject",
                "cosell_role",
                "component_role",
                "status",
                "answered_at",
                "message",
                "answer",
            ],
            rows=(
                [
                    v.id,
                    v.direction,
                    v.requested_at,
                    v.from_partner,
                    v.to_partner,
                    v.subject_kind,
                    v.subject_label,
                    v.cosell_role,
                    v.component_role,
                    v.status,
                    v.answered_at,
                    v.message,
                    v.response_note,
                ]
                for v in views
            ),
        )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.collaboration_views(tenant=request.tenant, rows=page.object_list, partner_id=_partner_id(request))
    query = QueryDict(mutable=True)
    if box:
        query["box"] = box
    if status:
        query["status"] = status
    context = {
        "page": page,
        "rows": rows,
        "box": box,
        "status": status,
        "statuses": CollaborationStatus.choices,
        "query": query.urlencode(),
        "can_answer": request.membership.role == Role.PARTNER_ADMIN,
    }
    return render(request, "directory/collaborations.html", context)


@roles_required(*PARTNER_ROLES)
def collaboration_new(request: HttpRequest) -> HttpResponse:
    """GET: the form, prefilled from ``?to=<partner>&about=<kind>&id=<record>&message=<text>``; POST: send it.

    The prefill only fills the form: every value is checked again when it is sent.
    """
    partner_id = _partner_id(request)
    recipients = selectors.collaboration_recipients(tenant=request.tenant, exclude_partner_id=partner_id)
    subjects = selectors.collaboration_subjects(tenant=request.tenant, partner_id=partner_id)
    about = request.GET.get("about", "")
    initial = {
        "to": request.GET.get("to", ""),
        "about": about if about in CollaborationSubject.values else CollaborationSubject.GENERAL,
        "subject": request.GET.get("id", "") if about in CollaborationSubject.values else "",
        "message": request.GET.get("message", "")[:2000],
    }
    known = {str(p["public_id"]) for p in recipients}
    if initial["to"] not in known:
        initial["to"] = ""  # only partners the sender may write to are ever echoed back
    if initial["subject"] not in {value for value, _label in subjects}:
        initial["subject"] = ""
    form = CollaborationForm(request.POST or None, initial=initial, recipients=recipients, subjects=subjects)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                to_partner = selectors.published_partner(tenant=request.tenant, public_id=data["to"])
                subject = selectors.collaboration_subject(
                    tenant=request.tenant, partner_id=partner_id, kind=data["about"], public_id=data["subject"]
                )
                created = services.collaboration_request(
                    tenant=request.tenant,
                    actor=request.user,
                    from_partner=request.membership.partner,
                    to_partner=to_partner,
                    subject_kind=data["about"],
                    subject=subject,
                    message=data["message"],
                    cosell_role=data["cosell_role"],
                    component_role=data["component_role"],
                )
            except ApplicationError as error:
                field = {"to_partner": "to", "subject_kind": "about"}.get(error.field or "", error.field)
                form.add_error(field if field in form.fields else None, error.message)
            else:
                messages.success(request, _("Request sent to %(name)s.") % {"name": to_partner.name})
                return back_to_tenant(request, "partner_directory:collaboration", collaboration_id=created.public_id)
        status = 400
    return render(request, "directory/collaboration_form.html", {"form": form}, status=status)


@roles_required(*PARTNER_ROLES)
def collaboration(request: HttpRequest, collaboration_id) -> HttpResponse:
    found = selectors.access_collaboration(tenant=request.tenant, public_id=collaboration_id, partner_id=_partner_id(request))
    view = selectors.collaboration_views(tenant=request.tenant, rows=[found], partner_id=_partner_id(request))[0]
    is_admin = request.membership.role == Role.PARTNER_ADMIN
    pending = view.status == CollaborationStatus.PENDING
    context = {
        "c": view,
        "can_answer": is_admin and pending and view.direction == "in",
        "can_withdraw": pending and view.direction == "out",
    }
    return render(request, "directory/collaboration_detail.html", context)


def _answer(request: HttpRequest, collaboration_id, *, accept: bool) -> HttpResponse:
    found = selectors.access_collaboration(tenant=request.tenant, public_id=collaboration_id, partner_id=_partner_id(request))
    try:
        services.collaboration_answer(
            tenant=request.tenant,
            actor=request.user,
            partner_id=_partner_id(request),
            collaboration=found,
            accept=accept,
            note=request.POST.get("note", ""),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if accept and found.subject_kind == CollaborationSubject.DEAL:
            messages.success(request, _("Accepted: you are on the deal's co-sell team."))
        elif accept and found.subject_kind == CollaborationSubject.SOLUTION and found.component_role:
            messages.success(request, _("Accepted: you are on the joint solution, in the role you were asked to take."))
        else:
            messages.success(request, _("Accepted.") if accept else _("Declined."))
    return back_to_tenant(request, "partner_directory:collaboration", collaboration_id=found.public_id)


@require_POST
@roles_required(Role.PARTNER_ADMIN)
def collaboration_accept(request: HttpRequest, collaboration_id) -> HttpResponse:
    return _answer(request, collaboration_id, accept=True)


@require_POST
@roles_required(Role.PARTNER_ADMIN)
def collaboration_decline(request: HttpRequest, collaboration_id) -> HttpResponse:
    return _answer(request, collaboration_id, accept=False)


@require_POST
@roles_required(*PARTNER_ROLES)
def collaboration_withdraw(request: HttpRequest, collaboration_id) -> HttpResponse:
    found = selectors.access_collaboration(tenant=request.tenant, public_id=collaboration_id, partner_id=_partner_id(request))
    try:
        services.collaboration_withdraw(
            tenant=request.tenant, actor=request.user, partner_id=_partner_id(request), collaboration=found
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Request withdrawn."))
    return back_to_tenant(request, "partner_directory:collaboration", collaboration_id=found.public_id)


# --- vendor portal ---------------------------------------------------------------------------------


@roles_required(*STAFF_ROLES)
def profile_list(request: HttpRequest) -> HttpResponse:
    """Every partner's directory profile, published or not."""
    if export_format(request):
        return _directory_export(request, published_only=False)
    filters, page, cards = _directory_page(request, published_only=False)
    context = {
        "filters": filters,
        "page": page,
        "cards": cards,
        "query": _filter_query(filters),
        "options": selectors.directory_options(tenant=request.tenant),
    }
    return render(request, "directory/profile_list.html", context)


@roles_required(*STAFF_ROLES)
def collaboration_list(request: HttpRequest) -> HttpResponse:
    found = selectors.collaboration_filter(tenant=request.tenant, data=request.GET)
    queryset = found.qs
    if export_format(request):
        rows = (
            (
                c.public_id,
                c.requested_at.isoformat(),
                c.from_partner.name,
                c.to_partner.name,
                c.subject_kind,
                c.subject_label,
                c.cosell_role,
                c.component_role,
                c.status,
                c.answered_at.isoformat() if c.answered_at else "",
                c.message,
                c.response_note,
            )
            for c in queryset
        )
        return export_response(
            request,
            filename=f"collaborations-{request.tenant.slug}.csv",
            header=[
                "id",
                "sent_at",
                "from_partner",
                "to_partner",
                "about",
                "subject",
                "cosell_role",
                "component_role",
                "status",
                "answered_at",
                "message",
                "answer",
            ],
            rows=rows,
        )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    partners = list(PartnerOrganization.objects.filter(tenant=request.tenant).order_by("name").values_list("public_id", "name"))
    query = QueryDict(filter_query(request, found), mutable=True)
    if query.get("partner") not in {str(public_id) for public_id, _name in partners}:
        query.pop("partner", None)  # echo a partner back only if it is one of this program's
    context = {"filter": found, "page": page, "query": query.urlencode(), "partners": partners}
    return render(request, "directory/collaboration_list.html", context)


@roles_required(*STAFF_ROLES)
def ecosystem_map(request: HttpRequest) -> HttpResponse:
    filters = selectors.MapFilters.from_data(request.GET)
    slug = request.tenant.slug
    graph = selectors.ecosystem_graph(
        tenant=request.tenant,
        filters=filters,
        partner_url=lambda public_id: reverse("partners:detail", kwargs={"tenant_slug": slug, "partner_id": public_id}),
    )
    context = {
        "graph": graph,
        "filters": filters,
        "connections": selectors.top_connections(graph),
        "options": selectors.directory_options(tenant=request.tenant),
        "edge_kinds": [(kind, selectors.EDGE_LABELS[kind]) for kind in selectors.EDGE_KINDS],
    }
    return render(request, "directory/ecosystem_map.html", context)
