"""Operational SLAs in the API.

Staff and API keys: ``sla-definitions/`` (list, retrieve; owners and partner managers update the
target and the active flag), ``sla-report/`` (every active SLA's figures for the program and
per partner; filters ``start``, ``end``, ``sla``, ``partner``; the per-partner rows a page at a time,
``partners_offset``/``partners_limit``) and ``sla-breaches/`` (the breaches, cursor pages newest
first; the same filters). Partner users: ``my-slas/`` and ``my-sla-breaches/``, their own organisation's
figures and breaches, both what it owes and what the vendor owes it (404 to staff and keys).

Figures come from ``deals.sla.selectors`` (the portal reads the same); writes go through
``deals.sla.services``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES
from ecosystem.api.pagination import CreatedCursorPagination, KeysetPagination
from ecosystem.api.views import TenantViewSet
from ecosystem.errors import ApplicationError, NotFoundError
from partners.models import PartnerOrganization

from .. import selectors, services
from ..models import MAX_TARGET_HOURS, RULE_FIELD, SlaDefinition, SlaKind

KIND_HELP = "One of: " + ", ".join(SlaKind.values) + "."
SIDE_HELP = "vendor or partner: who owes the answer (fixed by the interaction)."


# --- serializers (shapes only; the rules are the services') ----------------------------------------


class SlaDefinitionOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    kind = serializers.CharField(help_text=KIND_HELP)
    name = serializers.CharField(source="get_kind_display")
    owed_by = serializers.CharField(help_text=SIDE_HELP)
    target_hours = serializers.IntegerField()
    is_active = serializers.BooleanField()
    rule_of_engagement = serializers.SerializerMethodField(
        help_text="The rules-of-engagement field this target is (changing one changes the other), or null."
    )
    updated_at = serializers.DateTimeField(allow_null=True)

    def get_rule_of_engagement(self, definition) -> str | None:
        return RULE_FIELD.get(definition.kind)


class SlaDefinitionInputSerializer(serializers.Serializer):
    target_hours = serializers.IntegerField(min_value=1, max_value=MAX_TARGET_HOURS, required=False)
    is_active = serializers.BooleanField(required=False)


class SlaReportQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False, help_text="First day items started (default: 89 days before end).")
    end = serializers.DateField(required=False, help_text="Last day items started (default: today).")
    sla = serializers.CharField(required=False, help_text="Only this SLA. " + KIND_HELP)
    partner = serializers.UUIDField(required=False, help_text="Only this partner (staff only).")

    def validate_sla(self, value: str) -> str:
        if value not in SlaKind.values:
            raise serializers.ValidationError(KIND_HELP, code="invalid_choice")
        return value


class MySlaQuerySerializer(SlaReportQuerySerializer):
    partner = None


PARTNER_ROWS_DEFAULT = 100
PARTNER_ROWS_MAX = 500


class SlaReportPagedQuerySerializer(SlaReportQuerySerializer):
    partners_offset = serializers.IntegerField(
        required=False, min_value=0, default=0, help_text="Skip this many per-partner rows (default 0)."
    )
    partners_limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=PARTNER_ROWS_MAX,
        default=PARTNER_ROWS_DEFAULT,
        help_text=f"At most this many per-partner rows (default {PARTNER_ROWS_DEFAULT}, at most {PARTNER_ROWS_MAX}).",
    )


class BreachPartnerSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="partner_public_id")
    name = serializers.CharField(source="partner_name")


class SlaBreachSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=KIND_HELP)
    name = serializers.CharField(source="label")
    owed_by = serializers.CharField(help_text=SIDE_HELP)
    partner = BreachPartnerSerializer(source="*", help_text="The partner the item is attributed to.")
    subject = serializers.CharField(allow_null=True, help_text="The customer or company the item is about.")
    item_id = serializers.UUIDField(
        help_text="Public id of the measured item: the registration (registration_decision), the lead offer "
        "(lead_answer), the co-sell participant (cosell_answer), the extension request or the appeal."
    )
    registration_id = serializers.UUIDField(
        allow_null=True, help_text="The deal registration the item belongs to (registrations/<id>/), if any."
    )
    lead_id = serializers.UUIDField(allow_null=True, help_text="The lead (leads/<id>/) of a lead_answer item.")
    started = serializers.DateTimeField(source="started_at")
    due = serializers.DateTimeField(source="due_at", help_text="started + target_hours.")
    answered = serializers.DateTimeField(source="answered_at", allow_null=True, help_text="Null while open.")
    status = serializers.CharField(help_text="breached (answered late, or an offer that expired) or open_overdue.")
    hours = serializers.FloatField(
        source="waited_hours", help_text="Hours from start to the answer (to now while open, to the close when expired)."
    )
    target_hours = serializers.IntegerField()


class SlaFiguresSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=KIND_HELP)
    name = serializers.CharField(source="label")
    owed_by = serializers.CharField(help_text=SIDE_HELP)
    target_hours = serializers.IntegerField()
    count = serializers.IntegerField(help_text="Items that started in the period.")
    met = serializers.IntegerField()
    breached = serializers.IntegerField(help_text="Answered after the target, or closed unanswered (an expired lead offer).")
    open_within = serializers.IntegerField()
    open_overdue = serializers.IntegerField(help_text="Not answered and past the target: a breach too.")
    breaches = serializers.IntegerField(help_text="breached + open_overdue.")
    attainment = serializers.FloatField(allow_null=True, help_text="Percent: met / (met + breached + open_overdue).")
    median_hours = serializers.FloatField(allow_null=True, help_text="Median hours from start to answer, answered items.")
    p90_hours = serializers.FloatField(allow_null=True, help_text="90th percentile of the same (interpolated).")


class PartnerSlaFiguresSerializer(SlaFiguresSerializer):
    partner = serializers.UUIDField(source="partner_public_id")
    partner_name = serializers.CharField()


class SlaPeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class SlaReportOutputSerializer(serializers.Serializer):
    period = SlaPeriodSerializer()
    slas = SlaFiguresSerializer(many=True, help_text="The program's figures, one per active SLA.")
    partners = PartnerSlaFiguresSerializer(
        many=True,
        help_text="Per partner and SLA, partners with items in the period, by partner name: the rows from "
        "partners_offset, at most partners_limit of them.",
    )
    partners_total = serializers.IntegerField(help_text="How many per-partner rows there are in all.")


class MySlaOutputSerializer(serializers.Serializer):
    period = SlaPeriodSerializer()
    slas = SlaFiguresSerializer(many=True, help_text="Your figures, one per active SLA (both sides).")


def _partner_id(tenant, values: dict) -> int | None:
    if not values.get("partner"):
        return None
    partner = PartnerOrganization.objects.filter(tenant=tenant, public_id=values["partner"]).only("pk").first()
    if partner is None:
        raise ApplicationError(_("Choose a partner of this program."), code="invalid_choice", field="partner")
    return partner.pk


def _period(values: dict) -> selectors.SlaPeriod:
    base = selectors.SlaPeriod.default(today=values.get("end"))
    start, end = values.get("start") or base.start, values.get("end") or base.end
    if start > end:
        raise ApplicationError(_("The period starts after it ends."), code="invalid_period", field="start")
    return selectors.SlaPeriod(start=start, end=end)


# --- viewsets ----------------------------------------------------------------------------------


class KindCursorPagination(CreatedCursorPagination):
    ordering = ("id",)


class SlaDefinitionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """``sla-definitions/``: the program's SLAs (made with the defaults when the program was created)."""

    model = SlaDefinition
    serializer_class = SlaDefinitionOutputSerializer
    pagination_class = KindCursorPagination
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        services.sla_definitions_ensure(tenant=self.tenant)
        return SlaDefinition.objects.filter(tenant=self.tenant).order_by("id")

    @extend_schema(request=SlaDefinitionInputSerializer, responses={200: SlaDefinitionOutputSerializer})
    def update(self, request, *args, **kwargs):
        """Set the target (hours, 1-720) and/or ``is_active``. For the registration and lead SLAs the rule of
        engagement changes with it. Audited."""
        definition = self.get_object()
        data = SlaDefinitionInputSerializer(data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        updated = services.sla_definition_update(
            tenant=self.tenant,
            actor=self.actor,
            definition=definition,
            target_hours=data.validated_data.get("target_hours"),
            is_active=data.validated_data.get("is_active"),
        )
        return Response(SlaDefinitionOutputSerializer(updated).data)

    @extend_schema(request=SlaDefinitionInputSerializer, responses={200: SlaDefinitionOutputSerializer})
    def partial_update(self, request, *args, **kwargs):
        """Change only the fields given."""
        return self.update(request, *args, partial=True, **kwargs)


class SlaReportViewSet(TenantViewSet):
    """``sla-report/``: every active SLA's figures for the program and per partner (staff and API keys)."""

    model = SlaDefinition
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset()

    def scoped_queryset(self):
        return SlaDefinition.objects.filter(tenant=self.tenant)

    @extend_schema(
        parameters=[SlaReportPagedQuerySerializer],
        responses={200: SlaReportOutputSerializer},
        operation_id="sla_report_retrieve",
    )
    def retrieve(self, request, *args, **kwargs):
        """Figures of the items that started in the period (default: the last 90 days). Filters: ``sla``, ``partner``.

        The per-partner rows come a page at a time (``partners_offset``, ``partners_limit``; ``partners_total``
        says how many there are)."""
        query = SlaReportPagedQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        partner_id = _partner_id(self.tenant, values)
        period = _period(values)
        kinds = [values["sla"]] if values.get("sla") else None
        report = selectors.sla_report(tenant=self.tenant, period=period, partner_id=partner_id, kinds=kinds)
        offset, limit = values["partners_offset"], values["partners_limit"]
        body = {
            "period": period,
            "slas": report.program,
            "partners": report.by_partner[offset : offset + limit],
            "partners_total": len(report.by_partner),
        }
        return Response(SlaReportOutputSerializer(body).data)


class MySlaViewSet(TenantViewSet):
    """``my-slas/``: the caller's organisation's SLA figures, both sides. Partner users only."""

    model = SlaDefinition
    read_roles = frozenset(PARTNER_ROLES)
    write_roles = frozenset()

    def scoped_queryset(self):
        return SlaDefinition.objects.filter(tenant=self.tenant)

    @extend_schema(parameters=[MySlaQuerySerializer], responses={200: MySlaOutputSerializer}, operation_id="my_slas_retrieve")
    def retrieve(self, request, *args, **kwargs):
        """Your figures for items that started in the period (default: the last 90 days): what you owe the vendor
        (lead and co-sell answers) and what it owes you (registration, extension and appeal decisions)."""
        if self.caller_partner_id is None:  # an API key acts for the vendor: it has no SLA figures of its own
            raise NotFoundError()
        query = MySlaQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        period = _period(values)
        kinds = [values["sla"]] if values.get("sla") else None
        report = selectors.sla_report(tenant=self.tenant, period=period, partner_id=self.caller_partner_id, kinds=kinds)
        return Response(MySlaOutputSerializer({"period": period, "slas": report.program}).data)


class BreachPagination(KeysetPagination):
    """Cursor pages over the measured breaches (``cursor``, ``page_size`` up to 200): keyed on (started, kind,
    item), newest first by default (``ordering=started`` for the oldest first). One query a page, no count."""

    ordering_field = "started"


class _BreachListMixin:
    model = SlaDefinition
    serializer_class = SlaBreachSerializer
    pagination_class = BreachPagination
    filter_backends = ()  # the filters are the query serializer's; the ordering is the paginator's
    write_roles = frozenset()

    def scoped_queryset(self):
        return SlaDefinition.objects.filter(tenant=self.tenant)

    def _breaches_page(self, request, *, query_class, partner_id=None):
        query = query_class(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        if partner_id is None:
            partner_id = _partner_id(self.tenant, values)
        found = selectors.sla_breaches(
            tenant=self.tenant, period=_period(values), kind=values.get("sla") or "", partner_id=partner_id
        )
        page = self.paginate_queryset(found)
        return self.get_paginated_response(SlaBreachSerializer(page, many=True).data)


class SlaBreachViewSet(_BreachListMixin, TenantViewSet):
    """``sla-breaches/``: the breaches of the active SLAs, newest first (staff and API keys)."""

    read_roles = frozenset(STAFF_ROLES)

    @extend_schema(parameters=[SlaReportQuerySerializer], responses={200: SlaBreachSerializer(many=True)})
    def list(self, request, *args, **kwargs):
        """Items that started in the period (default: the last 90 days) and missed their SLA: answered late,
        closed unanswered, or still open past the target. Filters: ``sla``, ``partner``, ``start``, ``end``.

        Cursor pages (follow ``next``/``previous``), the latest start first; ``ordering=started`` for the oldest
        first. Rows that started at the same moment come in a fixed order, so no row repeats or goes missing
        between pages."""
        return self._breaches_page(request, query_class=SlaReportQuerySerializer)


class MySlaBreachViewSet(_BreachListMixin, TenantViewSet):
    """``my-sla-breaches/``: the caller's organisation's breaches, both sides. Partner users only."""

    read_roles = frozenset(PARTNER_ROLES)

    @extend_schema(parameters=[MySlaQuerySerializer], responses={200: SlaBreachSerializer(many=True)})
    def list(self, request, *args, **kwargs):
        """Your items that missed their SLA in the period: what you answered late or left open, and what the vendor
        decided late or has not decided yet. Filters: ``sla``, ``start``, ``end``. Cursor pages, the latest start
        first (``ordering=started``: the oldest first)."""
        if self.caller_partner_id is None:  # an API key acts for the vendor: it has no breaches of its own
            raise NotFoundError()
        return self._breaches_page(request, query_class=MySlaQuerySerializer, partner_id=self.caller_partner_id)
