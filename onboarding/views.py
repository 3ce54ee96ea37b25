"""Onboarding pages: the public application page, the vendor's review queue and onboarding board,
and the partner's onboarding checklist."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecosystem import ratelimit
from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES
from ecosystem.client_ip import client_ip
from ecosystem.errors import ApplicationError
from ecosystem.exports import export_format, export_queryset, export_response
from ecosystem.portal.base import back_to_tenant, roles_required
from ecosystem.portal.forms import ReasonForm
from ecosystem.tenancy.access import access_row
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.selectors import tenant_by_slug
from partners.models import Capability, Region

from . import issuers as credential_issuers
from . import selectors, services, training
from .forms import ApplicationForm, ExternalCredentialForm, ProfileForm, SignatureForm
from .models import ApplicationStatus, SecurityQuestion, StepKind, StepStatus
from .models.plans import COURSE_KINDS

APPLY_LIMIT = 5  # submissions per address per hour


# --- public ------------------------------------------------------------------------------------


def apply(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    """The program's public application page. Anyone may apply; no account needed."""
    tenant = tenant_by_slug(tenant_slug)
    if tenant is None:
        raise Http404
    with tenant_context(tenant.pk):
        capabilities = list(Capability.objects.filter(tenant=tenant))
        form = ApplicationForm(request.POST or None, capabilities=capabilities)
        context = {"program": tenant, "form": form, "skip_fields": ["website"]}
        if request.method != "POST":
            return render(request, "onboarding/apply.html", context)
        if not ratelimit.hit(f"apply:{tenant.pk}:{client_ip(request)}", limit=APPLY_LIMIT, window_seconds=3600):
            form.add_error(None, _("Too many applications from your network. Please try again in an hour."))
            return render(request, "onboarding/apply.html", context, status=429)
        if form.is_valid():
            if form.cleaned_data.pop("website"):
                # A bot filled the invisible field: thank it and keep nothing.
                return render(request, "onboarding/apply_thanks.html", {"program": tenant, "merged": False})
            try:
                submitted = services.application_submit(tenant=tenant, **form.cleaned_data)
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                return render(
                    request,
                    "onboarding/apply_thanks.html",
                    {"program": tenant, "merged": submitted.merged, "status_url": submitted.status_url},
                )
        return render(request, "onboarding/apply.html", context, status=400)


def application_status(request: HttpRequest, tenant_slug: str, token: str) -> HttpResponse:
    tenant = tenant_by_slug(tenant_slug)
    if tenant is None:
        raise Http404
    with tenant_context(tenant.pk):
        application = services.application_by_token(tenant=tenant, token=token)
        if application is None:
            raise Http404
        return render(request, "onboarding/application_status.html", {"program": tenant, "application": application})


# --- vendor portal -----------------------------------------------------------------------------


@roles_required(*STAFF_ROLES)
def application_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", ApplicationStatus.SUBMITTED)
    if status not in ApplicationStatus.values and status != "all":
        status = ApplicationStatus.SUBMITTED
    sort = "fit" if request.GET.get("sort") == "fit" else "newest"
    queryset = selectors.application_queue(
        tenant=request.tenant, status=None if status == "all" else status, by_fit=sort == "fit"
    )
    if export_format(request):
        return export_queryset(
            request,
            filename=f"applications-{request.tenant.slug}.csv",
            queryset=queryset,
            columns={
                "id": "public_id",
                "company": "company_name",
                "website_domain": "website_domain",
                "partner_type": "partner_type",
                "expected_deal_volume": "expected_deal_volume",
                "contact_name": "contact_name",
                "contact_email": "contact_email",
                "status": "status",
                "partner_fit": "fit_score",
                "submitted_at": "submitted_at",
                "decided_at": "decided_at",
            },
        )
    page = Paginator(queryset, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "onboarding/application_list.html",
        {
            "page": page,
            "status": status,
            "statuses": ApplicationStatus.choices,
            "sort": sort,
            "query": urlencode({"status": status, "sort": sort}),
        },
    )


