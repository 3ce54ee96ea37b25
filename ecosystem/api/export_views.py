"""``data-exports/``: the program's full data export, as the portal's data export page (signed-in owners).

List the exports (newest first, filter ``status``), start one (``202``: a job to poll here or at
``jobs/<id>/``), and ``download/`` a finished one as a zip of JSON-lines files (audited, as in the portal).
Every call goes through :mod:`ecosystem.portal.tenant_export`. API keys get ``403 api_key_forbidden``: a key
that could take every row of the program in one download is too much for one leaked secret.
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ecosystem.accounts.models import Role
from ecosystem.jobs.api.serializers import JobOutputSerializer
from ecosystem.jobs.models import Job, JobStatus
from ecosystem.portal.tenant_export import JOB_KIND, access_export, tenant_export_download, tenant_export_start
from ecosystem.portal.tenant_export_tasks import tenant_export_enqueue

from .pagination import CreatedCursorPagination
from .permissions import PeopleOnly
from .views import TenantViewSet

OWNERS = frozenset({Role.OWNER})

_EXPORT = {
    "id": "3f6c8a52-1c1e-4b7a-9d0a-5b2f1e7c4d21",
    "kind": "tenant_export",
    "status": "succeeded",
    "progress": 100,
    "message": "",
    "result": {"path": "exports/1/3f6c8a52-1c1e-4b7a-9d0a-5b2f1e7c4d21.zip", "size": 482113, "tables": 74, "rows": 18234},
    "created_at": "2026-03-02T09:30:00Z",
    "started_at": "2026-03-02T09:30:01Z",
    "finished_at": "2026-03-02T09:31:12Z",
}


class ExportFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=JobStatus.choices)

    class Meta:
        model = Job
        fields = ["status"]


@extend_schema_view(
    list=extend_schema(examples=[OpenApiExample("Finished", value=_EXPORT, response_only=True)]),
    retrieve=extend_schema(examples=[OpenApiExample("Finished", value=_EXPORT, response_only=True)]),
)
class DataExportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Full data exports of the program, newest first. Tenant owners, signed in."""

    model = Job
    serializer_class = JobOutputSerializer
    filterset_class = ExportFilter
    ordering_fields = ["created_at"]
    pagination_class = CreatedCursorPagination
    permission_classes = [permissions.IsAuthenticated, PeopleOnly]
    read_roles = OWNERS
    write_roles = OWNERS

    def scoped_queryset(self) -> QuerySet:
        return Job.objects.filter(tenant=self.tenant, kind=JOB_KIND)

    @extend_schema(
        request=None,
        responses={202: JobOutputSerializer},
        examples=[
            OpenApiExample(
                "Queued",
                value={**_EXPORT, "status": "queued", "progress": 0, "result": {}, "started_at": None, "finished_at": None},
                response_only=True,
                status_codes=["202"],
            )
        ],
    )
    def create(self, request, *args, **kwargs):
        """Start an export in the background (audited ``tenant.export``); poll the job until it has succeeded."""
        job = tenant_export_start(tenant=self.tenant, actor=request.user)
        tenant_export_enqueue(tenant_id=self.tenant.pk, job_id=job.pk)
        return Response(JobOutputSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="The export's zip.")})
    @action(detail=True, methods=["get"])
    def download(self, request, *args, **kwargs):
        """The finished export's zip (audited ``tenant.export_download``); ``404`` until it has succeeded."""
        job = access_export(tenant=self.tenant, public_id=self.kwargs["public_id"])
        handle, filename = tenant_export_download(tenant=self.tenant, actor=request.user, job=job)
        return FileResponse(handle, as_attachment=True, filename=filename, content_type="application/zip")
