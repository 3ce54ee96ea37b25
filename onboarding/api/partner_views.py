"""The partner side of onboarding in the API: a partner user reads their plan and works its steps.

Every action calls the same service as the partner portal's step page (``onboarding.views.my_step``),
so the rules (order of steps, closed plans, file checks, the risk rating) are the services' alone.
A partner user reaches only their own organisation's steps: the base narrows the scope to their
partner (application and database) and ``scoped_queryset`` filters again, so another partner's
step is "not found". Staff and API keys may read any step of the tenant, but have no onboarding
of their own to work: the actions first find the step (another tenant's is "not found", as
everywhere) and then refuse them with ``partner_only``.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_ROLES, STAFF_ROLES
from ecosystem.api.views import TenantViewSet
from ecosystem.client_ip import client_ip
from onboarding import issuers, selectors, services
from onboarding.models import OnboardingPlan, OnboardingStep, SecurityQuestion, StepKind

from .partner_serializers import (
    CredentialCheckOutputSerializer,
    CredentialInputSerializer,
    EvidenceInputSerializer,
    EvidenceOutputSerializer,
    MyOnboardingOutputSerializer,
    PartnerStepDetailOutputSerializer,
    ProfileInputSerializer,
    SecurityAnswersInputSerializer,
    SignatureInputSerializer,
)

# Staff pass the base's role check on purpose, so that they get the explicit ``partner_only``
# refusal below rather than a bare 404 or a generic ``role_forbidden``.
_EVERYONE = frozenset(STAFF_ROLES | PARTNER_ROLES)


class PartnerOnlyMixin:
    """For viewsets whose every operation acts as one partner organisation."""

    def _caller_partner_id(self) -> int:
        partner_id = self.caller_partner_id
        if partner_id is None:
            raise exceptions.PermissionDenied(
                code="partner_only",
                detail="Only a partner's own users work its onboarding. Staff and API keys read plans at onboarding-plans/.",
            )
        return partner_id


class PartnerOnboardingViewSet(PartnerOnlyMixin, TenantViewSet):
    """The caller's own onboarding plan and what still stands between them and sales access."""

    model = OnboardingPlan
    read_roles = _EVERYONE
    write_roles = frozenset()

    def scoped_queryset(self):
        return OnboardingPlan.objects.filter(tenant=self.tenant, partner_id=self._caller_partner_id())

    @extend_schema(responses={200: MyOnboardingOutputSerializer})
    @action(detail=False, methods=["get"])
    def plan(self, request, *args, **kwargs):
        """The open plan (else the latest; ``null`` when the partner has none) and the sales-access gate."""
        partner_id = self._caller_partner_id()
        body = {
            "plan": selectors.current_plan(tenant=self.tenant, partner_id=partner_id),
            "sales_access": services.partner_access_gate(tenant=self.tenant, partner_id=partner_id),
        }
        return Response(MyOnboardingOutputSerializer(body).data)


