"""Scoring in the API: ``health-scores/`` (staff: every partner's latest score, lowest first),
``my-health/`` (a partner user: its own latest score), and for staff ``churn-predictions/``,
``churn-alerts/`` (interventions, close) and ``churn-models/`` (activate). The same selectors and
services as the portal pages. The score and prediction lists page by cursor over their (tying) values
with the partner's name and the row's id as tie-breakers (``KeyedCursorPagination``)."""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import F, Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_ROLES
from ecosystem.api.idempotency import idempotent
from ecosystem.api.pagination import CreatedCursorPagination, KeyedCursorPagination
from ecosystem.api.views import TenantViewSet
from ecosystem.errors import NotFoundError

from .. import churn_service
from ..models import (
    AlertStatus,
    ChurnAlert,
    ChurnPrediction,
    HealthScore,
    Intervention,
    ModelKind,
    PredictionMethod,
    PredictionModel,
)
from ..registry import prediction_model_activate
from ..selectors import component_rows, latest_churn_predictions, latest_scores


class ComponentSerializer(serializers.Serializer):
    name = serializers.CharField()
    score = serializers.FloatField(allow_null=True, help_text="0–100; null when left out (no data yet, e.g. PSAT).")
    points = serializers.FloatField(help_text="Points of the total this component adds (they sum to the total).")


class MovedSerializer(serializers.Serializer):
    component = serializers.CharField()
    points = serializers.FloatField(help_text="Change in points of the total since the partner's previous score.")


class ActionSerializer(serializers.Serializer):
    action = serializers.CharField()
    sentence = serializers.CharField()
    gain = serializers.FloatField(help_text="Points the total would gain (rescored exactly).")


class HealthScoreSerializer(serializers.Serializer):
    partner = serializers.UUIDField(source="partner.public_id")
    partner_name = serializers.CharField(source="partner.name")
    as_of = serializers.DateField()
    computed_at = serializers.DateTimeField()
    total = serializers.FloatField(help_text="0–100.")
    components = serializers.SerializerMethodField()
    moved = MovedSerializer(many=True)
    actions = ActionSerializer(many=True)
    engine_version = serializers.CharField()

    @extend_schema_field(ComponentSerializer(many=True))
    def get_components(self, score: HealthScore) -> list[dict]:
        return [{"name": c["name"], "score": c["score"], "points": c["points"]} for c in component_rows(score)]


class ScoreCursorPagination(KeyedCursorPagination):
    """Lowest score first; equal scores by partner name, then by row."""

    ordering = ("total", "partner_name", "id")


class HealthScoreFilter(django_filters.FilterSet):
    partner = django_filters.UUIDFilter(field_name="partner__public_id", label="The partner's id")
    tier = django_filters.UUIDFilter(field_name="partner__tier__public_id", label="The id of the partner's tier")
    total_below = django_filters.NumberFilter(field_name="total", lookup_expr="lt", label="Only scores below this total")
    total_at_least = django_filters.NumberFilter(field_name="total", lookup_expr="gte", label="Only scores of this total or more")


class HealthScoreViewSet(mixins.ListModelMixin, TenantViewSet):
    """``health-scores/``: every partner's latest health score, lowest first (staff).

    Filters ``partner``, ``tier``, ``total_below``, ``total_at_least``; ``?ordering=`` by ``total``,
    ``as_of`` or ``partner_name`` (prefix ``-`` for descending)."""

    model = HealthScore
    serializer_class = HealthScoreSerializer
    pagination_class = ScoreCursorPagination
    filterset_class = HealthScoreFilter
    ordering_fields = ["total", "as_of", "partner_name"]

    def scoped_queryset(self):
        return latest_scores().annotate(partner_name=F("partner__name"))


class MyHealthViewSet(TenantViewSet):
    """``my-health/``: your organisation's latest health score (partner users only)."""

    model = HealthScore
    read_roles = frozenset(PARTNER_ROLES)
    write_roles = frozenset()

    def scoped_queryset(self):
        return latest_scores()

    @extend_schema(responses={200: HealthScoreSerializer}, operation_id="my_health_retrieve")
    def retrieve(self, request, *args, **kwargs):
        """Your latest score: components, what moved, the actions that would raise it. 404 before the first score."""
        if self.caller_partner_id is None:
            raise NotFoundError()
        score = self.get_queryset().filter(partner_id=self.caller_partner_id).first()
        if score is None:
            raise NotFoundError()
        return Response(HealthScoreSerializer(score).data)


# --- churn ------------------------------------------------------------------------------------------


class DriverSerializer(serializers.Serializer):
    feature = serializers.CharField()
    sentence = serializers.CharField()
    contribution = serializers.FloatField(
        help_text="Model: probability points the feature adds (p − p with the feature typical). Rules: the rule's share of the points."
    )


class ChurnPredictionSerializer(serializers.Serializer):
    partner = serializers.UUIDField(source="partner.public_id")
    partner_name = serializers.CharField(source="partner.name")
    as_of = serializers.DateField()
    probability = serializers.FloatField(
        help_text="Model: calibrated probability of going inactive. Rules: a 0–1 score, not a probability."
    )
    method = serializers.CharField(help_text="`model` or `rules` (too little history to train).")
    drivers = DriverSerializer(many=True)
    computed_at = serializers.DateTimeField()


