"""The ideal partner profile in the API (vendor staff; owners and partner managers start training), as on
the portal's profile page: ``fit-profile/`` (the active profile, or why there is none, and the latest
training job), ``fit-profile/train/`` (start training: a job with progress) and ``fit-scores/`` (the fit of
every prospect partner and open application, with its reasons). The same selectors and task as the portal."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES
from ecosystem.api.pagination import CreatedCursorPagination
from ecosystem.api.views import TenantViewSet
from ecosystem.jobs.api.serializers import JobOutputSerializer
from ecosystem.jobs.models import Job
from ecosystem.jobs.services import job_create
from ecosystem.jobs.tasks import enqueue_on_commit

from ..fit import profile as engine
from ..fit_service import OPEN_APPLICATION_STATUSES, PROSPECT_STATUSES, TRAIT_LABELS, fit_history_check
from ..fit_tasks import JOB_KIND, fit_profile_train_task
from ..models import FitScore, ModelKind, PredictionModel


class FitTraitSerializer(serializers.Serializer):
    trait = serializers.CharField()
    label = serializers.CharField()
    values = serializers.ListField(
        child=serializers.DictField(), help_text="How common each value is among top performers and the others."
    )


class FitModelSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    version = serializers.IntegerField()
    trained_at = serializers.DateTimeField()
    window_start = serializers.DateField()
    window_end = serializers.DateField()
    metrics = serializers.DictField(help_text="Top performers, others, revenue threshold, leave-one-out and leave-pair-out AUC.")
    traits = serializers.SerializerMethodField()

    @extend_schema_field(FitTraitSerializer(many=True))
    def get_traits(self, model: PredictionModel) -> list[dict]:
        traits = (model.metrics.get("profile") or {}).get("traits") or {}
        return [{"trait": name, "label": str(TRAIT_LABELS[name]), "values": traits.get(name) or []} for name in engine.TRAITS]


class FitHistorySerializer(serializers.Serializer):
    enough = serializers.BooleanField(help_text="Whether there is enough history to train a profile.")
    reason = serializers.CharField()
    eligible = serializers.IntegerField(help_text="Active partners long enough in the program.")
    top = serializers.IntegerField(help_text="Top performers among them.")


class FitProfileSerializer(serializers.Serializer):
    profile = FitModelSerializer(allow_null=True, help_text="The active profile; null before the first one.")
    history = FitHistorySerializer(allow_null=True, help_text="Without a profile: whether training could build one, and why.")
    last_job = JobOutputSerializer(allow_null=True, help_text="The latest training job (poll jobs/<id>/ while it runs).")


_JOB_EXAMPLE = {
    "id": "3f6c8a52-1c1e-4b7a-9d0a-5b2f1e7c4d21",
    "kind": JOB_KIND,
    "status": "queued",
    "progress": 0,
    "message": "",
    "result": None,
    "created_at": "2026-03-02T09:30:00Z",
    "started_at": None,
    "finished_at": None,
}


class FitProfileViewSet(TenantViewSet):
    """``fit-profile/``: the tenant's ideal partner profile (staff); ``fit-profile/train/`` (editors)."""

    model = PredictionModel
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return PredictionModel.objects.filter(kind=ModelKind.FIT, is_active=True).defer("artefact")

    @extend_schema(
        responses={200: FitProfileSerializer},
        examples=[
            OpenApiExample(
                "No profile yet",
                value={
                    "profile": None,
                    "history": {
                        "enough": False,
                        "reason": "Only 4 active partners have been in the program long enough.",
                        "eligible": 4,
                        "top": 1,
                    },
                    "last_job": None,
                },
                response_only=True,
            )
        ],
    )
    def retrieve(self, request, *args, **kwargs):
        """The active profile and its traits, or (before the first one) whether there is enough history."""
        model = self.scoped_queryset().first()
        history = None
        if model is None:
            enough, reason, eligible, top = fit_history_check()
            history = {"enough": enough, "reason": str(reason), "eligible": eligible, "top": top}
        body = {"profile": model, "history": history, "last_job": Job.objects.filter(kind=JOB_KIND).first()}
        return Response(FitProfileSerializer(body).data)

    @extend_schema(
        request=None,
        responses={202: JobOutputSerializer},
        examples=[OpenApiExample("Started", value=_JOB_EXAMPLE, response_only=True, status_codes=["202"])],
    )
    @action(detail=False, methods=["post"])
    def train(self, request, *args, **kwargs):
        """Train the profile now, then score applicants and prospects: answers the job to poll (``jobs/<id>/``)."""
        job = job_create(tenant=self.tenant, actor=self.actor, kind=JOB_KIND)
        enqueue_on_commit(fit_profile_train_task, self.tenant.pk, job.pk)
        return Response(JobOutputSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class FitScoreSerializer(serializers.Serializer):
    subject = serializers.SerializerMethodField(help_text="`partner` (a prospect) or `application` (waiting for review).")
    partner = serializers.UUIDField(source="partner.public_id", allow_null=True, default=None)
    application = serializers.UUIDField(source="application.public_id", allow_null=True, default=None)
    name = serializers.SerializerMethodField()
    score = serializers.FloatField(help_text="0–100; 50 means no evidence either way.")
    reasons = serializers.ListField(
        child=serializers.DictField(), help_text="{trait, value, label, sentence, effect}, strongest first."
    )
    computed_at = serializers.DateTimeField()

    def get_subject(self, fit: FitScore) -> str:
        return "partner" if fit.partner_id else "application"

    def get_name(self, fit: FitScore) -> str:
        return fit.partner.name if fit.partner_id else fit.application.company_name


class FitScoreFilter(django_filters.FilterSet):
    subject = django_filters.ChoiceFilter(
        choices=[("partner", "Prospect partners"), ("application", "Open applications")], method="filter_subject"
    )
    min_score = django_filters.NumberFilter(field_name="score", lookup_expr="gte", label="Fit at least")

    class Meta:
        model = FitScore
        fields = ["subject", "min_score"]

    def filter_subject(self, queryset, name, value):
        return queryset.filter(partner__isnull=value != "partner")


class FitCursorPagination(CreatedCursorPagination):
    """Best fit first; a cursor page reads its rows and never counts them."""

    ordering = ("-score", "-id")


class FitScoreViewSet(mixins.ListModelMixin, TenantViewSet):
    """``fit-scores/``: the fit of every prospect partner and open application, best first (staff)."""

    model = FitScore
    serializer_class = FitScoreSerializer
    pagination_class = FitCursorPagination
    filterset_class = FitScoreFilter
    ordering_fields = ["score", "computed_at"]

    def scoped_queryset(self):
        return (
            FitScore.objects.filter(
                Q(partner__status__in=PROSPECT_STATUSES) | Q(application__status__in=OPEN_APPLICATION_STATUSES)
            )
            .select_related("partner", "application")
            .order_by("-score", "-id")
        )
