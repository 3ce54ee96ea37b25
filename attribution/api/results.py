"""A run's results in the API (vendor staff): its credits, its deals' journeys (page-numbered, aggregated
in SQL) and one deal's journey with each touch's share under every per-touch model.

:class:`AttributionRunResultsMixin` adds them as actions on the run viewset
(``attribution-runs/{public_id}/credits|journeys|journeys/{registration}``).
"""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from ecosystem.errors import ApplicationError, ConflictError, NotFoundError
from partners.models import PartnerOrganization

from ..models import AttributionCredit, AttributionRun, OutcomeKind, RunStatus
from ..results import journey_of, journeys_named, journeys_queryset
from .serializers import AttributionCreditOutputSerializer

OUTCOMES = {kind.name.lower(): kind.value for kind in OutcomeKind}


class JourneyPagination(PageNumberPagination):
    """Deals are grouped rows without a creation time to cursor on: numbered pages, oldest outcome first."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


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

    @extend_schema(
        parameters=[
            OpenApiParameter("outcome", OpenApiTypes.STR, enum=list(OUTCOMES), description="Only deals with this outcome."),
            OpenApiParameter("partner", OpenApiTypes.UUID, description="Only deals whose journey this partner touched."),
        ],
        responses={200: JourneySummaryOutputSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=JourneyPagination)
    def journeys(self, request, *args, **kwargs):
        """The run's deals, one per registration, oldest outcome first (409 when its detail was pruned)."""
        run = _with_details(self.get_object())
        outcome = request.query_params.get("outcome")
        if outcome is not None and outcome not in OUTCOMES:
            raise ApplicationError("Outcome is one of: " + ", ".join(OUTCOMES) + ".", code="invalid_choice", field="outcome")
        partner_id = None
        if request.query_params.get("partner"):
            try:
                partner_uuid = UUID(request.query_params["partner"])
            except ValueError:
                raise ApplicationError("Not a partner id.", code="invalid", field="partner") from None
            partner_id = PartnerOrganization.objects.filter(public_id=partner_uuid).values_list("pk", flat=True).first()
            if partner_id is None:
                partner_id = -1  # unknown here: no deal matches
        rows = self.paginate_queryset(
            journeys_queryset(run=run, outcome=OUTCOMES.get(outcome) if outcome else None, partner_id=partner_id)
        )
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
