"""Vendor portal: the registration queue, one registration with its conflicts and decisions, appeals and
extensions waiting, the rules of engagement and the product lines.

Everyone on the vendor staff reads; owners and partner managers decide and configure (analysts
read only). Every write goes through :mod:`deals.workflow` or :mod:`deals.engagement`, the same
services as the API.
"""

from __future__ import annotations

import datetime
import math
from itertools import chain

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.exports import export_format, export_response
from ecosystem.portal.base import back_to_tenant, roles_required
from partners.models import PartnerOrganization

from . import engagement, selectors, takeover, workflow
from .models import OPEN_FOR_DECISION, DealStage, EngagementRules, ProductLine
from .registrations import engagement_rules

PAGE_SIZE = 25


# --- forms (the services validate; these keep what was typed) -------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class QuestionForm(forms.Form):
    question = forms.CharField(label=gettext_lazy("Question for the partner"), widget=forms.Textarea(attrs={"rows": 2}))


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=gettext_lazy("Stage"), choices=DealStage.choices)
    closed_amount = forms.CharField(label=gettext_lazy("Closed amount"), required=False)
    closed_on = forms.CharField(label=gettext_lazy("Closed on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class RulesForm(forms.ModelForm):
    class Meta:
        model = EngagementRules
        fields = list(engagement.RULE_FIELDS)
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}


class TakeoverForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why direct sales takes over"), widget=forms.Textarea(attrs={"rows": 2}))
    partner_consented = forms.BooleanField(
        label=gettext_lazy("The partner agreed (say who and how in the reason)"), required=False
    )


class ProductLineForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=80)


# --- the queue -------------------------------------------------------------------------------------


def sla_label(due: datetime.datetime | None, now: datetime.datetime) -> tuple[str, bool]:
    """("due in 5 h" | "overdue by 2 h", overdue?) for a registration waiting for a decision."""
    if due is None:
        return "", False
    hours = (due - now).total_seconds() / 3600
    if hours >= 0:
        return _("due in %(h)s h") % {"h": math.ceil(hours)}, False
    return _("overdue by %(h)s h") % {"h": math.ceil(-hours)}, True


@roles_required(*STAFF_ROLES)
def registration_queue(request: HttpRequest) -> HttpResponse:
    queue = selectors.registration_queue(tenant=request.tenant, filters=request.GET)
    queryset = queue.qs
    if export_format(request):
        rows = (
            (
                r.public_id,
                r.partner.name,
                r.customer_name,
                r.customer_domain,
                " ".join(r.product_lines),
                r.value,
                r.currency,
                r.stage,
                r.status,
                r.submitted_at.isoformat(),
                r.sla_due.isoformat(),
                r.protected_until or "",
                r.conflict_count,
            )
            for r in queryset
        )
        return export_response(
            request,
            filename=f"deal-registrations-{request.tenant.slug}.csv",
            header=[
                "id",
                "partner",
                "customer",
                "customer_domain",
                "product_lines",
                "value",
                "currency",
                "stage",
                "status",
                "submitted_at",
                "sla_due",
                "protected_until",
                "conflicts",
            ],
            rows=rows,
        )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for row in page.object_list:
        row.sla_text, row.sla_overdue = sla_label(row.sla_due, now) if row.status in OPEN_FOR_DECISION else ("", False)
    context = {
        "filter": queue,
        "page": page,
        "query": queue.valid_query(),
        "partners": PartnerOrganization.objects.filter(tenant=request.tenant).order_by("name").values_list("public_id", "name"),
        "product_lines": ProductLine.objects.filter(tenant=request.tenant).order_by("name").values_list("slug", "name"),
    }
    template = "deals/manage/queue.html#results" if request.htmx else "deals/manage/queue.html"
    return render(request, template, context)


# --- one registration ------------------------------------------------------------------------------


