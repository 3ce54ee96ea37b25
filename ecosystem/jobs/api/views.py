from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.api.views import TenantViewSet
from ecosystem.jobs.models import Job
from ecosystem.jobs.services import job_create
from ecosystem.portal.tasks import dashboard_metrics_enqueue

from .filters import JobFilter
from .serializers import JobInputSerializer, JobOutputSerializer


class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Background jobs and their progress. Poll a job until ``status`` is ``succeeded`` or ``failed``."""

    model = Job
    serializer_class = JobOutputSerializer
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)
    filterset_class = JobFilter

    def scoped_queryset(self):
        return Job.objects.filter(tenant=self.tenant)

    @extend_schema(request=JobInputSerializer, responses={202: JobOutputSerializer})
    def create(self, request, *args, **kwargs):
        payload = JobInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        job = job_create(tenant=self.tenant, actor=self.actor, kind=payload.validated_data["kind"])
        dashboard_metrics_enqueue(tenant_id=self.tenant.pk, job_id=job.pk)
        return Response(JobOutputSerializer(job).data, status=status.HTTP_202_ACCEPTED)
