"""Filters of the job list. ``kind`` accepts every kind of job the platform records, not only the
kinds an integration may start itself (``JOB_KINDS``: the dashboard recount)."""

from __future__ import annotations

import django_filters

from ecosystem.jobs.models import Job, JobStatus

from .serializers import JOB_KINDS

# Every ``kind`` passed to ``job_create``: the ones the API starts, then the ones other work starts
# (uploading a screening list starts a re-screen of everyone, in the portal and the API alike).
# A new kind of job belongs here too, or its jobs cannot be found by kind.
RECORDED_JOB_KINDS = [
    *JOB_KINDS,
    ("screening_rescreen", "Screen every applicant and partner again against the new screening list"),
    ("deal_import", "Import customer accounts or opportunities from a CRM export"),
    ("account_mapping", "Match customer accounts against a partner's account list"),
    ("attribution_run", "Compute an attribution run"),
    ("churn_train", "Train the churn model and predict every partner"),
    ("fit_profile_train", "Train the ideal partner profile and score applicants and prospects"),
    ("tenant_export", "Export all of the program's data as a zip of JSON-lines files"),
]


class JobFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=RECORDED_JOB_KINDS)
    status = django_filters.ChoiceFilter(choices=JobStatus.choices)

    class Meta:
        model = Job
        fields = ["kind", "status"]
