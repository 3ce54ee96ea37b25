"""Deal registration in the partner portal: register, precheck, my registrations, one registration, the rules.

Every page calls the services any other entry point calls (the API included):
:func:`deals.registrations.registration_submit` refuses until the sales-access gate is open, decides
pending / approved / under review and never names another partner; the precheck answers one of
three neutral outcomes. A partner user reaches only registrations its own organisation submitted:
another partner's registration, or another tenant's, is "not found".
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecosystem import ratelimit
from ecosystem.accounts.models import PARTNER_ROLES
from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.exports import export_format, export_response
from ecosystem.portal.base import back_to_tenant, roles_required
from ecosystem.tenancy.models import Tenant
from onboarding.services import partner_access_gate
from partners.models import Tier

from . import selectors, workflow
from .accounts import clean_customer
from .forms import (
    AppealForm,
    ExtensionForm,
    InfoAnswerForm,
    RegistrationFilterForm,
    RegistrationForm,
    StageForm,
    put_error,
)
from .models import (
    ACTIVE_STATUSES,
    OPEN_FOR_DECISION,
    DecisionAction,
    ExtensionStatus,
    ProductLine,
    RegistrationAppeal,
    RegistrationStatus,
    TakeoverPolicy,
)
from .registrations import PrecheckOutcome, engagement_rules, registration_precheck, registration_submit

PAGE_SIZE = 25
# The precheck tells whether a customer looks registered: a few dozen checks per person in ten
# minutes is plenty for typing in a form, and too few to scan a customer list with.
PRECHECK_LIMIT = 30
PRECHECK_WINDOW_SECONDS = 600
THROTTLED = "throttled"


@dataclass(frozen=True)
class PrecheckAnswer:
    outcome: str  # a PrecheckOutcome, "throttled", or "" when there is nothing to check yet
    message: str


def precheck_message(outcome: str) -> str:
    return {
        PrecheckOutcome.CLEAR: _("Looks new: no active registration was found for this customer."),
        PrecheckOutcome.LIKELY_CONFLICT: _(
            "This customer may already be registered. You can still submit; a manager will review it."
        ),
        PrecheckOutcome.YOURS: _("Your organisation already registered this customer."),
        THROTTLED: _("Too many checks in a short time. You can still submit; try the check again in a few minutes."),
    }.get(outcome, "")


def rate_limited_precheck(
    *, tenant: Tenant, user_id: int, partner_id: int, customer_name: str, customer_domain: str, product_lines: list[str]
) -> PrecheckAnswer:
    """The precheck for one partner user, counted against their rate limit (portal and API share it).

    Bad input raises :class:`ApplicationError` before anything is counted (it tells nothing). No
    product line chosen yet: the customer is checked against every active product line.
    """
    lines = [line for line in product_lines if line] or list(
        ProductLine.objects.filter(tenant=tenant, is_active=True).values_list("slug", flat=True)
    )
    clean_customer(name=customer_name, domain=customer_domain)
    if not ratelimit.hit(f"deal-precheck:{tenant.pk}:{user_id}", limit=PRECHECK_LIMIT, window_seconds=PRECHECK_WINDOW_SECONDS):
        return PrecheckAnswer(outcome=THROTTLED, message=precheck_message(THROTTLED))
    outcome = registration_precheck(
        tenant=tenant, partner_id=partner_id, customer_name=customer_name, customer_domain=customer_domain, product_lines=lines
    )
    return PrecheckAnswer(outcome=outcome, message=precheck_message(outcome))


# --- register ------------------------------------------------------------------------------------


@roles_required(*PARTNER_ROLES)
def register(request: HttpRequest) -> HttpResponse:
    """The registration form. Until sales access is open it shows what is missing (and the service refuses)."""
    partner_id = request.membership.partner_id
    gate = partner_access_gate(tenant=request.tenant, partner_id=partner_id)
    form = RegistrationForm(request.POST or None, tenant=request.tenant, partner_id=partner_id)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                submitted = registration_submit(
                    tenant=request.tenant, actor=request.user, partner_id=partner_id, values=form.values()
                )
            except ApplicationError as error:
                put_error(form, error)
                status = error.status_code
            else:
                registration = submitted.registration
                if submitted.under_review:
                    messages.info(request, _("Registered. This customer may already be registered: a manager will review it."))
                else:
                    messages.success(request, _("Registered: %(status)s.") % {"status": registration.get_status_display()})
                return back_to_tenant(request, "partner_deals:detail", registration_id=registration.public_id)
        gate = partner_access_gate(tenant=request.tenant, partner_id=partner_id)
    return render(request, "deals/partner/register.html", {"form": form, "gate": gate}, status=status)


@require_POST
@roles_required(*PARTNER_ROLES)
def precheck(request: HttpRequest) -> HttpResponse:
    """HTMX: does the customer being typed look registered already? Never who holds it. 429 past the limit."""
    answer = PrecheckAnswer(outcome="", message=_("Enter the customer and its website to check whether it is registered."))
    status = 200
    if partner_access_gate(tenant=request.tenant, partner_id=request.membership.partner_id).is_open:
        with contextlib.suppress(ApplicationError):  # incomplete input: keep the hint
            answer = rate_limited_precheck(
                tenant=request.tenant,
                user_id=request.user.pk,
                partner_id=request.membership.partner_id,
                customer_name=request.POST.get("customer_name", ""),
                customer_domain=request.POST.get("customer_domain", ""),
                product_lines=request.POST.getlist("product_lines"),
            )
        if answer.outcome == THROTTLED:
            status = 429
    else:
        answer = PrecheckAnswer(outcome="", message=_("Finish onboarding first: then you can check and register customers."))
    return render(request, "deals/partner/register.html#precheck", {"precheck": answer}, status=status)


# --- my registrations ----------------------------------------------------------------------------


@roles_required(*PARTNER_ROLES)
def registration_list(request: HttpRequest) -> HttpResponse:
    """The organisation's own registrations, newest first, filterable by status and stage."""
    filter_form = RegistrationFilterForm(request.GET)
    filters = filter_form.filters()
    queryset = selectors.registrations_for_partner(
        tenant=request.tenant, partner_id=request.membership.partner_id, filters=filters
    )
    if filters.get("stage"):
        queryset = queryset.filter(stage=filters["stage"])
    if export_format(request):
        return export_response(
            request,
            filename="my-deal-registrations.csv",
            header=[
                "id",
                "customer",
                "customer_domain",
                "product_lines",
                "value",
                "currency",
                "stage",
                "status",
                "submitted_at",
                "protected_until",
            ],
            rows=(
                (*row[:3], " ".join(row[3]), *row[4:])
                for row in queryset.values_list(
                    "public_id",
                    "customer_name",
                    "customer_domain",
                    "product_lines",
                    "value",
                    "currency",
                    "stage",
                    "status",
                    "submitted_at",
                    "protected_until",
                ).iterator()
            ),
        )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode(filters)
    context = {"page": page, "filter_form": filter_form, "query": query}
    template = "deals/partner/list.html#results" if request.htmx else "deals/partner/list.html"
    return render(request, template, context)