class PredictionCursorPagination(KeyedCursorPagination):
    """Highest risk first; equal risks by partner name, then by row."""

    ordering = ("-probability", "partner_name", "id")


class ChurnPredictionFilter(django_filters.FilterSet):
    partner = django_filters.UUIDFilter(field_name="partner__public_id", label="The partner's id")
    tier = django_filters.UUIDFilter(field_name="partner__tier__public_id", label="The id of the partner's tier")
    method = django_filters.ChoiceFilter(choices=PredictionMethod.choices, label="model or rules")
    probability_at_least = django_filters.NumberFilter(
        field_name="probability", lookup_expr="gte", label="Only predictions of this probability (0–1) or more"
    )


class ChurnPredictionViewSet(mixins.ListModelMixin, TenantViewSet):
    """``churn-predictions/``: every partner's latest churn prediction, highest risk first (staff).

    Filters ``partner``, ``tier``, ``method``, ``probability_at_least``; ``?ordering=`` by ``probability``,
    ``as_of`` or ``partner_name`` (prefix ``-`` for descending)."""

    model = ChurnPrediction
    serializer_class = ChurnPredictionSerializer
    pagination_class = PredictionCursorPagination
    filterset_class = ChurnPredictionFilter
    ordering_fields = ["probability", "as_of", "partner_name"]

    def scoped_queryset(self):
        return latest_churn_predictions().annotate(partner_name=F("partner__name"))


class InterventionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Intervention
        fields = ["id", "action", "occurred_on", "note", "outcome", "recorded_at"]
        read_only_fields = ["recorded_at"]


class ChurnAlertSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    partner = serializers.UUIDField(source="partner.public_id")
    partner_name = serializers.CharField(source="partner.name")
    raised_on = serializers.DateField()
    probability = serializers.FloatField()
    method = serializers.CharField()
    drivers = DriverSerializer(many=True)
    suggestion = serializers.DictField(help_text="{action, sentence}: the suggested intervention.")
    status = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)
    interventions = InterventionSerializer(many=True)


class ChurnAlertFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AlertStatus.choices)

    class Meta:
        model = ChurnAlert
        fields = ["status"]


class AlertCursorPagination(CreatedCursorPagination):
    """Newest alert first; a cursor page reads its rows and never counts them."""

    ordering = ("-raised_on", "-id")


class ChurnAlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """``churn-alerts/``: partners whose risk crossed the threshold (staff); record interventions, close."""

    model = ChurnAlert
    serializer_class = ChurnAlertSerializer
    pagination_class = AlertCursorPagination
    filterset_class = ChurnAlertFilter

    def scoped_queryset(self):
        return (
            ChurnAlert.objects.select_related("partner")
            .prefetch_related(Prefetch("interventions", queryset=Intervention.objects.order_by("-occurred_on", "-id")))
            .order_by("-raised_on", "-id")
        )

    @extend_schema(request=InterventionSerializer, responses={201: InterventionSerializer})
    @action(detail=True, methods=["post"])
    @idempotent
    def interventions(self, request, *args, **kwargs):
        """Record what was done for the alert's partner (the outcome can follow later)."""
        alert = self.get_object()
        data = InterventionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = churn_service.intervention_record(
            tenant=self.tenant,
            actor=self.actor if isinstance(self.actor, get_user_model()) else None,
            partner=alert.partner,
            alert=alert,
            **data.validated_data,
        )
        return Response(InterventionSerializer(done).data, status=201)

    @extend_schema(request=None, responses={200: ChurnAlertSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, *args, **kwargs):
        """Close the alert (409 ``alert_closed`` when it already is)."""
        alert = churn_service.churn_alert_close(tenant=self.tenant, actor=self.actor, alert=self.get_object())
        return Response(ChurnAlertSerializer(self.scoped_queryset().get(pk=alert.pk)).data)


class ChurnModelSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    version = serializers.IntegerField()
    is_active = serializers.BooleanField()
    method = serializers.CharField()
    trained_at = serializers.DateTimeField()
    window_start = serializers.DateField()
    window_end = serializers.DateField()
    data_sha256 = serializers.CharField()
    features = serializers.ListField(child=serializers.CharField())
    test_metrics = serializers.DictField(source="metrics.test", help_text="ROC AUC, PR AUC, Brier, ECE, calibration curve.")
    baseline_metrics = serializers.DictField(source="metrics.baseline", allow_null=True)
    drift = serializers.DictField()


class ChurnModelPagination(PageNumberPagination):
    """Page numbers (``page``, ``page_size`` up to 200): a tenant's trained churn models, newest version first."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ChurnModelViewSet(mixins.ListModelMixin, TenantViewSet):
    """``churn-models/``: every trained churn model, newest first (staff); activate one to roll back."""

    model = PredictionModel
    serializer_class = ChurnModelSerializer
    pagination_class = ChurnModelPagination

    def scoped_queryset(self):
        return PredictionModel.objects.filter(kind=ModelKind.CHURN).defer("artefact").order_by("-version")

    @extend_schema(request=None, responses={200: ChurnModelSerializer})
    @action(detail=True, methods=["post"])
    def activate(self, request, *args, **kwargs):
        """Make this version the active model (a newer one, or an older one to roll back)."""
        model = prediction_model_activate(tenant=self.tenant, actor=self.actor, model=self.get_object())
        return Response(ChurnModelSerializer(model).data)
