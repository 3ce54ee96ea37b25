"""Deal registrations in the staff API: the queue and one registration with its conflicts, decisions
(approve, reject, request information), appeals and extensions, the rules of engagement, product lines.

Every write calls the same service as the portal (``deals.workflow``, ``deals.engagement``).
Analysts and read-only keys read; owners, partner managers and write keys decide.
"""

from __future__ import annotations

import django_filters
from django_filters.utils import translate_validation
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from deals import engagement, selectors, takeover, workflow
from deals.models import DealRegistration, EngagementRules, ProductLine, RegistrationAppeal, RegistrationExtension
from deals.registrations import engagement_rules
from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.api.pagination import CreatedCursorPagination
from ecosystem.api.views import TenantViewSet

from .serializers import (
    ManageAppealDecideInputSerializer,
    ManageAppealOutputSerializer,
    ManageEngagementRulesSerializer,
    ManageExtensionDecideInputSerializer,
    ManageExtensionOutputSerializer,
    ManageProductLineSerializer,
    ManageQuestionInputSerializer,
    ManageReasonInputSerializer,
    ManageRegistrationDetailSerializer,
    ManageRegistrationOutputSerializer,
    ManageStageInputSerializer,
)


class SubmittedCursorPagination(CreatedCursorPagination):
    ordering = ("submitted_at", "id")  # the queue: oldest first, the first due


QUEUE_FILTERS = [
    OpenApiParameter("status", str, description="A status, or `waiting` (default: pending, under review, info requested)."),
    OpenApiParameter("partner", str, description="The registering partner's id."),
    OpenApiParameter("product_line", str, description="A product line key."),
    OpenApiParameter("overdue", bool, description="true: past the approval SLA; false: within it."),
    OpenApiParameter("q", str, description="Customer name or domain contains."),
]


class ManageTakeoverInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, help_text="Why direct sales takes the customer over; the partner reads it.")
    partner_consented = serializers.BooleanField(
        default=False, help_text="The partner agreed (say who and how in the reason); some rules require it."
    )


def detail_response(*, tenant, registration: DealRegistration) -> Response:
    """One registration with its conflicts side by side and its history (what ``deal-registrations/<id>/`` answers)."""
    registration = selectors.access_registration(tenant=tenant, public_id=registration.public_id)
    registration.side_by_side = selectors.registration_conflicts(tenant=tenant, registration=registration)
    registration.history_rows = list(selectors.registration_history(tenant=tenant, registration=registration))
    return Response(ManageRegistrationDetailSerializer(registration).data)


class RegistrationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Deal registrations (staff): the queue with filters, and one registration with its conflicts and history."""

    model = DealRegistration
    serializer_class = ManageRegistrationOutputSerializer
    pagination_class = SubmittedCursorPagination
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return selectors.registration_queue_rows(tenant=self.tenant, filters=self.request.query_params)

    @extend_schema(parameters=QUEUE_FILTERS)
    def list(self, request, *args, **kwargs):
        """The queue. Default: registrations waiting for a decision, oldest first."""
        if any(request.query_params.get(name) for name in selectors.RegistrationQueueFilter.base_filters):
            queue = selectors.registration_queue(tenant=self.tenant, filters=request.query_params)
            if not queue.is_valid():  # a filter value the set cannot read is a 400, never silently ignored
                raise translate_validation(queue.errors)
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: ManageRegistrationDetailSerializer})
    def retrieve(self, request, *args, **kwargs):
        """One registration (any status), its conflicts side by side, and every decision with its rule."""
        registration = selectors.access_registration(tenant=self.tenant, public_id=kwargs["public_id"])
        return detail_response(tenant=self.tenant, registration=registration)

    def _registration(self) -> DealRegistration:
        return selectors.access_registration(tenant=self.tenant, public_id=self.kwargs["public_id"])

    @extend_schema(request=ManageReasonInputSerializer, responses={200: ManageRegistrationDetailSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        """Approve: protection starts (rule ``manager_approval``). 409 ``claim_taken`` when another active
        registration holds the customer and product line."""
        registration = self._registration()  # 404 before any 400
        data = ManageReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        registration = workflow.registration_approve(
            tenant=self.tenant, actor=self.actor, registration=registration, reason=data.validated_data["reason"]
        )
        return detail_response(tenant=self.tenant, registration=registration)

    @extend_schema(request=ManageReasonInputSerializer, responses={200: ManageRegistrationDetailSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, *args, **kwargs):
        """Reject with a reason the partner reads (required); the customer is released."""
        registration = self._registration()  # 404 before any 400
        data = ManageReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        registration = workflow.registration_reject(
            tenant=self.tenant, actor=self.actor, registration=registration, reason=data.validated_data["reason"]
        )
        return detail_response(tenant=self.tenant, registration=registration)

    @extend_schema(request=ManageQuestionInputSerializer, responses={200: ManageRegistrationDetailSerializer})
    @action(detail=True, methods=["post"], url_path="request-info", url_name="request-info")
    def request_info(self, request, *args, **kwargs):
        """Ask the partner a question; the registration waits for the answer (status ``info_requested``)."""
        registration = self._registration()  # 404 before any 400
        data = ManageQuestionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        registration = workflow.registration_request_info(
            tenant=self.tenant, actor=self.actor, registration=registration, question=data.validated_data["question"]
        )
        return detail_response(tenant=self.tenant, registration=registration)

    @extend_schema(request=ManageStageInputSerializer, responses={200: ManageRegistrationDetailSerializer})
    @action(detail=True, methods=["post"])
    def stage(self, request, *args, **kwargs):
        """Move to another open stage, or close: ``closed_won`` (amount and date) or ``closed_lost`` (date)."""
        registration = self._registration()  # 404 before any 400
        data = ManageStageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        registration = workflow.registration_update_stage(
            tenant=self.tenant,
            actor=self.actor,
            registration=registration,
            stage=data.validated_data["stage"],
            closed_amount=data.validated_data.get("closed_amount"),
            closed_on=data.validated_data.get("closed_on"),
        )
        return detail_response(tenant=self.tenant, registration=registration)

    @extend_schema(
        request=ManageTakeoverInputSerializer,
        responses={200: ManageRegistrationDetailSerializer},
        examples=[
            OpenApiExample(
                "With the partner's consent",
                value={
                    "reason": "Strategic account; agreed with the partner's sales lead on the call of 2 March.",
                    "partner_consented": True,
                },
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def takeover(self, request, *args, **kwargs):
        """Hand the customer to direct sales, when the rules of engagement allow it now; the partner is told.
        ``403 takeover_<policy>`` when the rules forbid it; ``400 registration_closed``."""
        registration = self._registration()  # 404 before any 400
        data = ManageTakeoverInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        registration = takeover.registration_takeover(
            tenant=self.tenant, actor=self.actor, registration=registration, **data.validated_data
        )
        return detail_response(tenant=self.tenant, registration=registration)


class SubmittedAtCursorPagination(CreatedCursorPagination):
    ordering = ("submitted_at", "id")


class AppealViewSet(mixins.ListModelMixin, TenantViewSet):
    """Open appeals, oldest first. ``?mine=true``: only those assigned to the caller."""

    model = RegistrationAppeal
    serializer_class = ManageAppealOutputSerializer
    pagination_class = SubmittedAtCursorPagination
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        mine = self.request.query_params.get("mine") == "true" and self.membership is not None
        return selectors.open_appeals(tenant=self.tenant, assigned_to=self.request.user if mine else None)

    @extend_schema(parameters=[OpenApiParameter("mine", bool, description="Only appeals assigned to me.")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ManageAppealDecideInputSerializer, responses={200: ManageAppealOutputSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, *args, **kwargs):
        """Overturn (the registration is approved) or uphold. Only the assigned reviewer or an owner who did
        not make the first decision; a person, not an API key (403 ``person_required``)."""
        appeal = selectors.access_appeal(tenant=self.tenant, public_id=self.kwargs["public_id"])  # 404 before any 400
        data = ManageAppealDecideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decided = workflow.appeal_decide(
            tenant=self.tenant,
            actor=self.actor,
            appeal=appeal,
            overturn=data.validated_data["overturn"],
            reason=data.validated_data["reason"],
        )
        return Response(ManageAppealOutputSerializer(decided).data)


class RequestedCursorPagination(CreatedCursorPagination):
    ordering = ("requested_at", "id")


class ExtensionFilter(django_filters.FilterSet):
    partner = django_filters.UUIDFilter(field_name="partner__public_id", label="The partner's id")

    class Meta:
        model = RegistrationExtension
        fields = ["partner"]


class ExtensionViewSet(mixins.ListModelMixin, TenantViewSet):
    """Extension requests waiting for an answer, oldest first."""

    model = RegistrationExtension
    serializer_class = ManageExtensionOutputSerializer
    pagination_class = RequestedCursorPagination
    filterset_class = ExtensionFilter
    ordering_fields = ["requested_at"]
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return selectors.open_extensions(tenant=self.tenant)

    @extend_schema(request=ManageExtensionDecideInputSerializer, responses={200: ManageExtensionOutputSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, *args, **kwargs):
        """Grant (protection + the rules' extension days) or decline (reason required)."""
        extension = selectors.access_extension(tenant=self.tenant, public_id=self.kwargs["public_id"])  # 404 before any 400
        data = ManageExtensionDecideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decided = workflow.extension_decide(
            tenant=self.tenant,
            actor=self.actor,
            extension=extension,
            grant=data.validated_data["grant"],
            reason=data.validated_data["reason"],
        )
        return Response(ManageExtensionOutputSerializer(decided).data)


class EngagementRulesViewSet(TenantViewSet):
    """The program's rules of engagement: one object per tenant (``engagement-rules/``)."""

    model = EngagementRules
    serializer_class = ManageEngagementRulesSerializer
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return EngagementRules.objects.filter(tenant=self.tenant)

    @extend_schema(responses={200: ManageEngagementRulesSerializer})
    def retrieve(self, request, *args, **kwargs):
        return Response(ManageEngagementRulesSerializer(engagement_rules(tenant=self.tenant)).data)

    @extend_schema(request=ManageEngagementRulesSerializer, responses={200: ManageEngagementRulesSerializer})
    def update(self, request, *args, **kwargs):
        """Replace the rules (every field). Audited with each changed value."""
        data = ManageEngagementRulesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rules = engagement.engagement_rules_update(tenant=self.tenant, actor=self.actor, values=dict(data.validated_data))
        return Response(ManageEngagementRulesSerializer(rules).data)


class NameCursorPagination(CreatedCursorPagination):
    ordering = ("name", "id")


class ProductLineViewSet(mixins.ListModelMixin, TenantViewSet):
    """The product lines registrations choose from (retired ones too, ``is_active`` false)."""

    model = ProductLine
    serializer_class = ManageProductLineSerializer
    pagination_class = NameCursorPagination
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return ProductLine.objects.filter(tenant=self.tenant).order_by("name", "id")

    @extend_schema(request=ManageProductLineSerializer, responses={201: ManageProductLineSerializer})
    def create(self, request, *args, **kwargs):
        """Add a product line; its key is made from the name (409 ``duplicate`` when taken)."""
        data = ManageProductLineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        line = engagement.product_line_create(tenant=self.tenant, actor=self.actor, name=data.validated_data["name"])
        return Response(ManageProductLineSerializer(line).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ManageProductLineSerializer})
    @action(detail=True, methods=["post"])
    def retire(self, request, *args, **kwargs):
        """Stop offering the line for new registrations; existing ones keep it. ``400 invalid_status`` when retired."""
        line = engagement.product_line_retire(tenant=self.tenant, actor=self.actor, line=self.get_object())
        return Response(ManageProductLineSerializer(line).data)