def _detail_context(request: HttpRequest, registration, **forms) -> dict:
    decisions = list(registration.decisions.order_by("decided_at", "id"))
    appeal = RegistrationAppeal.objects.filter(tenant=request.tenant, registration=registration).first()
    extensions = list(registration.extensions.order_by("-requested_at", "-id"))
    evidence = None
    if registration.status in (RegistrationStatus.REJECTED, RegistrationStatus.UNDER_REVIEW):
        evidence = selectors.partner_evidence(tenant=request.tenant, registration=registration)
    names = dict(ProductLine.objects.filter(tenant=request.tenant).values_list("slug", "name"))
    questions = [d.reason for d in decisions if d.action == DecisionAction.INFO_REQUESTED]
    return {
        "registration": registration,
        "product_lines": [names.get(slug, slug) for slug in registration.product_lines],
        "info_question": questions[-1] if questions else "",
        "decisions": decisions,
        "appeal": appeal,
        "extensions": extensions,
        "evidence": evidence,
        **_action_forms(registration, appeal=appeal, extensions=extensions, **forms),
    }


def _action_forms(registration, *, appeal, extensions, **bound) -> dict:
    """The forms this registration's status allows (bound ones keep what was typed after an error)."""
    status = registration.status
    forms: dict = {}
    if status == RegistrationStatus.INFO_REQUESTED:
        forms["info_form"] = bound.get("info_form") or InfoAnswerForm()
    if status in ACTIVE_STATUSES:
        forms["stage_form"] = bound.get("stage_form") or StageForm(initial={"stage": registration.stage})
    if status in (*OPEN_FOR_DECISION, RegistrationStatus.APPROVED):
        forms["can_withdraw"] = True
    if status == RegistrationStatus.REJECTED and appeal is None:
        forms["appeal_form"] = bound.get("appeal_form") or AppealForm()
    if status == RegistrationStatus.APPROVED and not any(e.status == ExtensionStatus.REQUESTED for e in extensions):
        forms["extension_form"] = bound.get("extension_form") or ExtensionForm()
    return forms


@roles_required(*PARTNER_ROLES)
def registration_detail(request: HttpRequest, registration_id) -> HttpResponse:
    """One of the organisation's registrations: its status, history, evidence and what can be done next."""
    registration = selectors.access_registration(
        tenant=request.tenant, public_id=registration_id, partner_id=request.membership.partner_id
    )
    return render(request, "deals/partner/detail.html", _detail_context(request, registration))


