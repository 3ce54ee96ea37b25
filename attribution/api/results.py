"""A run's results in the API (vendor staff): its credits, its deals' journeys (cursor pages over rows
aggregated in SQL) and one deal's journey with each touch's share under every per-touch model.

:class:`AttributionRunResultsMixin` adds them as actions on the run viewset
(``attribution-runs/{public_id}/credits|journeys|journeys/{registration}``).
"""

from __future__ import annotations

from uuid import UUID

import django_filters
from django.db.models import Exists, OuterRef
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from ecosystem.api.pagination import KeyedCursorPagination
from ecosystem.errors import ConflictError, NotFoundError
from partners.models import PartnerOrganization

from ..models import AttributionCredit, AttributionRun, AttributionTouch, OutcomeKind, RunStatus
from ..results import journey_of, journeys_named, journeys_queryset
from .serializers import AttributionCreditOutputSerializer

OUTCOMES = {kind.name.lower(): kind.value for kind in OutcomeKind}
# ``?outcome=`` in the schema: the name (won, lost, …), not the number stored on the touches
OUTCOME_SCHEMA = {"type": "string", "enum": list(OUTCOMES), "description": "Only deals with this outcome."}


class JourneyCursorPagination(KeyedCursorPagination):
    """Oldest outcome first; deals that ended on the same day by registration (the grouped rows' unique key)."""

    ordering = ("outcome_on", "registration_id")


class JourneyFilter(django_filters.FilterSet):
    """Filters of a run's journeys, applied to the rows grouped by registration (no model: the rows are dicts)."""

    outcome = django_filters.ChoiceFilter(
        choices=[(name, name) for name in OUTCOMES], method="filter_outcome", label="Only deals with this outcome"
    )
    partner = django_filters.UUIDFilter(method="filter_partner", label="Only deals whose journey this partner touched")

    @extend_schema_field(OUTCOME_SCHEMA)
    def filter_outcome(self, rows, name, value):
        return rows.filter(outcome=OUTCOMES[value])  # every touch of a deal has its outcome: HAVING max(outcome) = …

    def filter_partner(self, rows, name, value):
        # a partner of another program (or none) is no partner here: no deal matches
        touched = AttributionTouch.objects.filter(
            run_id=OuterRef("run_id"), registration_id=OuterRef("registration_id"), partner__public_id=value
        )
        return rows.filter(Exists(touched))


class JourneySummaryOutputSerializer(serializers.Serializer):
    registration = serializers.UUIDField(source="public_id", help_text="The deal registration's public id.")
    customer = serializers.CharField()
    outcome = serializers.CharField(help_text="won, lost, expired or open (at the period's end).")
    outcome_on = serializers.DateField()
    conv = serializers.FloatField(help_text="1 for a won deal, else 0.")
    value = serializers.FloatField(help_text="Won value in the program currency (0 when not won).")
    touches = serializers.IntegerField()
    first_touch_on = serializers.DateField()
    partners = serializers.ListField(child=serializers.UUIDField(), help_text="Public ids of the partners on the journey.")


class JourneyTouchOutputSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="0 = oldest.")
    touch_on = serializers.DateField()
    partner = serializers.UUIDField(source="partner_public_id", allow_null=True)
    partner_name = serializers.CharField()
    touchpoint = serializers.UUIDField(source="touchpoint_public_id", allow_null=True, help_text="Null: removed since the run.")
    touch_type = serializers.CharField(allow_null=True, help_text="Null: the touchpoint was removed since the run.")
    days = serializers.FloatField(help_text="Days from the touch to the outcome.")
    channel = serializers.CharField(help_text="The channel's label in the run's dimension.")
    shares = serializers.DictField(child=serializers.FloatField(), help_text="Per model: fraction of the journey.")
    credits = serializers.DictField(child=serializers.FloatField(), help_text="Per model: share × value.")


class JourneyOutputSerializer(serializers.Serializer):
    registration = serializers.UUIDField(source="registration.public_id")
    customer = serializers.CharField(source="registration.customer_name")
    registered_by = serializers.UUIDField(source="registration.partner.public_id")
    outcome = serializers.SerializerMethodField(help_text="won, lost, expired or open (at the period's end).")
    outcome_on = serializers.DateField()
    conv = serializers.FloatField()
    value = serializers.FloatField(help_text="amount × rate, in the program currency (0 when not won).")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="As recorded, in ``currency``.")
    currency = serializers.CharField()
    rate = serializers.FloatField(help_text="Rate to the program currency on the outcome date.")
    models = serializers.ListField(child=serializers.CharField(), help_text="The run's per-touch models.")
    why = serializers.DictField(child=serializers.CharField(), help_text="Per model: the rule behind the shares.")
    touches = JourneyTouchOutputSerializer(many=True)

    def get_outcome(self, journey) -> str:
        return OutcomeKind(journey.outcome).name.lower()


def _with_details(run: AttributionRun) -> AttributionRun:
    if run.details_kept:
        return run
    if run.status == RunStatus.SUCCEEDED:
        raise ConflictError(
            "This run's per-deal detail was pruned (only the newest runs keep it); start a new run to read its deals.",
            code="attribution_details_pruned",
        )
    raise NotFoundError()


class AttributionRunResultsMixin:
    """Result actions of the attribution run viewset (staff, reads)."""

    @extend_schema(responses={200: AttributionCreditOutputSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def credits(self, request, *args, **kwargs):
        """The run's credits per model and channel (unrounded; value in the program currency)."""
        run = self.get_object()
        rows = AttributionCredit.objects.filter(run=run).select_related("partner")
        return Response(AttributionCreditOutputSerializer(rows, many=True).data)

    @extend_schema(responses={200: JourneySummaryOutputSerializer(many=True)})
    @action(
        detail=True,
        methods=["get"],
        pagination_class=JourneyCursorPagination,
        filterset_class=JourneyFilter,
        ordering_fields=["outcome_on", "value", "first_touch_on", "touches"],
    )
    def journeys(self, request, *args, **kwargs):
        """The run's deals, one per registration, oldest outcome first (409 when its detail was pruned).

        Filters ``outcome`` and ``partner``; ``?ordering=`` by ``outcome_on``, ``value``, ``first_touch_on`` or
        ``touches`` (prefix ``-`` for descending), deals that tie in registration order. Cursor pages."""
        backends, self.filter_backends = self.filter_backends, ()  # the filters and orderings are the rows', not the run's
        try:
            run = _with_details(self.get_object())
        finally:
            self.filter_backends = backends
        rows = self.paginate_queryset(self.filter_queryset(journeys_queryset(run=run)))
        partner_ids = {p for row in rows for p in row["partner_ids"]}
        public = dict(PartnerOrganization.objects.filter(pk__in=partner_ids).values_list("pk", "public_id"))
        named = journeys_named(list(rows), {})
        for row in named:
            row["outcome"] = OutcomeKind(row["outcome"]).name.lower()
            row["partners"] = [public[p] for p in row["partner_ids"] if p in public]
        return self.get_paginated_response(JourneySummaryOutputSerializer(named, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("registration_id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses={200: JourneyOutputSerializer},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="journeys/<uuid:registration_id>",
        url_name="journey",
        pagination_class=None,
    )
    def journey(self, request, *args, registration_id: UUID, **kwargs):
        """One deal's journey in the run: ordered touches with each per-touch model's share and credit."""
        run = _with_details(self.get_object())
        found = journey_of(run=run, registration_id=registration_id)
        if found is None:
            raise NotFoundError()
        return Response(JourneyOutputSerializer(found).data)
