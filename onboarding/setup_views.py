"""Program setup in the vendor portal: owners and partner managers define their own program."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.errors import ApplicationError
from ecosystem.portal.base import back_to_tenant, roles_required
from ecosystem.tenancy.access import access_row
from partners import tiers as tier_services
from partners.models import Capability, PartnerType, TierMetric, TierPolicy
from partners.services import capability_add

from . import setup
from .models import AgreementVersion, OnboardingTemplate, SecurityQuestion, StepKind


def _int(value: str | None, default: int, *, field: str) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        raise ApplicationError(_("Enter a whole number."), code="invalid_number", field=field) from None


def _decimal(value: str | None, *, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ApplicationError(_("Enter a number."), code="invalid_number", field=field) from None


def _back(request: HttpRequest, action, success: str) -> HttpResponse:
    """Run one setup action; report its error or ``success`` as a message and return to the page."""
    try:
        action()
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return back_to_tenant(request, "setup:index")


@roles_required(*STAFF_ROLES)
def setup_index(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant
    ladder = tier_services.Ladder.load(tenant)
    context = {
        "templates": OnboardingTemplate.objects.filter(tenant=tenant)
        .prefetch_related("steps__agreement")
        .order_by("-is_active", "name"),
        "agreements": AgreementVersion.objects.filter(tenant=tenant).order_by("title", "-created_at"),
        "questions": SecurityQuestion.objects.filter(tenant=tenant).order_by("-is_active", "position"),
        "capabilities": Capability.objects.filter(tenant=tenant),
        "ladder": [(t, dict(ladder.rules[t.pk])) for t in ladder.tiers],
        "policy": TierPolicy.objects.filter(tenant=tenant).first(),
        "metrics": TierMetric.choices,
        "partner_types": PartnerType.choices,
        "step_kinds": StepKind.choices,
        "can_edit": request.membership.role in PARTNER_EDITOR_ROLES,
    }
    return render(request, "onboarding/setup.html", context)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def template_create(request: HttpRequest) -> HttpResponse:
    return _back(
        request,
        lambda: setup.template_create(
            tenant=request.tenant,
            actor=request.user,
            name=request.POST.get("name", ""),
            partner_type=request.POST.get("partner_type", ""),
        ),
        _("Template created."),
    )


def _template(request: HttpRequest, template_id) -> OnboardingTemplate:
    return access_row(OnboardingTemplate.objects, tenant=request.tenant, public_id=template_id)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def template_step_add(request: HttpRequest, template_id) -> HttpResponse:
    template = _template(request, template_id)

    def add():
        agreement_id = request.POST.get("agreement") or None
        agreement = (
            AgreementVersion.objects.filter(tenant=request.tenant, public_id=agreement_id).first() if agreement_id else None
        )
        depends_on = [_int(p.strip(), 0, field="depends_on") for p in request.POST.get("depends_on", "").split(",") if p.strip()]
        valid_months = _int(request.POST.get("valid_months"), 0, field="valid_months") or None
        setup.template_step_add(
            tenant=request.tenant,
            actor=request.user,
            template=template,
            kind=request.POST.get("kind", ""),
            title=request.POST.get("title", ""),
            due_days=_int(request.POST.get("due_days"), 14, field="due_days"),
            depends_on=depends_on,
            agreement=agreement,
            valid_months=valid_months,
        )

    return _back(request, add, _("Step added."))


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def template_step_remove(request: HttpRequest, template_id, position: int) -> HttpResponse:
    template = _template(request, template_id)
    return _back(
        request,
        lambda: setup.template_step_remove(tenant=request.tenant, actor=request.user, template=template, position=position),
        _("Step removed."),
    )


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def agreement_add(request: HttpRequest) -> HttpResponse:
    return _back(
        request,
        lambda: setup.agreement_version_add(
            tenant=request.tenant,
            actor=request.user,
            title=request.POST.get("title", ""),
            version=request.POST.get("version", ""),
            body=request.POST.get("body", ""),
        ),
        _("Agreement version added."),
    )


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def question_add(request: HttpRequest) -> HttpResponse:
    return _back(
        request,
        lambda: setup.security_question_add(
            tenant=request.tenant,
            actor=request.user,
            text=request.POST.get("text", ""),
            risk_points=_int(request.POST.get("risk_points"), 10, field="risk_points"),
        ),
        _("Question added."),
    )


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def question_retire(request: HttpRequest, question_id) -> HttpResponse:
    question = access_row(SecurityQuestion.objects, tenant=request.tenant, public_id=question_id)
    return _back(
        request,
        lambda: setup.security_question_retire(tenant=request.tenant, actor=request.user, question=question),
        _("The question is no longer asked."),
    )


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def capability_create(request: HttpRequest) -> HttpResponse:
    return _back(
        request,
        lambda: capability_add(tenant=request.tenant, actor=request.user, name=request.POST.get("name", "")),
        _("Capability added."),
    )


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def tier_save(request: HttpRequest) -> HttpResponse:
    def save():
        tier_services.tier_save(
            tenant=request.tenant,
            actor=request.user,
            name=request.POST.get("name", ""),
            rank=_int(request.POST.get("rank"), 0, field="rank"),
            discount_percent=_decimal(request.POST.get("discount_percent"), field="discount_percent") or Decimal(0),
            mdf_eligible=request.POST.get("mdf_eligible") == "on",
            deal_protection_days=_int(request.POST.get("deal_protection_days"), 90, field="deal_protection_days"),
            other_benefits=request.POST.get("other_benefits", ""),
            rules={metric: _decimal(request.POST.get(f"rule-{metric}"), field="rules") for metric in TierMetric.values},
        )

    return _back(request, save, _("Tier saved."))


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def tier_policy_save(request: HttpRequest) -> HttpResponse:
    return _back(
        request,
        lambda: tier_services.tier_policy_save(
            tenant=request.tenant,
            actor=request.user,
            auto_apply=request.POST.get("auto_apply") == "on",
            downgrade_grace_days=_int(request.POST.get("downgrade_grace_days"), 60, field="downgrade_grace_days"),
        ),
        _("Tier policy saved."),
    )
