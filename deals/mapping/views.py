"""Account-mapping pages, the same views in both portals: the vendor's under /t/<tenant>/account-mapping/ (its own side),
a partner's under /p/<tenant>/account-mapping/ (that partner's side).

Every read goes through :mod:`deals.mapping.selectors`, so a page, its filters and its exports show
exactly what the other side shares and nothing else. Writes call the services; managers (vendor)
and partner admins change things, everyone else on the side reads.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES, Role
from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.exports import export_format, export_queryset, export_response
from ecosystem.portal.base import back_to_tenant, roles_required

from . import lists, selectors, services
from .models import MappingPartnershipStatus, MappingPopulation, SharingLevel
from .tasks import JOB_KIND

PAGE_SIZE = 25
EVERYONE = (*STAFF_ROLES, *PARTNER_ROLES)
EDITORS = (*PARTNER_EDITOR_ROLES, Role.PARTNER_ADMIN)
POPULATION_CHOICES = [("", gettext_lazy("From the file's population column")), *MappingPopulation.choices]
VENDOR_COUNTERPART = "vendor"


def _side(request: HttpRequest) -> int | None:
    return request.membership.partner_id


def _ns(request: HttpRequest) -> str:
    return "mapping" if _side(request) is None else "partner_mapping"


def _can_edit(request: HttpRequest) -> bool:
    return request.membership.role in EDITORS


def _base_context(request: HttpRequest) -> dict:
    return {"ns": _ns(request), "can_edit": _can_edit(request), "is_vendor": _side(request) is None}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"), help_text=gettext_lazy("Columns: population, domain, name, external id.")
    )
    population = forms.ChoiceField(label=gettext_lazy("Population"), choices=POPULATION_CHOICES, required=False)


class InviteForm(forms.Form):
    counterpart = forms.ChoiceField(label=gettext_lazy("Compare lists with"))
    message = forms.CharField(
        label=gettext_lazy("Message"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, choices: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["counterpart"].choices = [("", "—"), *choices]


class SharingForm(forms.Form):
    """What the other side may see of each population of the caller's list."""

    def __init__(self, *args, initial_sharing: dict[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for population, label in MappingPopulation.choices:
            self.fields[population] = forms.ChoiceField(
                label=label, choices=SharingLevel.choices, initial=initial_sharing.get(population)
            )


def _invite_choices(request: HttpRequest) -> list[tuple[str, str]]:
    choices = []
    if _side(request) is not None:
        choices.append((VENDOR_COUNTERPART, _("%(vendor)s (the vendor)") % {"vendor": request.tenant.name}))
    choices += [
        (selectors.counterpart_token(tenant=request.tenant, public_id=p["public_id"]), p["name"])
        for p in selectors.counterparts(tenant=request.tenant, partner_id=_side(request))
    ]
    return choices


# --- overview ---------------------------------------------------------------------------------------


@roles_required(*EVERYONE)
def home(request: HttpRequest) -> HttpResponse:
    side = _side(request)
    pairs = selectors.pair_views(
        tenant=request.tenant, partner_id=side, pairs=selectors.partnerships_for(tenant=request.tenant, partner_id=side)[:100]
    )
    return render(
        request,
        "mapping/home.html",
        {
            **_base_context(request),
            "counts": lists.own_counts(tenant=request.tenant, partner_id=side),
            "populations": MappingPopulation.choices,
            "pairs": pairs,
            "recommendations": selectors.recommendations_for(tenant=request.tenant, partner_id=side),
            "invite_form": InviteForm(choices=_invite_choices(request)),
            "upload_form": UploadForm(),
        },
    )


# --- my list ----------------------------------------------------------------------------------------


@roles_required(*EVERYONE)
def my_list(request: HttpRequest) -> HttpResponse:
    """The side's own list (filter, page, export) and, for editors, the upload that replaces populations."""
    side = _side(request)
    population = request.GET.get("population", "")
    search = request.GET.get("q", "")
    found = lists.own_accounts(tenant=request.tenant, partner_id=side, population=population, search=search)
    if export_format(request):
        return export_queryset(
            request,
            filename="my-account-list.csv",
            queryset=found,
            columns={"population": "population", "domain": "domain", "name": "name", "external_id": "external_id"},
        )
    form = UploadForm(request.POST or None, request.FILES or None)
    errors: list = []
    status = 200
    if request.method == "POST":
        if not _can_edit(request):
            raise NotFoundError()
        if form.is_valid():
            try:
                rows = lists.rows_from_csv(
                    form.cleaned_data["file"].read(), default_population=form.cleaned_data["population"] or None
                )
                written = lists.account_list_replace(tenant=request.tenant, actor=request.user, partner_id=side, rows=rows)
            except lists.ListRejected as rejected:
                errors = rejected.errors[:200]
                form.add_error(None, rejected.message)
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(
                    request,
                    _("%(n)s accounts now in %(populations)s; matching again with your active partnerships.")
                    % {
                        "n": f"{written.created:,}",
                        "populations": ", ".join(str(MappingPopulation(p).label) for p in written.populations),
                    },
                )
                return back_to_tenant(request, f"{_ns(request)}:list")
        status = 400
    page = Paginator(found.only("name", "domain", "population", "external_id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "mapping/my_list.html",
        {
            **_base_context(request),
            "page": page,
            "population": population,
            "search": search,
            "populations": MappingPopulation.choices,
            "counts": lists.own_counts(tenant=request.tenant, partner_id=side),
            "form": form,
            "row_errors": errors,
        },
        status=status,
    )


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def sync(request: HttpRequest) -> HttpResponse:
    """The vendor's customers and open opportunities from the platform's own data."""
    written = lists.vendor_list_sync_from_crm(tenant=request.tenant, actor=request.user)
    messages.success(request, _("%(n)s accounts synced from your CRM data.") % {"n": f"{written.created:,}"})
    return back_to_tenant(request, "mapping:list")


# --- partnerships -----------------------------------------------------------------------------------


@require_POST
@roles_required(*EDITORS)
def invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST, choices=_invite_choices(request))
    if form.is_valid():
        chosen = form.cleaned_data["counterpart"]
        counterpart = (
            None
            if chosen == VENDOR_COUNTERPART
            else selectors.counterpart_by_token(tenant=request.tenant, partner_id=_side(request), token=chosen)
        )
        try:
            if counterpart is None and chosen != VENDOR_COUNTERPART:
                raise ApplicationError(_("Choose an active partner of this program."), code="invalid_choice")
            pair = services.partnership_invite(
                tenant=request.tenant,
                actor=request.user,
                partner_id=_side(request),
                counterpart=counterpart,
                message=form.cleaned_data["message"],
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Invitation sent. Nothing is compared until they accept."))
            return back_to_tenant(request, f"{_ns(request)}:partnership", partnership_id=pair.public_id)
    else:
        messages.error(request, _("Choose who to compare lists with."))
    return back_to_tenant(request, f"{_ns(request)}:home")


def _access(request: HttpRequest, partnership_id) -> selectors.PairView:
    return selectors.access_partnership(tenant=request.tenant, partner_id=_side(request), public_id=partnership_id)


def _match_job(request: HttpRequest, view: selectors.PairView) -> dict | None:
    """The pair's match job still to finish, if any: status and progress only (the job table is staff-only).

    A job queued before the pair's last match (a duplicate of one that ran) is not shown.
    """
    from ecosystem.jobs.models import Job
    from ecosystem.tenancy.context import across_partners

    with across_partners(reason="mapping: the progress of the caller's own pair's match job"):
        jobs = Job.objects.filter(
            tenant=request.tenant, kind=JOB_KIND, result__partnership=view.partnership.pk, status__in=["queued", "running"]
        )
        if view.partnership.matched_at is not None:
            jobs = jobs.filter(created_at__gt=view.partnership.matched_at)
        return jobs.order_by("-created_at", "-id").values("status", "progress", "message").first()


@roles_required(*EVERYONE)
def partnership(request: HttpRequest, partnership_id) -> HttpResponse:
    """One pair's results as the caller's side may see them: matrix, recommendations, records, sharing."""
    view = _access(request, partnership_id)
    my_population = request.GET.get("mine", "")
    other_population = request.GET.get("theirs", "")
    search = request.GET.get("q", "")
    rows = selectors.overlap_rows(
        tenant=request.tenant, view=view, my_population=my_population, other_population=other_population, search=search
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    records = [selectors.as_record(row, view=view) for row in page.object_list]
    matrix = selectors.overlap_matrix(view=view, tenant=request.tenant)
    return render(
        request,
        "mapping/partnership.html",
        {
            **_base_context(request),
            "view": view,
            "matrix": matrix,
            "populations": MappingPopulation.choices,
            "records_shared": [
                p for p, level in view.other_sharing.items() if level in (SharingLevel.OVERLAPS, SharingLevel.ALL)
            ],
            "all_shared": [
                (p, MappingPopulation(p).label) for p, level in view.other_sharing.items() if level == SharingLevel.ALL
            ],
            "page": page,
            "records": records,
            "mine": my_population,
            "theirs": other_population,
            "search": search,
            "recommendations": selectors.recommendations_for(tenant=request.tenant, partner_id=_side(request), view=view),
            "sharing_form": SharingForm(initial_sharing=view.my_sharing),
            "sharing_levels": SharingLevel.choices,
            "job": _match_job(request, view),
            "statuses": MappingPartnershipStatus,
        },
    )


@roles_required(*EVERYONE)
def export(request: HttpRequest, partnership_id) -> HttpResponse:
    """What the page shows, as CSV: the records the other side shares, else the counts it shares."""
    view = _access(request, partnership_id)
    rows = selectors.overlap_rows(tenant=request.tenant, view=view)
    if rows.exists():
        return export_response(
            request,
            filename="account-mapping-overlaps.csv",
            header=["my_population", "my_account", "my_domain", "their_population", "their_name", "their_domain"],
            rows=(
                (r.my_population, r.my_name, r.my_domain, r.other_population, r.other_name, r.other_domain)
                for r in (selectors.as_record(row, view=view) for row in rows.iterator(chunk_size=2000))
            ),
        )
    cells = [
        cell for row in selectors.overlap_matrix(view=view, tenant=request.tenant) for cell in row if cell.overlaps is not None
    ]
    return export_response(
        request,
        filename="account-mapping-counts.csv",
        header=["my_population", "their_population", "overlaps"],
        rows=((c.my_population, c.other_population, c.overlaps) for c in cells),
    )


@roles_required(*EVERYONE)
def shared_list(request: HttpRequest, partnership_id, population: str) -> HttpResponse:
    """The other side's whole list of one population, only while it shares *all* of it."""
    view = _access(request, partnership_id)
    if population not in MappingPopulation.values or view.other_sharing.get(population) != SharingLevel.ALL or not view.is_active:
        raise NotFoundError()
    rows = selectors.shared_list(tenant=request.tenant, view=view, population=population)
    if export_format(request):
        return export_response(
            request, filename="shared-list.csv", header=["name", "domain"], rows=((r["name"], r["domain"]) for r in rows)
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "mapping/shared_list.html",
        {
            **_base_context(request),
            "view": view,
            "page": page,
            "population": population,
            "population_label": MappingPopulation(population).label,
        },
    )


def _pair_action(request: HttpRequest, partnership_id, action, success: str) -> HttpResponse:
    view = _access(request, partnership_id)
    try:
        action(tenant=request.tenant, actor=request.user, partner_id=_side(request), partnership=view.partnership)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return back_to_tenant(request, f"{_ns(request)}:partnership", partnership_id=view.public_id)


@require_POST
@roles_required(*EDITORS)
def accept(request: HttpRequest, partnership_id) -> HttpResponse:
    return _pair_action(request, partnership_id, services.partnership_accept, _("Accepted: both lists are being compared."))


@require_POST
@roles_required(*EDITORS)
def decline(request: HttpRequest, partnership_id) -> HttpResponse:
    return _pair_action(request, partnership_id, services.partnership_decline, _("Invitation declined."))


@require_POST
@roles_required(*EDITORS)
def revoke(request: HttpRequest, partnership_id) -> HttpResponse:
    return _pair_action(
        request, partnership_id, services.partnership_revoke, _("Revoked: every overlap and count of this pair is deleted.")
    )


@require_POST
@roles_required(*EDITORS)
def sharing(request: HttpRequest, partnership_id) -> HttpResponse:
    view = _access(request, partnership_id)
    form = SharingForm(request.POST, initial_sharing=view.my_sharing)
    if form.is_valid():
        try:
            services.partnership_sharing_set(
                tenant=request.tenant,
                actor=request.user,
                partner_id=_side(request),
                partnership=view.partnership,
                sharing=form.cleaned_data,
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Sharing saved. Less sharing applies now; more after the next match."))
    else:
        messages.error(request, _("Choose a level for every population."))
    return back_to_tenant(request, f"{_ns(request)}:partnership", partnership_id=view.public_id)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def lead(request: HttpRequest, partnership_id, overlap_id) -> HttpResponse:
    """Vendor: one overlapping account becomes a lead offered to the partner of the pair."""
    view = _access(request, partnership_id)
    try:
        made = services.overlap_lead_create(
            tenant=request.tenant, actor=request.user, partnership=view.partnership, overlap_id=overlap_id
        )
    except ApplicationError as error:
        if isinstance(error, NotFoundError):
            raise
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Lead %(name)s offered to %(partner)s.") % {"name": made.company_name, "partner": view.other_name}
        )
    return back_to_tenant(request, "mapping:partnership", partnership_id=view.public_id)