@roles_required(*STAFF_ROLES)
def application_detail(request: HttpRequest, application_id) -> HttpResponse:
    application = selectors.access_application(tenant=request.tenant, public_id=application_id)
    capability_names = dict(Capability.objects.filter(tenant=request.tenant).values_list("slug", "name"))
    context = {
        "application": application,
        "capabilities": [capability_names.get(slug, slug) for slug in application.capabilities],
        "regions": [Region(code).label if code in Region.values else code for code in application.regions],
        "form": ReasonForm(),
        "matches": application.screening_matches.all(),
        "fit": getattr(application, "fit", None),  # joined by access_application; None until scored
        "can_decide": request.membership.role in PARTNER_EDITOR_ROLES and application.status == ApplicationStatus.SUBMITTED,
    }
    return render(request, "onboarding/application_detail.html", context)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def application_decide(request: HttpRequest, application_id, decision: str) -> HttpResponse:
    application = selectors.access_application(tenant=request.tenant, public_id=application_id)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        if decision == "approve":
            partner = services.application_approve(tenant=request.tenant, actor=request.user, application=application)
            messages.success(
                request,
                (
                    _("%(name)s is approved: the partner admin is invited and onboarding has started.")
                    if partner.onboarding_plans.exists()
                    else _(
                        "%(name)s is approved and the partner admin is invited. No onboarding template fits this partner type, so there is no plan."
                    )
                )
                % {"name": partner.name},
            )
            return back_to_tenant(request, "partners:detail", partner_id=partner.public_id)
        services.application_reject(
            tenant=request.tenant, actor=request.user, application=application, reason=form.cleaned_data.get("reason", "")
        )
        messages.info(request, _("The application was declined and the applicant told."))
    except ApplicationError as error:
        messages.error(request, error.message)
        return back_to_tenant(request, "onboarding:application_detail", application_id=application.public_id)
    return back_to_tenant(request, "onboarding:application_list")


