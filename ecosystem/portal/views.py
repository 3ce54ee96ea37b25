"""Vendor and partner portal pages that belong to the platform: dashboards, team, API keys, audit, jobs."""

from __future__ import annotations

import json
from itertools import chain

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deals.sla.selectors import sla_report
from ecosystem.accounts import services as account_services
from ecosystem.accounts.forms import InvitationForm
from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES, Invitation, Membership, Role
from ecosystem.accounts.selectors import pending_invitations, team_members
from ecosystem.api import services as api_services
from ecosystem.api.forms import ApiKeyForm
from ecosystem.api.models import ApiKey
from ecosystem.audit.models import AuditEntry
from ecosystem.errors import ApplicationError
from ecosystem.exports import export_format, export_response
from ecosystem.jobs.models import Job
from ecosystem.jobs.services import job_create
from onboarding.selectors import application_queue, time_to_value
from onboarding.services import partner_access_gate
from partners.contacts import partner_contacts
from partners.models import PartnerStatus, PartnerType
from partners.selectors import access_partner, partner_counts

from .base import back_to_tenant, roles_required
from .forms import AuditFilterForm
from .lists import filter_query
from .models import DashboardMetrics
from .tasks import dashboard_metrics_enqueue

AUDIT_EXPORT_LIMIT = 100_000

DASHBOARD_JOB = "dashboard_metrics"


# --- vendor portal ----------------------------------------------------------------------------


