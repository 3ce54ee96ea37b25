import django_filters

from ecosystem.jobs.models import Job, JobStatus

from .serializers import JOB_KINDS


class JobFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=JOB_KINDS)
    status = django_filters.ChoiceFilter(choices=JobStatus.choices)

    class Meta:
        model = Job
        fields = ["kind", "status"]
