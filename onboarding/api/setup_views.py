"""Program setup in the API for vendor staff: agreement versions and the security questionnaire.

The same functions as the portal's setup page (``onboarding.setup_views``) do every write, with the
same roles: staff read, owners and partner managers change. Capabilities and the tier ladder are
partners' (``partners/api/capability_views.py``, ``partners/api/tier_views.py``).
"""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.api.idempotency import idempotent
from ecosystem.api.pagination import CreatedCursorPagination
from ecosystem.api.views import TenantViewSet
from onboarding import setup
from onboarding.models import AgreementVersion, SecurityQuestion

from .setup_serializers import (
    SetupAgreementVersionInputSerializer,
    SetupAgreementVersionSerializer,
    SetupSecurityQuestionInputSerializer,
    SetupSecurityQuestionSerializer,
)


class AgreementVersionFilter(django_filters.FilterSet):
    title = django_filters.CharFilter(lookup_expr="iexact", label="Only versions of this agreement (its title)")

    class Meta:
        model = AgreementVersion
        fields = ["title"]


class AgreementVersionViewSet(mixins.ListModelMixin, TenantViewSet):
    """The agreement versions onboarding steps ask partners to sign, newest first. Filter: ``title``."""

    model = AgreementVersion
    serializer_class = SetupAgreementVersionSerializer
    filterset_class = AgreementVersionFilter
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return AgreementVersion.objects.filter(tenant=self.tenant).order_by("-created_at", "-id")

    @extend_schema(
        request=SetupAgreementVersionInputSerializer,
        responses={201: SetupAgreementVersionSerializer},
        examples=[
            OpenApiExample(
                "A new version",
                value={"title": "Partner agreement", "version": "2027.1", "body": "1. Scope. The partner resells …"},
                request_only=True,
            )
        ],
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        """Add a version of an agreement (existing versions never change: signatures point at their text).
        ``400 duplicate_version`` when the agreement already has that version. ``Idempotency-Key`` honoured."""
        payload = SetupAgreementVersionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        agreement = setup.agreement_version_add(tenant=self.tenant, actor=self.actor, **payload.validated_data)
        return Response(SetupAgreementVersionSerializer(agreement).data, status=status.HTTP_201_CREATED)


class SecurityQuestionFilter(django_filters.FilterSet):
    is_active = django_filters.BooleanFilter(label="true: the questions asked now; false: the retired ones")

    class Meta:
        model = SecurityQuestion
        fields = ["is_active"]


class PositionCursorPagination(CreatedCursorPagination):
    ordering = ("position", "id")  # the questionnaire's order


class SecurityQuestionViewSet(mixins.ListModelMixin, TenantViewSet):
    """The security questionnaire in its order, retired questions too (``is_active`` false). Filter: ``is_active``."""

    model = SecurityQuestion
    serializer_class = SetupSecurityQuestionSerializer
    filterset_class = SecurityQuestionFilter
    pagination_class = PositionCursorPagination
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return SecurityQuestion.objects.filter(tenant=self.tenant).order_by("position", "id")

    @extend_schema(
        request=SetupSecurityQuestionInputSerializer,
        responses={201: SetupSecurityQuestionSerializer},
        examples=[
            OpenApiExample(
                "A question",
                value={"text": "Do you encrypt customer data at rest?", "risk_points": 20},
                request_only=True,
            )
        ],
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        """Add a question at the end of the questionnaire. ``400 out_of_range`` outside 0-100 risk points.
        ``Idempotency-Key`` honoured."""
        payload = SetupSecurityQuestionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        question = setup.security_question_add(tenant=self.tenant, actor=self.actor, **payload.validated_data)
        return Response(SetupSecurityQuestionSerializer(question).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: SetupSecurityQuestionSerializer})
    @action(detail=True, methods=["post"])
    def retire(self, request, *args, **kwargs):
        """Stop asking the question (past answers keep its text). Retiring a retired question changes nothing."""
        question = setup.security_question_retire(tenant=self.tenant, actor=self.actor, question=self.get_object())
        return Response(SetupSecurityQuestionSerializer(question).data)