def _registration_page(request: HttpRequest, registration, *, forms_: dict | None = None, status: int = 200) -> HttpResponse:
    tenant = request.tenant
    forms_ = forms_ or {}
    context = {
        "registration": registration,
        "conflicts": selectors.registration_conflicts(tenant=tenant, registration=registration),
        "history": selectors.registration_history(tenant=tenant, registration=registration),
        "appeal": registration.appeal if hasattr(registration, "appeal") else None,
        "extensions": list(registration.extensions.select_related("requested_by", "decided_by").order_by("-requested_at")),
        "rules": engagement_rules(tenant=tenant),
        "can_decide": request.membership.role in PARTNER_EDITOR_ROLES,
        "is_open": registration.status in OPEN_FOR_DECISION,
        "approve_form": forms_.get("approve") or ReasonForm(prefix="approve"),
        "reject_form": forms_.get("reject") or ReasonForm(prefix="reject"),
        "info_form": forms_.get("info") or QuestionForm(prefix="info"),
        "stage_form": forms_.get("stage") or StageForm(prefix="stage", initial={"stage": registration.stage}),
        "decision_form": ReasonForm(prefix="decide"),
        "takeover_form": forms_.get("takeover") or TakeoverForm(prefix="takeover"),
        "takeover": takeover.takeover_allowed(
            registration=registration, policy=engagement_rules(tenant=tenant).direct_takeover, partner_consented=True
        ),
        "sla": sla_label(
            registration.submitted_at + datetime.timedelta(hours=engagement_rules(tenant=tenant).approval_sla_hours),
            timezone.now(),
        )
        if registration.status in OPEN_FOR_DECISION
        else ("", False),
    }
    return render(request, "deals/manage/registration.html", context, status=status)


@roles_required(*STAFF_ROLES)
def registration_detail(request: HttpRequest, registration_id) -> HttpResponse:
    registration = selectors.access_registration(tenant=request.tenant, public_id=registration_id)
    return _registration_page(request, registration)


def _decision_view(request: HttpRequest, registration_id, *, key: str, form_class, run, done: str) -> HttpResponse:
    registration = selectors.access_registration(tenant=request.tenant, public_id=registration_id)
    form = form_class(request.POST, prefix=key)
    if form.is_valid():
        try:
            run(registration, form.cleaned_data)
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, done)
            return back_to_tenant(request, "deals:registration", registration_id=registration.public_id)
    return _registration_page(request, registration, forms_={key: form}, status=400)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def registration_takeover(request: HttpRequest, registration_id) -> HttpResponse:
    return _decision_view(
        request,
        registration_id,
        key="takeover",
        form_class=TakeoverForm,
        run=lambda r, data: takeover.registration_takeover(
            tenant=request.tenant,
            actor=request.user,
            registration=r,
            reason=data["reason"],
            partner_consented=data["partner_consented"],
        ),
        done=_("Direct sales took the customer over; the partner was told."),
    )


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def registration_approve(request: HttpRequest, registration_id) -> HttpResponse:
    return _decision_view(
        request,
        registration_id,
        key="approve",
        form_class=ReasonForm,
        run=lambda r, data: workflow.registration_approve(
            tenant=request.tenant, actor=request.user, registration=r, reason=data["reason"]
        ),
        done=_("Approved; the partner was told."),
    )


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def registration_reject(request: HttpRequest, registration_id) -> HttpResponse:
    return _decision_view(
        request,
        registration_id,
        key="reject",
        form_class=ReasonForm,
        run=lambda r, data: workflow.registration_reject(
            tenant=request.tenant, actor=request.user, registration=r, reason=data["reason"]
        ),
        done=_("Rejected; the partner was told, with your reason."),
    )


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def registration_request_info(request: HttpRequest, registration_id) -> HttpResponse:
    return _decision_view(
        request,
        registration_id,
        key="info",
        form_class=QuestionForm,
        run=lambda r, data: workflow.registration_request_info(
            tenant=request.tenant, actor=request.user, registration=r, question=data["question"]
        ),
        done=_("Question sent to the partner."),
    )


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def registration_stage(request: HttpRequest, registration_id) -> HttpResponse:
    return _decision_view(
        request,
        registration_id,
        key="stage",
        form_class=StageForm,
        run=lambda r, data: workflow.registration_update_stage(
            tenant=request.tenant,
            actor=request.user,
            registration=r,
            stage=data["stage"],
            closed_amount=data["closed_amount"] or None,
            closed_on=data["closed_on"] or None,
        ),
        done=_("Stage updated."),
    )


# --- appeals and extensions ------------------------------------------------------------------------


