"""Owners' pages for the full data export: start one, watch it, download the zip."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ecosystem.accounts.models import Role
from ecosystem.jobs.models import Job

from .base import back_to_tenant, roles_required
from .tenant_export import JOB_KIND, access_export, tenant_export_download, tenant_export_start
from .tenant_export_tasks import tenant_export_enqueue

RECENT_EXPORTS = 10


@require_http_methods(["GET", "POST"])
@roles_required(Role.OWNER)
def tenant_export(request: HttpRequest) -> HttpResponse:
    """GET: the recent exports with their progress; POST: start a new one."""
    if request.method == "POST":
        job = tenant_export_start(tenant=request.tenant, actor=request.user)
        tenant_export_enqueue(tenant_id=request.tenant.pk, job_id=job.pk)
        if request.htmx:
            return render(request, "portal/_job_progress.html", {"job": job})
        messages.info(request, _("Exporting all data in the background. The download appears here when it is ready."))
        return back_to_tenant(request, "portal:tenant_export")
    jobs = list(Job.objects.filter(kind=JOB_KIND).select_related("created_by")[:RECENT_EXPORTS])
    return render(request, "portal/tenant_export.html", {"jobs": jobs})


@require_http_methods(["GET"])
@roles_required(Role.OWNER)
def tenant_export_file(request: HttpRequest, job_id) -> HttpResponse:
    job = access_export(tenant=request.tenant, public_id=job_id)
    handle, filename = tenant_export_download(tenant=request.tenant, actor=request.user, job=job)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type="application/zip")