# --- what the partner does next (the workflow's services) ------------------------------------------


def _act(request: HttpRequest, registration_id, *, form_class, form_name: str, perform, done: str) -> HttpResponse:
    """Validate ``form_class``, call ``perform(registration, cleaned_data)``; a refusal re-renders the page (400)."""
    registration = selectors.access_registration(
        tenant=request.tenant, public_id=registration_id, partner_id=request.membership.partner_id
    )
    form = form_class(request.POST) if form_class else None
    if form is None or form.is_valid():
        try:
            perform(registration, form.cleaned_data if form else {})
        except NotFoundError:
            raise
        except ApplicationError as error:
            if form is None:
                messages.error(request, error.message)
                return back_to_tenant(request, "partner_deals:detail", registration_id=registration.public_id)
            put_error(form, error)
        else:
            messages.success(request, done)
            return back_to_tenant(request, "partner_deals:detail", registration_id=registration.public_id)
    registration.refresh_from_db()
    context = _detail_context(request, registration, **({form_name: form} if form is not None else {}))
    if form_name not in context:  # the status no longer offers this form: say why above the page
        for error in form.errors.values():
            messages.error(request, " ".join(error))
    return render(request, "deals/partner/detail.html", context, status=400)


@require_POST
@roles_required(*PARTNER_ROLES)
def registration_info(request: HttpRequest, registration_id) -> HttpResponse:
    """Answer the manager's request for more information."""

    def perform(registration, data):
        workflow.registration_provide_info(
            tenant=request.tenant,
            actor=request.user,
            partner_id=request.membership.partner_id,
            registration=registration,
            answer=data["answer"],
        )

    return _act(
        request, registration_id, form_class=InfoAnswerForm, form_name="info_form", perform=perform, done=_("Answer sent.")
    )


@require_POST
@roles_required(*PARTNER_ROLES)
def registration_stage(request: HttpRequest, registration_id) -> HttpResponse:
    """Move the deal to another stage, or close it won or lost with the amount and the date."""

    def perform(registration, data):
        workflow.registration_update_stage(
            tenant=request.tenant,
            actor=request.user,
            registration=registration,
            stage=data["stage"],
            closed_amount=data.get("closed_amount"),
            closed_on=data.get("closed_on"),
        )

    return _act(request, registration_id, form_class=StageForm, form_name="stage_form", perform=perform, done=_("Stage saved."))


@require_POST
@roles_required(*PARTNER_ROLES)
def registration_withdraw(request: HttpRequest, registration_id) -> HttpResponse:
    """Withdraw the registration: it stops holding the customer."""

    def perform(registration, data):
        workflow.registration_withdraw(
            tenant=request.tenant, actor=request.user, partner_id=request.membership.partner_id, registration=registration
        )

    return _act(
        request, registration_id, form_class=None, form_name="", perform=perform, done=_("The registration is withdrawn.")
    )


@require_POST
@roles_required(*PARTNER_ROLES)
def registration_appeal(request: HttpRequest, registration_id) -> HttpResponse:
    """Appeal the decision, once, with a reason. Another manager decides."""

    def perform(registration, data):
        workflow.appeal_submit(
            tenant=request.tenant,
            actor=request.user,
            partner_id=request.membership.partner_id,
            registration=registration,
            reason=data["reason"],
        )

    return _act(request, registration_id, form_class=AppealForm, form_name="appeal_form", perform=perform, done=_("Appeal sent."))


@require_POST
@roles_required(*PARTNER_ROLES)
def registration_extension(request: HttpRequest, registration_id) -> HttpResponse:
    """Ask for more protection time on an approved registration."""

    def perform(registration, data):
        workflow.extension_request(
            tenant=request.tenant,
            actor=request.user,
            partner_id=request.membership.partner_id,
            registration=registration,
            reason=data["reason"],
        )

    return _act(
        request,
        registration_id,
        form_class=ExtensionForm,
        form_name="extension_form",
        perform=perform,
        done=_("Extension requested."),
    )


# --- the published rules -------------------------------------------------------------------------


@roles_required(*PARTNER_ROLES)
def rules(request: HttpRequest) -> HttpResponse:
    """The program's rules of engagement in plain words, with the protection each tier gives."""
    program_rules = engagement_rules(tenant=request.tenant)
    context = {
        "rules": program_rules,
        "tiers": list(Tier.objects.filter(tenant=request.tenant).order_by("rank")),
        "takeover": TakeoverPolicy(program_rules.direct_takeover).label,
        "my_tier_id": request.membership.partner.tier_id,
    }
    return render(request, "deals/partner/rules.html", context)