@roles_required(*STAFF_ROLES)
def appeals(request: HttpRequest) -> HttpResponse:
    if export_format(request):
        # the open appeals and the waiting extension requests, one row each (two queries)
        fields = ("public_id", "registration__public_id", "registration__partner__name", "registration__customer_name", "status")
        appeal_rows = selectors.open_appeals(tenant=request.tenant).values_list(*fields, "submitted_at", "reason")
        extension_rows = selectors.open_extensions(tenant=request.tenant).values_list(*fields, "requested_at", "reason")
        return export_response(
            request,
            filename=f"appeals-and-extensions-{request.tenant.slug}.csv",
            header=["kind", "id", "registration", "partner", "customer", "status", "submitted_at", "reason"],
            rows=chain(
                (("appeal", *row) for row in appeal_rows.iterator()),
                (("extension", *row) for row in extension_rows.iterator()),
            ),
        )
    context = {
        "mine": selectors.open_appeals(tenant=request.tenant, assigned_to=request.user),
        "all_appeals": selectors.open_appeals(tenant=request.tenant),
        "extensions": selectors.open_extensions(tenant=request.tenant),
        "can_decide": request.membership.role in PARTNER_EDITOR_ROLES,
    }
    return render(request, "deals/manage/appeals.html", context)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def appeal_decide(request: HttpRequest, appeal_id) -> HttpResponse:
    appeal = selectors.access_appeal(tenant=request.tenant, public_id=appeal_id)
    overturn = request.POST.get("decision") == "overturn"
    try:
        workflow.appeal_decide(
            tenant=request.tenant, actor=request.user, appeal=appeal, overturn=overturn, reason=request.POST.get("reason", "")
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Appeal decided; the partner was told."))
    return back_to_tenant(request, "deals:registration", registration_id=appeal.registration.public_id)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def extension_decide(request: HttpRequest, extension_id) -> HttpResponse:
    extension = selectors.access_extension(tenant=request.tenant, public_id=extension_id)
    grant = request.POST.get("decision") == "grant"
    try:
        workflow.extension_decide(
            tenant=request.tenant, actor=request.user, extension=extension, grant=grant, reason=request.POST.get("reason", "")
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Extension granted.") if grant else _("Extension declined; the partner was told."))
    return back_to_tenant(request, "deals:registration", registration_id=extension.registration.public_id)


# --- configuration ---------------------------------------------------------------------------------


@roles_required(*STAFF_ROLES)
def rules(request: HttpRequest) -> HttpResponse:
    current = engagement_rules(tenant=request.tenant)
    can_edit = request.membership.role in PARTNER_EDITOR_ROLES
    if request.method == "POST" and not can_edit:
        return _forbidden()
    form = RulesForm(request.POST or None, instance=EngagementRules(tenant=request.tenant, **_rule_values(current)))
    if request.method == "POST" and form.is_valid():
        try:
            engagement.engagement_rules_update(
                tenant=request.tenant,
                actor=request.user,
                values={name: form.cleaned_data[name] for name in engagement.RULE_FIELDS},
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Rules of engagement saved; partners see them now."))
            return back_to_tenant(request, "deals:rules")
    status = 400 if request.method == "POST" else 200
    return render(request, "deals/manage/rules.html", {"form": form, "can_edit": can_edit}, status=status)


def _rule_values(rules: EngagementRules) -> dict:
    return {name: getattr(rules, name) for name in engagement.RULE_FIELDS}


def _forbidden():
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied(_("Your role does not allow this."))


@roles_required(*STAFF_ROLES)
def product_lines(request: HttpRequest) -> HttpResponse:
    can_edit = request.membership.role in PARTNER_EDITOR_ROLES
    if request.method == "POST" and not can_edit:
        return _forbidden()
    form = ProductLineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            line = engagement.product_line_create(tenant=request.tenant, actor=request.user, name=form.cleaned_data["name"])
        except ApplicationError as error:
            form.add_error("name", error.message)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": line.name})
            return back_to_tenant(request, "deals:product_lines")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "lines": selectors.product_lines(tenant=request.tenant), "can_edit": can_edit}
    return render(request, "deals/manage/product_lines.html", context, status=status)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def product_line_retire(request: HttpRequest, line_id) -> HttpResponse:
    line = ProductLine.objects.filter(tenant=request.tenant, public_id=line_id).first()
    if line is None:
        raise NotFoundError()
    try:
        engagement.product_line_retire(tenant=request.tenant, actor=request.user, line=line)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s is retired: no new registrations can choose it.") % {"name": line.name})
    return back_to_tenant(request, "deals:product_lines")
