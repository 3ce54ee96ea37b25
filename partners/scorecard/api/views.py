"""The scorecard in the API, read-only: ``scorecard/`` (a partner user: its own organisation's) and
``partners/<id>/scorecard/`` (staff: any partner of the tenant, 404 for another tenant's). Both take
``?period=`` as the portal's picker does and answer the same body as the page shows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_ROLES, STAFF_ROLES
from ecosystem.api.views import TenantViewSet
from ecosystem.errors import NotFoundError
from partners.models import PartnerOrganization

from ..periods import resolve_period
from ..selectors import Scorecard, partner_scorecard


def _today():
    """Today (the server's day); the tests move it."""
    return timezone.localdate()


PERIOD_PARAMETER = OpenApiParameter(
    "period",
    str,
    required=False,
    description="`4q` (the last 4 full quarters, default), `qtd` (this quarter to date), `YYYY-Qn` (one of the last 4 full "
    "quarters) or `12m` (the last 12 months). Anything else: 400 `invalid_period`.",
)


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class FigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    section = serializers.CharField()
    unit = serializers.CharField(help_text="count, money (a decimal string, program currency), percent, days, psat, nps, ratio.")
    value = serializers.JSONField(allow_null=True, help_text="The period's value; null: none (e.g. nothing decided).")
    previous = serializers.JSONField(
        allow_null=True, help_text="The same figure for the period before; null: none or not a period figure."
    )
    change = serializers.JSONField(allow_null=True, help_text="value − previous when both are known.")
    definition = serializers.CharField()


class AttributionRunSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    finished_at = serializers.DateTimeField(allow_null=True)
    model = serializers.CharField(allow_null=True, help_text="The model of the attributed revenue (linear when the run has it).")


class HealthSerializer(serializers.Serializer):
    total = serializers.FloatField()
    as_of = serializers.DateField()
    components = serializers.ListField(child=serializers.DictField(), help_text="name, label, score (0–100 or null), points.")
    moved = serializers.ListField(child=serializers.DictField(), help_text="component, points: change since the score before.")
    actions = serializers.ListField(child=serializers.DictField(), help_text="action, sentence, gain.")


class ChurnSerializer(serializers.Serializer):
    probability = serializers.FloatField()
    method = serializers.CharField()
    as_of = serializers.DateField()
    drivers = serializers.ListField(child=serializers.CharField())


class TierSerializer(serializers.Serializer):
    tier = serializers.CharField(allow_null=True)
    next_tier = serializers.CharField(allow_null=True)
    missing = serializers.ListField(child=serializers.DictField(), help_text="metric, label, minimum, current.")


class ScorecardSerializer(serializers.Serializer):
    partner = serializers.UUIDField(source="partner_public_id")
    partner_name = serializers.CharField()
    period = PeriodSerializer()
    previous = PeriodSerializer()
    currency = serializers.CharField()
    figures = FigureSerializer(many=True)
    attribution_run = AttributionRunSerializer(allow_null=True, help_text="null: no attribution run yet.")
    health = HealthSerializer(allow_null=True, help_text="null: no health score yet.")
    churn = ChurnSerializer(allow_null=True, help_text="null: none, or the program does not let partners see it.")
    tier = TierSerializer()


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def scorecard_body(card: Scorecard) -> dict:
    """The card as the serializer reads it: money as decimal strings, every figure with its definition."""
    figures = [
        {
            "key": f.key,
            "label": str(f.label),
            "section": f.section,
            "unit": f.unit,
            "value": _plain(f.value),
            "previous": _plain(f.previous),
            "change": _plain(f.change),
            "definition": str(f.definition),
        }
        for f in card.figures
    ]
    return {
        "partner_public_id": card.partner_public_id,
        "partner_name": card.partner_name,
        "period": card.period,
        "previous": card.previous,
        "currency": card.currency,
        "figures": figures,
        "attribution_run": card.attribution_run,
        "health": None
        if card.health is None
        else {
            "total": card.health.total,
            "as_of": card.health.as_of,
            "components": [{**c, "label": str(c["label"])} for c in card.health.components],
            "moved": list(card.health.moved),
            "actions": list(card.health.actions),
        },
        "churn": card.churn,
        "tier": {
            "tier": card.tier.tier,
            "next_tier": card.tier.next_tier,
            "missing": [{**m, "minimum": _plain(m["minimum"]), "current": _plain(m["current"])} for m in card.tier.missing],
        },
    }


def _respond(viewset: TenantViewSet, partner: PartnerOrganization) -> Response:
    today = _today()
    period, previous = resolve_period(viewset.request.query_params.get("period"), today=today)
    card = partner_scorecard(
        tenant=viewset.tenant,
        partner=partner,
        period_start=period.start,
        period_end=period.end,
        previous_start=previous.start,
        previous_end=previous.end,
        today=today,
    )
    return Response(ScorecardSerializer(scorecard_body(card)).data)


class MyScorecardViewSet(TenantViewSet):
    """``scorecard/``: your organisation's scorecard (partner users only)."""

    model = PartnerOrganization
    read_roles = frozenset(PARTNER_ROLES)
    write_roles = frozenset()

    def scoped_queryset(self):
        return PartnerOrganization.objects.filter(tenant=self.tenant, pk=self.caller_partner_id)

    @extend_schema(parameters=[PERIOD_PARAMETER], responses={200: ScorecardSerializer}, operation_id="my_scorecard_retrieve")
    def retrieve(self, request, *args, **kwargs):
        """Your figures for the period beside the period before, your health score, tier and (when allowed) risk."""
        if self.caller_partner_id is None:  # an API key acts for the vendor, which has no scorecard of its own
            raise NotFoundError()
        return _respond(self, self.membership.partner)


class PartnerScorecardViewSet(TenantViewSet):
    """``partners/<id>/scorecard/``: one partner's scorecard, as the partner sees it (staff)."""

    model = PartnerOrganization
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset()

    def scoped_queryset(self):
        return PartnerOrganization.objects.filter(tenant=self.tenant)

    @extend_schema(parameters=[PERIOD_PARAMETER], responses={200: ScorecardSerializer}, operation_id="partner_scorecard_retrieve")
    def retrieve(self, request, *args, **kwargs):
        return _respond(self, self.get_object())
