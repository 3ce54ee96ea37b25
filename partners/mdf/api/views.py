"""MDF in the API.

Staff: ``mdf-budgets/`` (list with committed and left, create; ``Idempotency-Key`` honoured),
``mdf-requests/`` (list, filter ``status``, with the partner's remaining funds; ``approve``, ``partial``,
``reject``), ``mdf-claims/`` (list, filter ``status``; ``approve``, ``reject``, ``pay``). Partner users:
``my-mdf-requests/`` (their organisation's requests: list, read, create with ``Idempotency-Key``, and
``claim``: a multipart claim with its evidence files). Every action calls :mod:`partners.mdf.services`,
as the portal does.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES
from ecosystem.api.idempotency import idempotent
from ecosystem.api.pagination import CreatedCursorPagination
from ecosystem.api.views import TenantViewSet
from partners.mdf import selectors, services
from partners.mdf.models import ClaimStatus, MdfBudget, MdfClaim, MdfRequest, RequestStatus

from .serializers import (
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


class MdfBudgetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The program's MDF budgets, newest first, with what approved requests hold (``committed``) and ``left``."""

    model = MdfBudget
    serializer_class = MdfBudgetOutputSerializer
    pagination_class = CreatedCursorPagination
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


class MdfRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Every partner's requests, newest first (filter ``status``), with the partner's remaining funds beside each
    and, for those waiting for a decision, the predicted pipeline and ROPI (``predicted_*``, ``prediction_*``)."""

    model = MdfRequest
    serializer_class = MdfStaffRequestOutputSerializer
    pagination_class = SubmittedCursorPagination
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
    read_roles = frozenset(PARTNER_ROLES)
    write_roles = frozenset(PARTNER_ROLES)
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def scoped_queryset(self) -> QuerySet:
        return MdfRequest.objects.filter(tenant=self.tenant, partner_id=self.caller_partner_id)

    @extend_schema(request=MdfRequestInputSerializer, responses={201: MdfRequestOutputSerializer})
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
