"""MDF in the API.

Staff: ``mdf-budgets/`` (list with committed and left, create; ``Idempotency-Key`` honoured),
``mdf-requests/`` (list, filter ``status``, with the partner's remaining funds; ``approve``, ``partial``,
``reject``), ``mdf-claims/`` (list, filter ``status``; ``approve``, ``reject``, ``pay``). Partner users:
``my-mdf-requests/`` (their organisation's requests: list, read, create with ``Idempotency-Key``, and
``claim``: a multipart claim with its evidence files). Every action calls :mod:`partners.mdf.services`,
as the portal does.
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES
from ecosystem.api.idempotency import idempotent
from ecosystem.api.pagination import CreatedCursorPagination
from ecosystem.api.views import TenantViewSet
from ecosystem.tenancy.access import access_row
from partners.mdf import selectors, services
from partners.mdf.models import ClaimStatus, MdfBudget, MdfClaim, MdfRequest, RequestStatus
from partners.models import PartnerOrganization, Tier

from .serializers import (
    MdfAllocationInputSerializer,
    MdfAllocationOutputSerializer,
    MdfBudgetAmountInputSerializer,
    MdfBudgetInputSerializer,
    MdfBudgetOutputSerializer,
    MdfClaimInputSerializer,
    MdfClaimOutputSerializer,
    MdfPartialInputSerializer,
    MdfReasonInputSerializer,
    MdfRequestInputSerializer,
    MdfRequestOutputSerializer,
    MdfStaffClaimOutputSerializer,
    MdfStaffRequestOutputSerializer,
)


class SubmittedCursorPagination(CursorPagination):
    """Newest first by submission."""

    ordering = ("-submitted_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200


def _status_filter(request, choices) -> str | None:
    value = request.query_params.get("status") or None
    return value if value in choices else None


class MdfBudgetFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter()
    quarter = django_filters.ChoiceFilter(choices=[(q, f"Q{q}") for q in range(1, 5)])

    class Meta:
        model = MdfBudget
        fields = ["year", "quarter"]


class MdfRequestFilter(django_filters.FilterSet):
    """The request queue's filters: ``status`` and ``partner`` (its id); an unknown status answers 400."""

    status = django_filters.ChoiceFilter(choices=RequestStatus.choices)
    partner = django_filters.UUIDFilter(field_name="partner__public_id")

    class Meta:
        model = MdfRequest
        fields = ["status", "partner"]


class MyMdfRequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RequestStatus.choices)

    class Meta:
        model = MdfRequest
        fields = ["status"]


class MdfClaimFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ClaimStatus.choices)
    partner = django_filters.UUIDFilter(field_name="partner__public_id")

    class Meta:
        model = MdfClaim
        fields = ["status", "partner"]


class MdfBudgetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The program's MDF budgets, newest first, with what approved requests hold (``committed``) and ``left``."""

    model = MdfBudget
    serializer_class = MdfBudgetOutputSerializer
    pagination_class = CreatedCursorPagination
    filterset_class = MdfBudgetFilter
    ordering_fields = ["created_at", "year", "quarter"]
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self) -> QuerySet:
        return selectors.budgets_with_figures(tenant=self.tenant)

    @extend_schema(request=MdfBudgetInputSerializer, responses={201: MdfBudgetOutputSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        """Create a quarter's budget in the program's currency. ``409`` ``budget_exists``."""
        payload = MdfBudgetInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        budget = services.budget_create(tenant=self.tenant, actor=self.actor, **payload.validated_data)
        data = MdfBudgetOutputSerializer(selectors.budgets_with_figures(tenant=self.tenant).get(pk=budget.pk)).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=MdfBudgetAmountInputSerializer,
        responses={200: MdfBudgetOutputSerializer},
        examples=[OpenApiExample("A bigger quarter", value={"amount": "250000.00"}, request_only=True)],
    )
    def partial_update(self, request, *args, **kwargs):
        """Change the budget's amount. ``409 below_committed`` when approved requests already hold more."""
        budget = self.get_object()
        payload = MdfBudgetAmountInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.budget_update(tenant=self.tenant, actor=self.actor, budget=budget, amount=payload.validated_data["amount"])
        return Response(MdfBudgetOutputSerializer(selectors.budgets_with_figures(tenant=self.tenant).get(pk=budget.pk)).data)

    @extend_schema(responses={200: MdfAllocationOutputSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def allocations(self, request, *args, **kwargs):
        """The budget's allocations: tiers first (by rank), then partners by name."""
        budget = self.get_object()
        rows = selectors.budget_allocations(tenant=self.tenant, budget=budget)
        return Response(MdfAllocationOutputSerializer(rows, many=True).data)

    @extend_schema(
        request=MdfAllocationInputSerializer,
        responses={200: MdfAllocationOutputSerializer},
        examples=[
            OpenApiExample(
                "Every gold partner",
                value={"tier": "0b7e5d2c-3a4f-4e6b-8c1d-2f9a6b3e7d22", "amount": "15000.00"},
                request_only=True,
            )
        ],
    )
    @allocations.mapping.post
    def allocation_set(self, request, *args, **kwargs):
        """Set one partner's allocation (``partner``) or a tier's per-partner allocation (``tier``): one of the two.
        ``409 below_committed`` when a partner's approved requests hold more; an unknown id is ``404``."""
        budget = self.get_object()
        payload = MdfAllocationInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        partner = (
            access_row(PartnerOrganization.objects, tenant=self.tenant, public_id=data["partner"])
            if data.get("partner")
            else None
        )
        tier = access_row(Tier.objects, tenant=self.tenant, public_id=data["tier"]) if data.get("tier") else None
        allocation = services.allocation_set(
            tenant=self.tenant, actor=self.actor, budget=budget, partner=partner, tier=tier, amount=data["amount"]
        )
        return Response(MdfAllocationOutputSerializer(allocation).data)


def _predict_returns(requests) -> None:
    """Each waiting request's predicted return (``predicted``), as on the portal's request queue: one query
    for the past campaigns (:func:`scoring.mdf_return_service.past_campaigns`), then arithmetic per row."""
    waiting = [r for r in requests if r.status == RequestStatus.SUBMITTED]
    if not waiting:
        return
    from scoring.mdf_return import predict_return
    from scoring.mdf_return_service import past_campaigns

    past = past_campaigns()
    for r in waiting:
        r.predicted = predict_return(
            past, activity_type=r.activity_type, partner_type=r.partner.partner_type, planned_spend=float(r.planned_spend)
        )


_MDF_REQUEST = {
    "id": "9d2a4f1b-7c3e-4d5a-b6e8-3c1f0a2d9e33",
    "activity_type": "webinar",
    "title": "Q3 security webinar series",
    "description": "Three webinars for the partner's SMB customers, with a joint offer.",
    "planned_spend": "12000.00",
    "currency": "EUR",
    "expected_leads": 60,
    "expected_pipeline": "180000.00",
    "start_date": "2026-07-01",
    "end_date": "2026-09-30",
    "status": "submitted",
    "approved_amount": None,
    "decision_reason": "",
    "decided_at": None,
    "submitted_at": "2026-03-02T09:30:00Z",
}
_MDF_STAFF_REQUEST = OpenApiExample(
    "Waiting, with a prediction",
    value={
        **_MDF_REQUEST,
        "partner": {"id": "6f1c2e4a-8b1d-4c3e-9f2a-1d5b7e9c0a11", "name": "Northwind Traders"},
        "partner_remaining": "30000.00",
        "budget_left": "145000.00",
        "predicted_pipeline": "156000.00",
        "predicted_pipeline_low": "84000.00",
        "predicted_pipeline_high": "240000.00",
        "predicted_ropi": "13.00",
        "predicted_ropi_low": "7.00",
        "predicted_ropi_high": "20.00",
        "prediction_campaigns": 14,
        "prediction_group": "webinar",
        "prediction_note": "",
    },
    response_only=True,
)
_MDF_INPUT = {key: _MDF_REQUEST[key] for key in ("activity_type", "title", "description", "planned_spend")} | {
    "expected_leads": 60,
    "expected_pipeline": "180000.00",
    "start_date": "2026-07-01",
    "end_date": "2026-09-30",
}


@extend_schema_view(list=extend_schema(examples=[_MDF_STAFF_REQUEST]), retrieve=extend_schema(examples=[_MDF_STAFF_REQUEST]))
class MdfRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Every partner's requests, newest first (filter ``status``), with the partner's remaining funds beside each
    and, for those waiting for a decision, the predicted pipeline and ROPI (``predicted_*``, ``prediction_*``)."""

    model = MdfRequest
    serializer_class = MdfStaffRequestOutputSerializer
    pagination_class = SubmittedCursorPagination
    filterset_class = MdfRequestFilter
    ordering_fields = ["submitted_at", "planned_spend", "start_date"]
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self) -> QuerySet:
        return selectors.request_queue(tenant=self.tenant, status=_status_filter(self.request, RequestStatus.values))

    def list(self, request, *args, **kwargs):
        """The page, then one query for the past campaigns that predict every waiting request on it."""
        page = list(self.paginate_queryset(self.filter_queryset(self.get_queryset())))
        _predict_returns(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        mdf_request = self.get_object()
        _predict_returns([mdf_request])
        return Response(self.get_serializer(mdf_request).data)

    def _decide(self, decision: str, serializer_class) -> Response:
        mdf_request = self.get_object()
        payload = serializer_class(data=self.request.data)
        payload.is_valid(raise_exception=True)
        services.request_decide(
            tenant=self.tenant, actor=self.actor, request=mdf_request, decision=decision, **payload.validated_data
        )
        fresh = selectors.request_queue(tenant=self.tenant, status=None).get(pk=mdf_request.pk)
        return Response(MdfStaffRequestOutputSerializer(fresh).data)

    @extend_schema(request=MdfReasonInputSerializer, responses={200: MdfStaffRequestOutputSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        """Approve the planned spend. ``409`` ``insufficient_funds`` (the partner's or the budget's) or ``request_decided``."""
        return self._decide(services.Decision.APPROVE, MdfReasonInputSerializer)

    @extend_schema(request=MdfPartialInputSerializer, responses={200: MdfStaffRequestOutputSerializer})
    @action(detail=True, methods=["post"])
    def partial(self, request, *args, **kwargs):
        """Approve ``amount``, below the planned spend. ``409`` ``insufficient_funds`` or ``request_decided``."""
        return self._decide(services.Decision.PARTIAL, MdfPartialInputSerializer)

    @extend_schema(request=MdfReasonInputSerializer, responses={200: MdfStaffRequestOutputSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, *args, **kwargs):
        """Reject with a ``reason`` (required) the partner reads."""
        return self._decide(services.Decision.REJECT, MdfReasonInputSerializer)


class MdfClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Every partner's claims, newest first (filter ``status``), with their evidence files' names."""

    model = MdfClaim
    serializer_class = MdfStaffClaimOutputSerializer
    pagination_class = SubmittedCursorPagination
    filterset_class = MdfClaimFilter
    ordering_fields = ["submitted_at", "claimed_amount"]
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self) -> QuerySet:
        return selectors.claim_queue(tenant=self.tenant, status=_status_filter(self.request, ClaimStatus.values))

    def _answer(self, claim: MdfClaim) -> Response:
        return Response(MdfStaffClaimOutputSerializer(selectors.claim_queue(tenant=self.tenant).get(pk=claim.pk)).data)

    @extend_schema(request=None, responses={200: MdfStaffClaimOutputSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        """Approve the claimed amount: the claim becomes payable. ``409`` ``claim_decided``."""
        return self._answer(services.claim_decide(tenant=self.tenant, actor=self.actor, claim=self.get_object(), approve=True))

    @extend_schema(request=MdfReasonInputSerializer, responses={200: MdfStaffClaimOutputSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, *args, **kwargs):
        """Reject with a ``reason`` (required). ``409`` ``claim_decided``."""
        claim = self.get_object()
        payload = MdfReasonInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._answer(
            services.claim_decide(tenant=self.tenant, actor=self.actor, claim=claim, approve=False, **payload.validated_data)
        )

    @extend_schema(request=None, responses={200: MdfStaffClaimOutputSerializer})
    @action(detail=True, methods=["post"])
    def pay(self, request, *args, **kwargs):
        """Record the payment of an approved claim. ``409`` ``claim_not_payable``."""
        return self._answer(services.claim_mark_paid(tenant=self.tenant, actor=self.actor, claim=self.get_object()))


class MyMdfRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The caller's organisation's MDF requests, newest first."""

    model = MdfRequest
    serializer_class = MdfRequestOutputSerializer
    pagination_class = SubmittedCursorPagination
    filterset_class = MyMdfRequestFilter
    ordering_fields = ["submitted_at", "planned_spend", "start_date"]
    read_roles = frozenset(PARTNER_ROLES)
    write_roles = frozenset(PARTNER_ROLES)
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def scoped_queryset(self) -> QuerySet:
        return MdfRequest.objects.filter(tenant=self.tenant, partner_id=self.caller_partner_id)

    @extend_schema(
        request=MdfRequestInputSerializer,
        responses={201: MdfRequestOutputSerializer},
        examples=[
            OpenApiExample("A webinar series", value=_MDF_INPUT, request_only=True),
            OpenApiExample("Submitted", value=_MDF_REQUEST, response_only=True, status_codes=["201"]),
        ],
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        """Ask for funds for a campaign. ``400`` ``exceeds_available_funds`` or ``no_budget`` (field named in ``attr``)."""
        payload = MdfRequestInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        created = services.request_submit(
            tenant=self.tenant, actor=self.actor, partner_id=self.caller_partner_id, values=payload.validated_data
        )
        return Response(MdfRequestOutputSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(request={"multipart/form-data": MdfClaimInputSerializer}, responses={201: MdfClaimOutputSerializer})
    @action(detail=True, methods=["post"])
    @idempotent
    def claim(self, request, *args, **kwargs):
        """File the claim of an approved campaign with its evidence (multipart, one or more ``files``).

        ``400`` ``evidence_required``, ``invalid_extension``, ``file_too_large``, ``content_mismatch``,
        ``exceeds_approved``; ``409`` ``claim_exists`` or ``request_not_approved``.
        """
        mdf_request = self.get_object()
        payload = MdfClaimInputSerializer(data={k: v for k, v in request.data.items() if k != "files"})
        payload.is_valid(raise_exception=True)
        claim = services.claim_submit(
            tenant=self.tenant,
            actor=self.actor,
            partner_id=self.caller_partner_id,
            request=mdf_request,
            values=payload.validated_data,
            files=request.FILES.getlist("files"),
        )
        claim = MdfClaim.objects.select_related("request").prefetch_related("evidence").get(tenant=self.tenant, pk=claim.pk)
        return Response(MdfClaimOutputSerializer(claim).data, status=status.HTTP_201_CREATED)