@roles_required(*STAFF_ROLES)
def onboarding_board(request: HttpRequest) -> HttpResponse:
    if export_format(request):
        # the open plans of the board, most overdue first, with their counts: one query
        return export_response(
            request,
            filename=f"onboarding-{request.tenant.slug}.csv",
            header=[
                "plan_id",
                "partner_id",
                "partner",
                "steps_done",
                "steps",
                "percent",
                "overdue",
                "waiting_for_us",
                "oldest_due",
                "last_activity",
            ],
            rows=(
                [
                    p.plan.public_id,
                    p.plan.partner.public_id,
                    p.plan.partner.name,
                    p.done,
                    p.total,
                    p.percent,
                    p.overdue,
                    p.waiting_for_us,
                    p.oldest_due,
                    p.last_activity,
                ]
                for p in selectors.onboarding_progress(tenant=request.tenant)
            ),
        )
    context = {
        "progress": selectors.onboarding_progress(tenant=request.tenant),
        "reviews": selectors.steps_waiting_for_review(tenant=request.tenant),
        "onboarded": selectors.recently_onboarded(tenant=request.tenant),
        "time_to_value": selectors.time_to_value(tenant=request.tenant),
        "can_decide": request.membership.role in PARTNER_EDITOR_ROLES,
    }
    return render(request, "onboarding/board.html", context)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def security_review_decide(request: HttpRequest, step_id, decision: str) -> HttpResponse:
    step = selectors.access_step(tenant=request.tenant, public_id=step_id, partner_id=None)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        services.security_review_decide(
            tenant=request.tenant,
            actor=request.user,
            step=step,
            approve=decision == "approve",
            reason=form.cleaned_data.get("reason", ""),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Decision recorded."))
    return back_to_tenant(request, "onboarding:board")


# --- partner portal ----------------------------------------------------------------------------


@roles_required(*PARTNER_ROLES)
def my_onboarding(request: HttpRequest) -> HttpResponse:
    partner_id = request.membership.partner_id
    context = {
        "plan": selectors.current_plan(tenant=request.tenant, partner_id=partner_id),
        "gate": services.partner_access_gate(tenant=request.tenant, partner_id=partner_id),
    }
    return render(request, "onboarding/my_onboarding.html", context)


@roles_required(*PARTNER_ROLES)
def my_step(request: HttpRequest, step_id) -> HttpResponse:
    step = selectors.access_step(tenant=request.tenant, public_id=step_id, partner_id=request.membership.partner_id)
    signature_form = SignatureForm(request.POST or None) if step.kind == StepKind.AGREEMENT else None
    questions = (
        list(SecurityQuestion.objects.filter(tenant=request.tenant, is_active=True))
        if step.kind == StepKind.SECURITY_REVIEW
        else []
    )
    profile_form = None
    if step.kind == StepKind.PROFILE:
        from django.db import transaction

        from ecosystem.accounts.models import Role
        from partners.services import partner_logo_set

        partner = step.partner
        profile_form = ProfileForm(
            request.POST or None,
            request.FILES or None,
            with_logo=request.membership.role == Role.PARTNER_ADMIN,
            initial={"description": partner.description, "regions": partner.regions, "capabilities": partner.capabilities},
            capabilities=Capability.objects.filter(tenant=request.tenant),
        )
    # An outside certification (no course) is checked with its issuer once the tenant configured one.
    credential_form = None
    if credential_issuers.is_external_certification(step):
        choices = [(slug, name) for _id, slug, name in credential_issuers.issuer_choices(tenant=request.tenant)]
        if choices:
            credential_form = ExternalCredentialForm(
                request.POST or None, issuers=choices, initial={"holder_name": request.user.get_full_name()}
            )
    error = None
    outcome = None
    if request.method == "POST":
        try:
            if credential_form is not None:
                if not credential_form.is_valid():
                    raise ApplicationError(_("Check the fields below."), code="invalid", field="credential")
                credential_issuers.external_credential_submit(
                    tenant=request.tenant,
                    actor=request.user,
                    step=step,
                    issuer_slug=credential_form.cleaned_data["issuer"],
                    credential_number=credential_form.cleaned_data["credential_number"],
                    holder_name=credential_form.cleaned_data["holder_name"],
                )
                outcome = "checking"
            elif step.kind == StepKind.PROFILE:
                if not profile_form.is_valid():
                    raise ApplicationError(_("Check the fields below."), code="invalid", field="profile")
                logo = profile_form.cleaned_data.pop("logo", None)
                with transaction.atomic():  # the profile and its logo together, or neither
                    services.profile_step_complete(
                        tenant=request.tenant, actor=request.user, step=step, **profile_form.cleaned_data
                    )
                    if logo is not None:
                        partner_logo_set(tenant=request.tenant, actor=request.user, partner=step.partner, upload=logo)
            elif step.kind == StepKind.AGREEMENT:
                signature_form.is_valid()
                services.agreement_sign(
                    tenant=request.tenant,
                    actor=request.user,
                    step=step,
                    typed_name=signature_form.cleaned_data.get("typed_name", ""),
                    accepted=bool(signature_form.cleaned_data.get("accepted")),
                    ip=client_ip(request),
                )
            elif step.kind == StepKind.SECURITY_REVIEW:
                answers = {
                    str(q.public_id): request.POST.get(f"q-{q.public_id}") == "yes"
                    for q in questions
                    if request.POST.get(f"q-{q.public_id}") in ("yes", "no")
                }
                services.security_review_submit(tenant=request.tenant, actor=request.user, step=step, answers=answers)
            elif step.kind in COURSE_KINDS and step.course_id is not None:
                outcome = training.course_step_check(tenant=request.tenant, actor=request.user, step=step)
            else:
                services.step_complete(tenant=request.tenant, actor=request.user, step=step)
        except ApplicationError as error_:
            error = error_
            if signature_form is not None and error.field in signature_form.fields:
                signature_form.add_error(error.field, error.message)
            if profile_form is not None and error.field in profile_form.fields:
                profile_form.add_error(error.field, error.message)
            if credential_form is not None and error.field in credential_form.fields:
                credential_form.add_error(error.field, error.message)
        else:
            step.refresh_from_db()
            if step.status == StepStatus.WAITING_FOR_REVIEW:
                messages.info(request, _("Thank you. Your answers need a review by the vendor; we will let you know."))
            elif outcome == "checking":
                messages.info(request, _("We are checking the certification; the step is done as soon as it verifies."))
                if credential_form is not None:
                    return back_to_tenant(request, "partner_onboarding:step", step_id=step.public_id)
            else:
                messages.success(request, _("Step done: %(title)s.") % {"title": step.title})
            return back_to_tenant(request, "partner_onboarding:mine")
    check = credential_issuers.latest_check(step) if credential_issuers.is_external_certification(step) else None
    context = {
        "step": step,
        "renewal_open": services.is_renewal_open(step),
        "signature_form": signature_form,
        "profile_form": profile_form,
        "credential_form": credential_form,
        "credential_check": check,
        "credential_message": credential_issuers.check_message(check) if check else "",
        "questions": questions,
        "error": error,
        "answers": {key[2:]: value for key, value in request.POST.items() if key.startswith("q-")},
    }
    return render(request, "onboarding/my_step.html", context, status=400 if error else 200)


# --- denied-party screening --------------------------------------------------------------------


@roles_required(*STAFF_ROLES)
def screening(request: HttpRequest) -> HttpResponse:
    from ecosystem.jobs.models import Job
    from ecosystem.jobs.services import job_create
    from ecosystem.jobs.tasks import enqueue_on_commit

    from .models import MatchStatus, ScreeningList, ScreeningMatch
    from .screening import ScreeningListInvalid
    from .screening_services import screening_list_upload
    from .tasks import rescreen_everyone_task

    errors: list = []
    can_manage = request.membership.role in PARTNER_EDITOR_ROLES
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        upload = request.FILES.get("file")
        if upload is None:
            errors = [_("Choose a CSV file to upload.")]
        else:
            try:
                screening_list_upload(tenant=request.tenant, actor=request.user, source=upload, file_name=upload.name)
            except ScreeningListInvalid as invalid:
                errors = [str(error) for error in invalid.errors]
            else:
                job = job_create(tenant=request.tenant, actor=request.user, kind="screening_rescreen")
                enqueue_on_commit(rescreen_everyone_task, request.tenant.pk, job.pk)
                messages.success(request, _("The list is in place. Everyone is being screened again in the background."))
                return back_to_tenant(request, "onboarding:screening")
    if request.method == "GET" and export_format(request):
        # the open matches the page lists, strongest first: one query
        return export_queryset(
            request,
            filename=f"screening-matches-{request.tenant.slug}.csv",
            queryset=ScreeningMatch.objects.filter(tenant=request.tenant, status=MatchStatus.OPEN).order_by("-score", "id"),
            columns={
                "id": "public_id",
                "screened_name": "subject_name",
                "application_id": "application__public_id",
                "partner_id": "partner__public_id",
                "listed_party": "listed_name",
                "listed_country": "listed_country",
                "program": "listed_program",
                "score": "score",
                "found_at": "created_at",
            },
        )
    context = {
        "current": ScreeningList.objects.filter(tenant=request.tenant).first(),
        "matches": ScreeningMatch.objects.filter(tenant=request.tenant, status=MatchStatus.OPEN).select_related(
            "application", "partner"
        ),
        "errors": errors,
        "can_manage": can_manage,
        "last_job": Job.objects.filter(tenant=request.tenant, kind="screening_rescreen").first(),
    }
    return render(request, "onboarding/screening.html", context, status=400 if errors else 200)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def screening_match_clear(request: HttpRequest, match_id) -> HttpResponse:
    from .models import ScreeningMatch
    from .screening_services import screening_match_clear as clear

    match = access_row(ScreeningMatch.objects, tenant=request.tenant, public_id=match_id)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        clear(tenant=request.tenant, actor=request.user, match=match, reason=form.cleaned_data.get("reason", ""))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Match cleared."))
    return back_to_tenant(request, "onboarding:screening")


# --- security evidence -------------------------------------------------------------------------


@require_POST
@roles_required(*PARTNER_ROLES)
def my_evidence_add(request: HttpRequest, step_id) -> HttpResponse:
    step = selectors.access_step(tenant=request.tenant, public_id=step_id, partner_id=request.membership.partner_id)
    try:
        services.security_evidence_add(tenant=request.tenant, actor=request.user, step=step, upload=request.FILES.get("file"))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The document is attached."))
    return back_to_tenant(request, "partner_onboarding:step", step_id=step.public_id)


def _send_evidence(request: HttpRequest, evidence_id, *, partner_id: int | None) -> HttpResponse:
    from django.http import FileResponse

    from .models import SecurityEvidence

    evidence = access_row(SecurityEvidence.objects, tenant=request.tenant, public_id=evidence_id, partner_id=partner_id)
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.original_filename)


@roles_required(*PARTNER_ROLES)
def my_evidence_download(request: HttpRequest, evidence_id) -> HttpResponse:
    return _send_evidence(request, evidence_id, partner_id=request.membership.partner_id)


@roles_required(*STAFF_ROLES)
def evidence_download(request: HttpRequest, evidence_id) -> HttpResponse:
    return _send_evidence(request, evidence_id, partner_id=None)
