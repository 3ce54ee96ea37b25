"""Personal data pages. Vendor portal, owners: people (every member), one member's data with export and
erasure, the retention setting. Both portals: "My data", the signed-in person's own data in this program."""

from __future__ import annotations

import datetime
import json
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecosystem.accounts.models import PARTNER_ROLES, STAFF_ROLES, Membership, Role
from ecosystem.errors import ApplicationError
from ecosystem.portal.base import back_to_tenant, roles_required

from . import selectors, services
from .forms import EraseForm, PeopleFilterForm, RetentionForm

PAGE_SIZE = 25


def _json_download(data: dict, *, who: str, tenant_slug: str) -> HttpResponse:
    response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="personal-data-{tenant_slug}-{who}-{stamp}.json"'
    return response


# --- vendor: owners ---------------------------------------------------------------------------------


@roles_required(Role.OWNER)
def people(request: HttpRequest) -> HttpResponse:
    """Every member of the program (staff and partner users, current and removed), to open one's data."""
    form = PeopleFilterForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    # the API's selector: a search by an erased person's address never tells which pseudonym was theirs
    members = selectors.people_list(tenant=request.tenant, query=query).order_by("user__email", "pk")
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(m, m.erased_as) for m in page]
    context = {"page": page, "rows": rows, "form": form, "query": urlencode({"q": query}) if query else ""}
    return render(request, "privacy/people.html", context)


def _member_page(request: HttpRequest, member: Membership, *, erase_form: EraseForm | None = None, status: int = 200):
    data = selectors.person_data(tenant=request.tenant, user=member.user)
    context = {
        "member": member,
        "profile": data["profile"],
        "counts": selectors.record_counts(data),
        "erase_form": erase_form or EraseForm(),
        "is_self": member.pk == request.membership.pk,
    }
    return render(request, "privacy/member.html", context, status=status)


@roles_required(Role.OWNER)
def member(request: HttpRequest, membership_id) -> HttpResponse:
    return _member_page(request, selectors.access_member(tenant=request.tenant, membership_id=membership_id))


@require_POST
@roles_required(Role.OWNER)
def member_export(request: HttpRequest, membership_id) -> HttpResponse:
    target = selectors.access_member(tenant=request.tenant, membership_id=membership_id)
    data = services.person_data_export(tenant=request.tenant, actor=request.user, user=target.user)
    return _json_download(data, who=str(target.public_id), tenant_slug=request.tenant.slug)


@require_POST
@roles_required(Role.OWNER)
def member_erase(request: HttpRequest, membership_id) -> HttpResponse:
    target = selectors.access_member(tenant=request.tenant, membership_id=membership_id)
    form = EraseForm(request.POST)
    if form.is_valid():
        try:
            erased = services.person_erase(
                tenant=request.tenant,
                actor=request.user,
                actor_membership=request.membership,
                membership=target,
                confirm_email=form.cleaned_data["confirm_email"],
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return _member_page(request, target, erase_form=form, status=error.status_code)
        messages.success(request, _("Erased. The program now shows this person as %(label)s.") % {"label": erased.label})
        return back_to_tenant(request, "privacy:member", membership_id=target.public_id)
    return _member_page(request, target, erase_form=form, status=400)


@roles_required(Role.OWNER)
def retention(request: HttpRequest) -> HttpResponse:
    current = selectors.privacy_settings(tenant=request.tenant)
    form = RetentionForm(request.POST or None, initial={"engagement_retention_days": current.engagement_retention_days})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.privacy_settings_update(
                    tenant=request.tenant,
                    actor=request.user,
                    engagement_retention_days=form.cleaned_data["engagement_retention_days"],
                )
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                status = error.status_code
            else:
                messages.success(request, _("Retention saved."))
                return back_to_tenant(request, "privacy:retention")
    cutoff = timezone.now() - datetime.timedelta(days=current.engagement_retention_days)
    context = {"form": form, "settings_row": current, "cutoff": cutoff}
    return render(request, "privacy/retention.html", context, status=status)


# --- both portals: the signed-in person's own data --------------------------------------------------


def _my_data(request: HttpRequest) -> HttpResponse:
    data = selectors.own_person_data(tenant=request.tenant, user=request.user)
    return render(request, "privacy/my_data.html", {"profile": data["profile"], "counts": selectors.record_counts(data)})


def _my_data_export(request: HttpRequest) -> HttpResponse:
    data = services.person_data_export(tenant=request.tenant, actor=request.user, user=request.user)
    return _json_download(data, who="me", tenant_slug=request.tenant.slug)


my_data = roles_required(*STAFF_ROLES)(_my_data)
my_data_export = require_POST(roles_required(*STAFF_ROLES)(_my_data_export))
partner_my_data = roles_required(*PARTNER_ROLES)(_my_data)
partner_my_data_export = require_POST(roles_required(*PARTNER_ROLES)(_my_data_export))