class PartnerOnboardingStepViewSet(PartnerOnlyMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The steps of the caller's own plan, and one action per kind of step."""

    model = OnboardingStep
    serializer_class = PartnerStepDetailOutputSerializer
    read_roles = _EVERYONE
    write_roles = _EVERYONE

    def scoped_queryset(self):
        queryset = OnboardingStep.objects.filter(tenant=self.tenant).select_related("plan", "agreement", "partner")
        if self.caller_partner_id is not None:
            queryset = queryset.filter(partner_id=self.caller_partner_id)
        return queryset

    def _own_step(self) -> OnboardingStep:
        """The step in the URL, found first (so a foreign id is 404 for everyone), then partner users only."""
        step = self.get_object()
        self._caller_partner_id()
        return step

    def _detail(self, step: OnboardingStep, *, status_code: int = status.HTTP_200_OK) -> Response:
        step.refresh_from_db()
        step.questions = (
            list(SecurityQuestion.objects.filter(tenant=self.tenant, is_active=True))
            if step.kind == StepKind.SECURITY_REVIEW
            else []
        )
        external = issuers.is_external_certification(step)
        step.issuers = (
            [{"slug": slug, "name": name} for _id, slug, name in issuers.issuer_choices(tenant=self.tenant)] if external else []
        )
        step.credential_check = issuers.latest_check(step) if external else None
        return Response(PartnerStepDetailOutputSerializer(step).data, status=status_code)

    def retrieve(self, request, *args, **kwargs):
        """One step with what its action needs: agreement text, questions, documents, issuers, the latest check.

        Staff and API keys may read it too."""
        return self._detail(self.get_object())

    @extend_schema(
        request=SignatureInputSerializer,
        responses={200: PartnerStepDetailOutputSerializer},
        examples=[OpenApiExample("Sign", value={"typed_name": "Ada Lovelace", "accepted": True}, request_only=True)],
    )
    @action(detail=True, methods=["post"])
    def sign(self, request, *args, **kwargs):
        """Sign an agreement step. The signature keeps the exact text, the signer, the typed name, the time and the address."""
        step = self._own_step()
        payload = SignatureInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.agreement_sign(
            tenant=self.tenant,
            actor=self.actor,
            step=step,
            typed_name=payload.validated_data["typed_name"],
            accepted=payload.validated_data["accepted"],
            ip=client_ip(request),
        )
        return self._detail(step)

    @extend_schema(request=SecurityAnswersInputSerializer, responses={200: PartnerStepDetailOutputSerializer})
    @action(detail=True, methods=["post"], url_path="security-review", url_name="security-review")
    def security_review(self, request, *args, **kwargs):
        """Answer the security questionnaire. Low and medium risk finish the step; high risk waits for the vendor (``review``)."""
        step = self._own_step()
        payload = SecurityAnswersInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.security_review_submit(
            tenant=self.tenant, actor=self.actor, step=step, answers=dict(payload.validated_data["answers"])
        )
        return self._detail(step)

    @extend_schema(request={"multipart/form-data": EvidenceInputSerializer}, responses={201: EvidenceOutputSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def evidence(self, request, *args, **kwargs):
        """Attach a document to a security review (multipart, field ``file``)."""
        step = self._own_step()
        evidence = services.security_evidence_add(
            tenant=self.tenant, actor=self.actor, step=step, upload=request.FILES.get("file")
        )
        return Response(EvidenceOutputSerializer(evidence).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ProfileInputSerializer, responses={200: PartnerStepDetailOutputSerializer})
    @action(detail=True, methods=["post"])
    def profile(self, request, *args, **kwargs):
        """Complete the profile step: the partner's description (required), regions and capabilities."""
        step = self._own_step()
        payload = ProfileInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.profile_step_complete(tenant=self.tenant, actor=self.actor, step=step, **payload.validated_data)
        return self._detail(step)

    @extend_schema(request=None, responses={200: PartnerStepDetailOutputSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, *args, **kwargs):
        """Tick off a task step. Steps with their own form or course answer ``wrong_step_kind`` or ``completed_by_course``."""
        step = self._own_step()
        services.step_complete(tenant=self.tenant, actor=self.actor, step=step)
        return self._detail(step)

    @extend_schema(request=CredentialInputSerializer, responses={202: CredentialCheckOutputSerializer})
    @action(detail=True, methods=["post"])
    def credential(self, request, *args, **kwargs):
        """Submit an outside certification for checking with its issuer. The step is done once it verifies."""
        step = self._own_step()
        payload = CredentialInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        check = issuers.external_credential_submit(
            tenant=self.tenant,
            actor=self.actor,
            step=step,
            issuer_slug=payload.validated_data["issuer"],
            credential_number=payload.validated_data["credential_number"],
            holder_name=payload.validated_data["holder_name"],
        )
        return Response(CredentialCheckOutputSerializer(check).data, status=status.HTTP_202_ACCEPTED)
