from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.api.pagination import CreatedCursorPagination
from ecosystem.api.views import TenantViewSet
from onboarding import selectors, services
from onboarding.models import ApplicationStatus, OnboardingPlan, OnboardingStep, PartnerApplication, PlanStatus
from partners.api.serializers import PartnerOutputSerializer

from .serializers import (
    ApplicationOutputSerializer,
    DecisionInputSerializer,
    PlanOutputSerializer,
    ReviewDecisionInputSerializer,
    StepOutputSerializer,
)


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ApplicationStatus.choices)

    class Meta:
        model = PartnerApplication
        fields = ["status"]


class SubmittedCursorPagination(CreatedCursorPagination):
    ordering = ("-submitted_at", "-id")


_APPLICATION = OpenApiExample(
    "A managed-services applicant",
    value={
        "id": "0b7e5d2c-3a4f-4e6b-8c1d-2f9a6b3e7d22",
        "company_name": "Contoso Managed Services",
        "website_domain": "contoso.example",
        "partner_type": "msp",
        "capabilities": ["security", "cloud"],
        "regions": ["emea"],
        "country": "NL",
        "expected_deal_volume": "10_50",
        "contact_name": "Sanne de Vries",
        "contact_email": "sanne@contoso.example",
        "message": "We run 300 SMB networks in the Benelux.",
        "status": "submitted",
        "submissions": 1,
        "fit_score": 0.82,
        "decision_reason": "",
        "decided_at": None,
        "partner": None,
        "submitted_at": "2026-03-02T09:30:00Z",
    },
    response_only=True,
)


@extend_schema_view(list=extend_schema(examples=[_APPLICATION]), retrieve=extend_schema(examples=[_APPLICATION]))
class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Applications from the public page. Approve or decline them; approval answers with the new partner."""

    model = PartnerApplication
    pagination_class = SubmittedCursorPagination
    serializer_class = ApplicationOutputSerializer
    filterset_class = ApplicationFilter
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return PartnerApplication.objects.filter(tenant=self.tenant).select_related("partner").order_by("-submitted_at", "-id")

    @extend_schema(request=None, responses={201: PartnerOutputSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        partner = services.application_approve(tenant=self.tenant, actor=self.actor, application=self.get_object())
        return Response(PartnerOutputSerializer(partner).data, status=201)

    @extend_schema(request=DecisionInputSerializer, responses={200: ApplicationOutputSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, *args, **kwargs):
        payload = DecisionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        application = services.application_reject(
            tenant=self.tenant, actor=self.actor, application=self.get_object(), reason=payload.validated_data["reason"]
        )
        return Response(ApplicationOutputSerializer(application).data)


class PlanFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices)

    class Meta:
        model = OnboardingPlan
        fields = ["status"]


class OnboardingPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Every partner's onboarding plan and the status of each step."""

    model = OnboardingPlan
    serializer_class = PlanOutputSerializer
    filterset_class = PlanFilter
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset()

    def scoped_queryset(self):
        return (
            OnboardingPlan.objects.filter(tenant=self.tenant)
            .select_related("partner")
            .prefetch_related("steps")
            .order_by("-created_at", "-id")
        )


class OnboardingStepViewSet(mixins.RetrieveModelMixin, TenantViewSet):
    """One step of a partner's onboarding plan (staff), and the decision on a security review waiting for one.

    Plans and their steps are listed at ``onboarding-plans/``. ``review/`` signs a high-risk security review
    off (``approve``) or sends it back (``return``) with the reason, as the portal's onboarding board does.
    """

    model = OnboardingStep
    serializer_class = StepOutputSerializer
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return OnboardingStep.objects.filter(tenant=self.tenant).select_related("plan", "partner")

    @extend_schema(
        request=ReviewDecisionInputSerializer,
        responses={200: StepOutputSerializer},
        examples=[
            OpenApiExample(
                "Sent back",
                value={"decision": "return", "reason": "The penetration test report is older than a year."},
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def review(self, request, *args, **kwargs):
        """Decide a security review. ``400 not_in_review`` when the step is not a review waiting for a decision."""
        step = selectors.access_step(tenant=self.tenant, public_id=self.kwargs["public_id"], partner_id=None)  # 404 first
        payload = ReviewDecisionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        step = services.security_review_decide(
            tenant=self.tenant,
            actor=self.actor,
            step=step,
            approve=payload.validated_data["decision"] == "approve",
            reason=payload.validated_data["reason"],
        )
        return Response(StepOutputSerializer(step).data)
