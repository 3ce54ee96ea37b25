from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.api.pagination import CreatedCursorPagination
from ecosystem.api.views import TenantViewSet
from onboarding import services
from onboarding.models import ApplicationStatus, OnboardingPlan, PartnerApplication, PlanStatus
from partners.api.serializers import PartnerOutputSerializer

from .serializers import ApplicationOutputSerializer, DecisionInputSerializer, PlanOutputSerializer


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ApplicationStatus.choices)

    class Meta:
        model = PartnerApplication
        fields = ["status"]


class SubmittedCursorPagination(CreatedCursorPagination):
    ordering = ("-submitted_at", "-id")


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