@roles_required(*STAFF_ROLES)
def dashboard(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant
    counts = partner_counts(tenant=tenant)
    by_status = [(label, counts["by_status"].get(value, 0)) for value, label in PartnerStatus.choices]
    by_type = [(label, counts["by_type"].get(value, 0)) for value, label in PartnerType.choices]
    context = {
        "partners_total": sum(counts["by_status"].values()),
        "by_status": by_status,
        "by_type": by_type,
        "chart": {"labels": [str(label) for label, _n in by_type], "values": [n for _label, n in by_type]},
        "metrics": DashboardMetrics.objects.filter(tenant=tenant).first(),
        "last_job": Job.objects.filter(kind=DASHBOARD_JOB).first(),
        "can_refresh": request.membership.role in PARTNER_EDITOR_ROLES,
        "time_to_value": time_to_value(tenant=tenant),
        "applications_waiting": application_queue(tenant=tenant).count(),
        "sla": sla_report(tenant=tenant),  # the program's SLA figures (3 queries)
    }
    return render(request, "portal/dashboard.html", context)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def dashboard_refresh(request: HttpRequest) -> HttpResponse:
    job = job_create(tenant=request.tenant, actor=request.user, kind=DASHBOARD_JOB)
    dashboard_metrics_enqueue(tenant_id=request.tenant.pk, job_id=job.pk)
    if request.htmx:
        return render(request, "portal/_job_progress.html", {"job": job})
    messages.info(request, _("Recounting in the background."))
    return back_to_tenant(request, "portal:dashboard")


@roles_required(*STAFF_ROLES)
def job_status(request: HttpRequest, job_id) -> HttpResponse:
    job = get_object_or_404(Job, public_id=job_id)
    return render(request, "portal/_job_progress.html", {"job": job})


def _team_export(request: HttpRequest, *, partner_id: int | None, staff_only: bool) -> HttpResponse:
    """The team page's two lists, people then pending invitations, one row each: two queries."""
    members = (
        team_members(tenant=request.tenant, partner_id=partner_id)
        .order_by("user__email", "id")
        .values_list("public_id", "user__full_name", "user__email", "role", "is_active", "created_at")
    )
    invitations = pending_invitations(tenant=request.tenant, partner_id=partner_id, staff_only=staff_only).values_list(
        "public_id", "email", "role", "created_at", "expires_at"
    )
    return export_response(
        request,
        filename="team.csv",
        header=["kind", "id", "name", "email", "role", "active", "since", "invitation_expires"],
        rows=chain(
            (("member", pk, name, email, role, active, since, "") for pk, name, email, role, active, since in members.iterator()),
            (("invitation", pk, "", email, role, "", sent, expires) for pk, email, role, sent, expires in invitations.iterator()),
        ),
    )


def _team_page(request: HttpRequest, *, partner, invite_roles: list[str], template: str, url_namespace: str) -> HttpResponse:
    """The team page of vendor staff (``partner`` None) or of one partner organisation.

    Who may invite whom is decided by ``invitation_create``; ``invite_roles`` only says which roles
    the form offers (none: no form, and a POST is refused).
    """
    form = InvitationForm(request.POST or None, roles=invite_roles) if invite_roles else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                account_services.invitation_create(
                    tenant=request.tenant, actor=request.user, inviter=request.membership, partner=partner, **form.cleaned_data
                )
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
                return back_to_tenant(request, f"{url_namespace}:team")
    partner_id = partner.pk if partner is not None else None
    if request.method == "GET" and export_format(request):
        return _team_export(request, partner_id=partner_id, staff_only=partner is None)
    context = {
        "partner": partner,
        "members": team_members(tenant=request.tenant, partner_id=partner_id).order_by("user__email"),
        "invitations": pending_invitations(tenant=request.tenant, partner_id=partner_id, staff_only=partner is None),
        "form": form,
        "can_manage": bool(invite_roles),
        "url_namespace": url_namespace,
        # a partner's admins read the contacts the vendor keeps for their organisation (one query)
        "contacts": (
            partner_contacts(tenant=request.tenant, partner_id=partner.pk)
            if partner is not None and request.membership.role == Role.PARTNER_ADMIN
            else None
        ),
    }
    return render(request, template, context, status=400 if form is not None and form.errors else 200)


@roles_required(*STAFF_ROLES)
def team(request: HttpRequest) -> HttpResponse:
    owner = request.membership.role == Role.OWNER
    roles = [Role.PARTNER_MANAGER, Role.ANALYST, Role.OWNER] if owner else []
    return _team_page(request, partner=None, invite_roles=roles, template="portal/team.html", url_namespace="portal")


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def partner_invite(request: HttpRequest, partner_id) -> HttpResponse:
    """Invite a person to a partner organisation's team (from the partner's page)."""
    partner = access_partner(tenant=request.tenant, public_id=partner_id)
    form = InvitationForm(request.POST, roles=[Role.PARTNER_ADMIN, Role.PARTNER_REP])
    if form.is_valid():
        try:
            account_services.invitation_create(
                tenant=request.tenant, actor=request.user, inviter=request.membership, partner=partner, **form.cleaned_data
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return back_to_tenant(request, "partners:detail", partner_id=partner.public_id)


@require_POST
@roles_required(Role.OWNER, Role.PARTNER_MANAGER, Role.PARTNER_ADMIN)
def invitation_revoke(request: HttpRequest, invitation_id) -> HttpResponse:
    invitation = get_object_or_404(_own(request, Invitation.objects.select_related("partner")), public_id=invitation_id)
    try:
        account_services.invitation_revoke(
            tenant=request.tenant, actor=request.user, inviter=request.membership, invitation=invitation
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Invitation withdrawn."))
    return _back_to_team(request, invitation.partner)


@require_POST
@roles_required(Role.OWNER, Role.PARTNER_MANAGER, Role.PARTNER_ADMIN)
def membership_deactivate(request: HttpRequest, membership_id) -> HttpResponse:
    membership = get_object_or_404(_own(request, Membership.objects.select_related("partner", "user")), public_id=membership_id)
    try:
        account_services.membership_deactivate(
            tenant=request.tenant, actor=request.user, inviter=request.membership, membership=membership
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(person)s no longer has access.") % {"person": membership.user})
    return _back_to_team(request, membership.partner)


def _own(request: HttpRequest, queryset):
    """Partner users reach only their own organisation's rows (row-level security says so too)."""
    partner_id = request.membership.partner_id
    return queryset.filter(partner_id=partner_id) if partner_id else queryset


def _back_to_team(request: HttpRequest, partner) -> HttpResponse:
    if request.membership.role in PARTNER_ROLES:
        return back_to_tenant(request, "partner_portal:team")
    if partner is not None:
        return back_to_tenant(request, "partners:detail", partner_id=partner.public_id)
    return back_to_tenant(request, "portal:team")


@roles_required(Role.OWNER)
def api_keys(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = api_services.api_key_create(tenant=request.tenant, actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(error.field, error.message)
        else:
            form = ApiKeyForm()
    context = {"form": form, "issued": issued, "keys": ApiKey.objects.select_related("created_by")}
    return render(request, "portal/api_keys.html", context, status=400 if form.errors else 200)


@require_POST
@roles_required(Role.OWNER)
def api_key_revoke(request: HttpRequest, key_id) -> HttpResponse:
    api_key = get_object_or_404(ApiKey, public_id=key_id)
    api_services.api_key_revoke(tenant=request.tenant, actor=request.user, api_key=api_key)
    messages.success(request, _("The key %(name)s was revoked.") % {"name": api_key.name})
    return back_to_tenant(request, "portal:api_keys")


@roles_required(Role.OWNER)
def audit_log(request: HttpRequest) -> HttpResponse:
    """Every change and sign-in of the program, newest first: filters, pages of 50, CSV/XLSX of the
    newest ``AUDIT_EXPORT_LIMIT`` matching rows."""
    form = AuditFilterForm(request.GET or None)
    entries = form.apply(AuditEntry.objects.order_by("-created_at", "-id"))
    if export_format(request):
        rows = entries.values_list(
            "created_at", "actor_label", "action", "object_type", "object_id", "object_repr", "changes", "via", "ip", "request_id"
        )[:AUDIT_EXPORT_LIMIT]
        return export_response(
            request,
            filename="audit-log",
            header=["when", "who", "action", "object_type", "object_id", "object", "changes", "via", "ip", "request_id"],
            rows=[(when.isoformat(), *rest[:5], json.dumps(rest[5], sort_keys=True), *rest[6:]) for when, *rest in rows],
        )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    context = {"page": page, "form": form, "query": filter_query(request, form)}
    return render(request, "portal/audit_log.html", context, status=400 if form.errors else 200)


# --- partner portal ---------------------------------------------------------------------------


@roles_required(*PARTNER_ROLES)
def partner_dashboard(request: HttpRequest) -> HttpResponse:
    partner = request.membership.partner
    context = {
        "partner": partner,
        "team_size": team_members(tenant=request.tenant, partner_id=partner.pk).filter(is_active=True).count(),
        "pending_invitations": pending_invitations(tenant=request.tenant, partner_id=partner.pk).count(),
        "gate": partner_access_gate(tenant=request.tenant, partner_id=partner.pk),
        "sla": sla_report(tenant=request.tenant, partner_id=partner.pk),  # its own SLA figures, both sides (3 queries)
    }
    return render(request, "portal/partner_dashboard.html", context)


@roles_required(*PARTNER_ROLES)
def partner_team(request: HttpRequest) -> HttpResponse:
    admin = request.membership.role == Role.PARTNER_ADMIN
    roles = [Role.PARTNER_REP, Role.PARTNER_ADMIN] if admin else []
    return _team_page(
        request,
        partner=request.membership.partner,
        invite_roles=roles,
        template="portal/partner_team.html",
        url_namespace="partner_portal",
    )
