"""A partner user's own attribution in the API: ``my-attribution/`` and ``my-attribution/journeys/``.

The same selectors as the partner portal (:mod:`attribution.partner_selectors`): the latest run by
partner that kept its per-deal detail (header only), the caller's credit per model, and its journeys
with the other touches anonymised unless the other partner co-sold the deal with the caller.
Partner users only: staff and API keys get 404 (the vendor reads runs at ``attribution-runs/``).
"""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_ROLES
from ecosystem.api.pagination import KeyedCursorPagination
from ecosystem.api.views import TenantViewSet
from ecosystem.errors import NotFoundError

from ..models import AttributionTouch
from ..partner_selectors import (
    RunHeader,
    partner_credits,
    partner_journey,
    partner_journey_rows,
    partner_journeys_named,
    partner_run_header,
)
from ..services import PER_TOUCH_MODELS
from .results import OUTCOME_SCHEMA, OUTCOMES

MODEL_PARAMETER = OpenApiParameter(
    "model",
    str,
    required=False,
    description="The per-touch model for ``share`` (" + ", ".join(PER_TOUCH_MODELS) + "); default linear.",
)


class MyAttributionRunSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    models = serializers.ListField(child=serializers.CharField(), source="model_names")
    finished_at = serializers.DateTimeField(allow_null=True)


class MyCreditSerializer(serializers.Serializer):
    model = serializers.CharField()
    label = serializers.CharField()
    conversions = serializers.FloatField(help_text="Your credited conversions (unrounded).")
    value = serializers.FloatField(help_text="Your credited value in the program currency (unrounded).")


class MyAttributionOutputSerializer(serializers.Serializer):
    run = MyAttributionRunSerializer(allow_null=True, help_text="The latest run by partner; null when there is none yet.")
    credits = MyCreditSerializer(many=True, help_text="Your credit under each of the run's models.")


class MyJourneySerializer(serializers.Serializer):
    deal = serializers.UUIDField(source="registration_public_id", help_text="The deal (my-attribution/journeys/<deal>/).")
    customer = serializers.CharField(help_text='As registered, when you are on the deal\'s team; else "a customer account".')
    co_sold = serializers.BooleanField(help_text="You are on the deal's team (registered it or co-sell it).")
    outcome = serializers.CharField(source="outcome_label")
    outcome_on = serializers.DateField()
    conversion = serializers.FloatField(source="conv")
    value = serializers.FloatField(help_text="The deal's value in the program currency.")
    touches = serializers.IntegerField(source="length")
    your_touches = serializers.IntegerField(source="own_touches")
    share = serializers.FloatField(allow_null=True, help_text="Your touches' share of the deal under the chosen model.")
    your_conversions = serializers.FloatField(source="own_conversions", allow_null=True)
    your_value = serializers.FloatField(source="own_value", allow_null=True)


class MyJourneyTouchSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="0 = the oldest touch.")
    you = serializers.BooleanField(source="own")
    partner = serializers.CharField(source="partner_name", help_text='Yours or a co-seller\'s name; else "Another partner".')
    touch_type = serializers.CharField()
    touched_on = serializers.DateField(source="touch_on")
    days = serializers.FloatField(help_text="Days before the outcome.")
    shares = serializers.DictField(child=serializers.FloatField(), help_text="Share of the deal per per-touch model.")


class MyJourneyDetailSerializer(serializers.Serializer):
    journey = MyJourneySerializer(source="row")
    touches = MyJourneyTouchSerializer(many=True)
    credits = MyCreditSerializer(many=True, help_text="Your credit on this deal per per-touch model.")


class JourneyCursorPagination(KeyedCursorPagination):
    """Newest outcome first; deals that ended on the same day by registration, newest first (the rows' unique key)."""

    page_size = 25
    ordering = ("-outcome_on", "-registration_id")


class MyJourneyFilter(django_filters.FilterSet):
    """Filters of your journeys (rows grouped by deal: no model)."""

    outcome = django_filters.ChoiceFilter(
        choices=[(name, name) for name in OUTCOMES], method="filter_outcome", label="Only deals with this outcome"
    )

    @extend_schema_field(OUTCOME_SCHEMA)
    def filter_outcome(self, rows, name, value):
        return rows.filter(outcome=OUTCOMES[value])


class _MyAttributionBase(TenantViewSet):
    model = AttributionTouch
    read_roles = frozenset(PARTNER_ROLES)
    write_roles = frozenset()

    def scoped_queryset(self):
        return AttributionTouch.objects.filter(tenant=self.tenant, partner_id=self.caller_partner_id)

    def _run(self) -> RunHeader | None:
        if self.caller_partner_id is None:  # an API key acts for the vendor: it has no attribution of its own
            raise NotFoundError()
        return partner_run_header(tenant=self.tenant)


class MyAttributionViewSet(_MyAttributionBase):
    """``my-attribution/``: the latest run's header and your credit under each model. Partner users only."""

    @extend_schema(responses={200: MyAttributionOutputSerializer}, operation_id="my_attribution_retrieve")
    def retrieve(self, request, *args, **kwargs):
        """The latest attribution run by partner (period, models) and your credited conversions and value per model."""
        run = self._run()
        credits = [] if run is None else partner_credits(tenant=self.tenant, run=run, partner_id=self.caller_partner_id)
        return Response(MyAttributionOutputSerializer({"run": run, "credits": credits}).data)


class MyAttributionJourneyViewSet(_MyAttributionBase):
    """``my-attribution/journeys/``: the deals of the latest run you have a touch in. Partner users only."""

    serializer_class = MyJourneySerializer
    pagination_class = JourneyCursorPagination
    filterset_class = MyJourneyFilter
    ordering_fields = ["outcome_on", "value"]

    @extend_schema(parameters=[MODEL_PARAMETER], responses={200: MyJourneySerializer(many=True)})
    def list(self, request, *args, **kwargs):
        """Your journeys, newest outcome first, with your share of each under ``model``.

        Filter ``outcome``; ``?ordering=`` by ``outcome_on`` or ``value`` (prefix ``-`` for descending), deals
        that tie in registration order. Cursor pages."""
        run = self._run()
        if run is None:
            run_rows = AttributionTouch.objects.none()
        else:
            model = run.chosen_model(request.query_params.get("model"))
            run_rows = partner_journey_rows(tenant=self.tenant, run=run, partner_id=self.caller_partner_id, model=model)
        page = self.paginate_queryset(self.filter_queryset(run_rows))
        named = partner_journeys_named(tenant=self.tenant, partner_id=self.caller_partner_id, rows=list(page))
        return self.get_paginated_response(MyJourneySerializer(named, many=True).data)

    @extend_schema(parameters=[MODEL_PARAMETER], responses={200: MyJourneyDetailSerializer})
    def retrieve(self, request, *args, **kwargs):
        """One deal's touches in order (yours and co-sellers' named, others "Another partner") and your credit."""
        run = self._run()
        if run is None:
            raise NotFoundError()
        model = run.chosen_model(request.query_params.get("model"))
        journey = partner_journey(
            tenant=self.tenant,
            run=run,
            partner_id=self.caller_partner_id,
            registration_public_id=self.kwargs["public_id"],
            model=model,
        )
        return Response(MyJourneyDetailSerializer(journey).data)
