"""Health scores in the API: ``health-scores/`` (staff: every partner's latest score, lowest first)
and ``my-health/`` (a partner user: its own latest score). The same selectors as the portal pages."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_ROLES
from ecosystem.api.views import TenantViewSet
from ecosystem.errors import NotFoundError

from ..models import HealthScore
from ..selectors import component_rows, latest_scores


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


class HealthPagination(PageNumberPagination):
    """Page numbers (``page``, ``page_size`` up to 200): the list is ordered by score, not by creation."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class HealthScoreViewSet(mixins.ListModelMixin, TenantViewSet):
    """``health-scores/``: every partner's latest health score, lowest first (staff)."""

    model = HealthScore
    serializer_class = HealthScoreSerializer
    pagination_class = HealthPagination

    def scoped_queryset(self):
        return latest_scores()


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
