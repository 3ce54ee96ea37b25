"""Vendor portal: import customer accounts and opportunities from a CRM export.

upload → recognised export, or a mapping form → validation report (every row error, paginated) or
"ready" → import (a job) → progress bar → result. Owners and partner managers import; analysts read.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.errors import ApplicationError
from ecosystem.jobs.models import Job
from ecosystem.jobs.services import job_create
from ecosystem.jobs.tasks import enqueue_on_commit
from ecosystem.portal.base import back_to_tenant, roles_required

from . import imports
from .import_tasks import JOB_KIND, deal_import_task
from .models import ImportBatch, ImportKind
from .registrations import engagement_rules

PAGE_SIZE = 25
ERRORS_PER_PAGE = 100


def _can_import(request: HttpRequest) -> bool:
    return request.membership.role in PARTNER_EDITOR_ROLES


@roles_required(*STAFF_ROLES)
def import_list(request: HttpRequest) -> HttpResponse:
    """Past imports, and the upload form (owners and partner managers)."""
    error = ""
    if request.method == "POST":
        if not _can_import(request):
            raise PermissionDenied
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Choose a CSV file to upload.")
        elif upload.size > imports.MAX_FILE_BYTES:
            error = _("The file is larger than 50 MB. Split it and import the parts.")
        else:
            data = upload.read()
            try:
                csv_file = imports.read_csv(data)
            except ApplicationError as invalid:
                error = str(invalid.message)
            else:
                token = imports.staged_put(tenant=request.tenant, data=data, file_name=upload.name, user_id=request.user.pk)
                recognised = imports.recognise(tenant=request.tenant, headers=csv_file.headers)
                if recognised is not None:
                    _validate_staged(request, token, csv_file, recognised.kind, recognised.mapping, recognised.label)
                return back_to_tenant(request, "deal_imports:staged", token=token)
    page = Paginator(ImportBatch.objects.filter(tenant=request.tenant).select_related("imported_by"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "error": error, "can_import": _can_import(request)}
    return render(request, "deals/imports/list.html", context, status=400 if error else 200)


def _validate_staged(request: HttpRequest, token: str, csv_file: imports.CsvFile, kind: str, mapping: dict, label: str) -> None:
    validation = imports.import_validate(
        tenant=request.tenant,
        csv_file=csv_file,
        kind=kind,
        mapping=mapping,
        default_currency=engagement_rules(tenant=request.tenant).currency,
    )
    replay = imports.import_replay_of(tenant=request.tenant, sha256=csv_file.sha256)
    imports.staged_update(
        tenant=request.tenant,
        token=token,
        kind=kind,
        mapping=mapping,
        label=label,
        report={
            "summary": validation.summary(),
            "errors": [e.as_dict() for e in validation.errors],
            "replay_of": str(replay.public_id) if replay else "",
            "replay_at": replay.imported_at.isoformat() if replay else "",
        },
    )


def _staged_or_404(request: HttpRequest, token: str) -> dict:
    staged = imports.staged_get(tenant=request.tenant, token=token)
    if staged is None:
        raise Http404
    return staged


@roles_required(*PARTNER_EDITOR_ROLES)
def import_staged(request: HttpRequest, token: str) -> HttpResponse:
    """The uploaded file: its mapping (recognised, proposed, or to choose) and its validation report."""
    staged = _staged_or_404(request, token)
    csv_file = imports.read_csv(staged["data"])
    headers = csv_file.headers
    recognised = imports.recognise(tenant=request.tenant, headers=headers)
    form_error = ""
    field_errors: dict[str, str] = {}
    chosen_kind = staged.get("kind") or (recognised.kind if recognised else "")
    chosen = (
        {h: staged["mapping"].get(h, "") for h in headers}
        if staged.get("mapping")
        else ({h: recognised.mapping.get(h, "") for h in headers} if recognised else dict.fromkeys(headers, ""))
    )
    status = 200
    if request.method == "POST":
        chosen_kind = request.POST.get("kind", "")
        chosen = {h: request.POST.get(f"map-{i}", "") for i, h in enumerate(headers)}
        try:
            mapping = imports.clean_mapping(kind=chosen_kind, headers=headers, chosen=chosen)
        except ApplicationError as error:
            status = 400
            if error.field in headers:
                field_errors[error.field] = str(error.message)
            else:
                form_error = str(error.message)
        else:
            name = (request.POST.get("name") or "").strip() or staged["file_name"]
            imports.import_mapping_save(
                tenant=request.tenant, actor=request.user, kind=chosen_kind, headers=headers, mapping=mapping, name=name
            )
            _validate_staged(request, token, csv_file, chosen_kind, mapping, name)
            return back_to_tenant(request, "deal_imports:staged", token=token)
    report = staged.get("report") if request.method != "POST" else None
    errors_page = Paginator(report["errors"], ERRORS_PER_PAGE).get_page(request.GET.get("page")) if report else None
    fields = imports.FIELDS.get(chosen_kind) or {}
    context = {
        "token": token,
        "file_name": staged["file_name"],
        "label": staged.get("label") or (recognised.label if recognised else ""),
        "recognised": recognised,
        "columns": [
            {"index": i, "header": h, "choice": chosen.get(h, ""), "error": field_errors.get(h, "")}
            for i, h in enumerate(headers)
        ],
        "kinds": ImportKind.choices,
        "kind": chosen_kind,
        "all_fields": {kind: list(f.items()) for kind, f in imports.FIELDS.items()},
        "fields": list(fields.items()),
        "form_error": form_error,
        "report": report,
        "errors_page": errors_page,
        "mapped": report is not None,
    }
    return render(request, "deals/imports/staged.html", context, status=status)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def import_run(request: HttpRequest, token: str) -> HttpResponse:
    """Start the import job of a file whose report is clean."""
    staged = _staged_or_404(request, token)
    report = staged.get("report")
    if not report or report["errors"]:
        messages.error(request, _("Fix the file first: it has problems, or it was not checked yet."))
        return back_to_tenant(request, "deal_imports:staged", token=token)
    job = job_create(tenant=request.tenant, actor=request.user, kind=JOB_KIND)
    enqueue_on_commit(deal_import_task, request.tenant.pk, job.pk, token)
    return back_to_tenant(request, "deal_imports:job", job_id=job.public_id)


@roles_required(*STAFF_ROLES)
def import_job(request: HttpRequest, job_id) -> HttpResponse:
    """The import's progress bar (HTMX polls the partial every second) and, when it ends, its result."""
    job = Job.objects.filter(tenant=request.tenant, kind=JOB_KIND, public_id=job_id).first()
    if job is None:
        raise Http404
    batch = None
    if job.result.get("batch"):
        batch = ImportBatch.objects.filter(tenant=request.tenant, public_id=job.result["batch"]).first()
    context = {"job": job, "batch": batch}
    template = "deals/imports/job.html#progress" if request.htmx else "deals/imports/job.html"
    return render(request, template, context)
