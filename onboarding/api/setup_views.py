"""Program setup in the API for vendor staff: agreement versions and the security questionnaire.

The same functions as the portal's setup page (``onboarding.setup_views``) do every write, with the
same roles: staff read, owners and partner managers change. Capabilities and the tier ladder are
partners' (``partners/api/capability_views.py``, ``partners/api/tier_views.py``).
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.api.idempotency import idempotent
from ecosystem.api.pagination import CreatedCursorPagination
from ecosystem.api.views import TenantViewSet
from ecosystem.errors import ApplicationError
from onboarding import setup
from onboarding.models import AgreementVersion, OnboardingTemplate, SecurityQuestion

from .setup_serializers import (
    SetupAgreementVersionInputSerializer,
    SetupAgreementVersionSerializer,
    SetupSecurityQuestionInputSerializer,
    SetupSecurityQuestionSerializer,
    SetupTemplateInputSerializer,
    SetupTemplateSerializer,
    SetupTemplateStepInputSerializer,
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


class OnboardingTemplateFilter(django_filters.FilterSet):
    is_active = django_filters.BooleanFilter(label="true: the templates new plans use")
    partner_type = django_filters.CharFilter(label="Only the template(s) of this partner type (blank: the general one)")

    class Meta:
        model = OnboardingTemplate
        fields = ["is_active", "partner_type"]


class NameCursorPagination(CreatedCursorPagination):
    ordering = ("name", "id")


class OnboardingTemplateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Onboarding templates with their steps, by name. Filters: ``is_active``, ``partner_type``.

    The portal's setup page (``onboarding.setup_views``): staff read; owners and partner managers add
    templates, append steps and remove the last step, through the same ``onboarding.setup`` functions.
    """

    model = OnboardingTemplate
    serializer_class = SetupTemplateSerializer
    filterset_class = OnboardingTemplateFilter
    pagination_class = NameCursorPagination
    ordering_fields = ["name"]
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return OnboardingTemplate.objects.filter(tenant=self.tenant).prefetch_related("steps__agreement").order_by("name", "id")

    def _fresh(self, template: OnboardingTemplate) -> dict:
        return SetupTemplateSerializer(self.scoped_queryset().get(pk=template.pk)).data

    @extend_schema(
        request=SetupTemplateInputSerializer,
        responses={201: SetupTemplateSerializer},
        examples=[
            OpenApiExample(
                "Resellers' template", value={"name": "Reseller onboarding", "partner_type": "reseller"}, request_only=True
            )
        ],
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        """A new active template, without steps. ``400 duplicate_template`` when the partner type already has an
        active one; ``400 invalid_choice`` for an unknown partner type. ``Idempotency-Key`` honoured."""
        payload = SetupTemplateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        template = setup.template_create(tenant=self.tenant, actor=self.actor, **payload.validated_data)
        return Response(self._fresh(template), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=SetupTemplateStepInputSerializer,
        responses={201: SetupTemplateSerializer},
        examples=[
            OpenApiExample(
                "An agreement step after step 1",
                value={
                    "kind": "agreement",
                    "title": "Sign the partner agreement",
                    "due_days": 7,
                    "depends_on": [1],
                    "agreement": "3f1c1d9e-4c55-4a8e-9a55-0b6a4f1e2d11",
                },
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def steps(self, request, *args, **kwargs):
        """Append a step (answers the whole template). ``400 invalid_dependency`` when ``depends_on`` names a
        position that is not an earlier step; ``400 required`` for an agreement step without ``agreement``."""
        template = self.get_object()
        payload = SetupTemplateStepInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        agreement_id = data.pop("agreement")
        agreement = None
        if agreement_id is not None:
            agreement = AgreementVersion.objects.filter(tenant=self.tenant, public_id=agreement_id).first()
            if agreement is None:
                raise ApplicationError(_("Choose an agreement of this program."), code="invalid_choice", field="agreement")
        setup.template_step_add(tenant=self.tenant, actor=self.actor, template=template, agreement=agreement, **data)
        return Response(self._fresh(template), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: SetupTemplateSerializer})
    @action(detail=True, methods=["delete"], url_path="steps/<int:position>", url_name="step")
    def remove_step(self, request, position, *args, **kwargs):
        """Remove the template's last step (only the last: later steps may depend on earlier ones).
        ``400 not_last_step`` otherwise. Plans already started from the template keep their steps."""
        template = self.get_object()
        setup.template_step_remove(tenant=self.tenant, actor=self.actor, template=template, position=position)
        return Response(self._fresh(template))
