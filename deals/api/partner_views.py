"""The partner side of deal registration in the API: ``my-registrations/``.

The same services as the partner portal (:mod:`deals.partner_views`): ``registration_submit``
decides pending / approved / under review and names nobody; the precheck answers one of three
neutral outcomes under the same per-user rate limit as the portal's; the actions call
:mod:`deals.workflow`. ``POST my-registrations/`` honours ``Idempotency-Key``.

A partner user reaches only registrations its own organisation submitted: the base narrows the
scope to their partner (application and database) and ``scoped_queryset`` filters again, so another
partner's registration is "not found". Staff and API keys have no registrations of their own: a
registration id is looked up first (another tenant's is "not found", as everywhere), then they are
refused with ``partner_only`` (vendor staff work registrations at ``deal-registrations/``).
"""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from deals import partner_views, selectors, workflow
from deals.models import DealRegistration, DealStage, RegistrationAppeal, RegistrationStatus
from deals.registrations import registration_submit
from ecosystem.accounts.models import PARTNER_ROLES, STAFF_ROLES
from ecosystem.api.idempotency import idempotent
from ecosystem.api.pagination import CreatedCursorPagination
from ecosystem.api.views import TenantViewSet
from onboarding.services import require_sales_access

from .partner_serializers import (
    MyAppealOutputSerializer,
    MyExtensionOutputSerializer,
    MyInfoAnswerInputSerializer,
    MyReasonInputSerializer,
    MyRegistrationDetailOutputSerializer,
    MyRegistrationInputSerializer,
    MyRegistrationOutputSerializer,
    MyStageInputSerializer,
    RegistrationPrecheckInputSerializer,
    RegistrationPrecheckOutputSerializer,
)

# Staff pass the base's role check on purpose, so that they get the explicit ``partner_only``
# refusal rather than a bare 404 or a generic ``role_forbidden``.
_EVERYONE = frozenset(STAFF_ROLES | PARTNER_ROLES)

REGISTRATION_EXAMPLE = {
    "customer_name": "Initech Inc.",
    "customer_domain": "initech.example",
    "contact_name": "Bill Lumbergh",
    "contact_email": "bill@initech.example",
    "product_lines": ["compute"],
    "value": "50000.00",
    "currency": "USD",
    "expected_close_date": "2027-03-31",
    "stage": "qualification",
    "notes": "Moving 200 VMs.",
}
REGISTERED_EXAMPLE = {
    **REGISTRATION_EXAMPLE,
    "id": "9d2a4f1b-7c3e-4d5a-b6e8-3c1f0a2d9e33",
    "status": "pending",
    "message": "Registered. A partner manager decides within 2 working days.",
    "contact_title": "VP Infrastructure",
    "joint_solution": None,
    "solution": "",
    "submitted_at": "2026-03-02T09:30:00Z",
    "decided_at": None,
    "protected_until": None,
    "closed_amount": None,
    "closed_on": None,
}


class MyRegistrationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RegistrationStatus.choices)
    stage = django_filters.ChoiceFilter(choices=DealStage.choices)

    class Meta:
        model = DealRegistration
        fields = ["status", "stage"]


class SubmittedCursorPagination(CreatedCursorPagination):
    ordering = ("-submitted_at", "-id")


class MyRegistrationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Your organisation's deal registrations: register, precheck, follow, and act on them."""

    model = DealRegistration
    serializer_class = MyRegistrationOutputSerializer
    filterset_class = MyRegistrationFilter
    pagination_class = SubmittedCursorPagination
    read_roles = _EVERYONE
    write_roles = _EVERYONE

    def scoped_queryset(self):
        queryset = (
            DealRegistration.objects.filter(tenant=self.tenant).select_related("joint_solution").order_by("-submitted_at", "-id")
        )
        if self.caller_partner_id is not None:
            queryset = queryset.filter(partner_id=self.caller_partner_id)
        return queryset

    def _partner_id(self) -> int:
        partner_id = self.caller_partner_id
        if partner_id is None:
            raise exceptions.PermissionDenied(
                code="partner_only",
                detail="Only a partner's own users register and work its deals. Staff and API keys use deal-registrations/.",
            )
        return partner_id

    def _own_registration(self) -> DealRegistration:
        """The registration in the URL, found first (so a foreign id is 404 for everyone), then partner users only."""
        registration = self.get_object()
        self._partner_id()
        return registration

    def _detail(self, registration: DealRegistration, *, status_code: int = status.HTTP_200_OK) -> Response:
        registration.refresh_from_db()
        registration.history_rows = selectors.registration_history(tenant=self.tenant, registration=registration)
        registration.extension_rows = registration.extensions.order_by("-requested_at", "-id")
        registration.appeal_row = RegistrationAppeal.objects.filter(tenant=self.tenant, registration=registration).first()
        registration.evidence = (
            selectors.partner_evidence(tenant=self.tenant, registration=registration)
            if registration.status in (RegistrationStatus.REJECTED, RegistrationStatus.UNDER_REVIEW)
            else None
        )
        return Response(MyRegistrationDetailOutputSerializer(registration).data, status=status_code)

    def list(self, request, *args, **kwargs):
        """Your organisation's registrations, newest first. Filters: ``status``, ``stage``. Staff: ``partner_only``."""
        self._partner_id()
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: MyRegistrationDetailOutputSerializer})
    def retrieve(self, request, *args, **kwargs):
        """One registration with its history (each decision's rule and reason), evidence, appeal and extensions."""
        return self._detail(self._own_registration())

    @extend_schema(
        request=MyRegistrationInputSerializer,
        responses={201: MyRegistrationOutputSerializer},
        examples=[
            OpenApiExample("Register", value=REGISTRATION_EXAMPLE, request_only=True),
            OpenApiExample(
                "Registered, waiting for a decision", value=REGISTERED_EXAMPLE, response_only=True, status_codes=["201"]
            ),
        ],
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        """Register a deal. ``201`` with the status: ``pending``, ``approved`` (auto-approval) or ``under_review``.

        ``under_review`` means the customer and a product line may already be registered: the
        registration is recorded with its submission time and a manager reviews it; the message
        names nobody. Refusals: ``onboarding_incomplete`` (403) until sales access is open; field
        errors (400). Send ``Idempotency-Key`` to retry safely.
        """
        partner_id = self._partner_id()
        payload = MyRegistrationInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = {**payload.validated_data, "value": str(payload.validated_data["value"])}
        submitted = registration_submit(tenant=self.tenant, actor=self.actor, partner_id=partner_id, values=values)
        return Response(MyRegistrationOutputSerializer(submitted.registration).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=RegistrationPrecheckInputSerializer,
        responses={
            200: RegistrationPrecheckOutputSerializer,
            429: OpenApiResponse(description="Too many checks: try again later."),
        },
    )
    @action(detail=False, methods=["post"])
    def precheck(self, request, *args, **kwargs):
        """Does this customer look registered already? ``clear``, ``likely_conflict`` or ``yours``; never who.

        Rate-limited per user (shared with the portal's check) so it cannot be used to scan a list
        of customers: ``429`` ``throttled`` past it. Refused (403 ``onboarding_incomplete``) until
        sales access is open.
        """
        partner_id = self._partner_id()
        payload = RegistrationPrecheckInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        require_sales_access(tenant=self.tenant, partner_id=partner_id)
        answer = partner_views.rate_limited_precheck(
            tenant=self.tenant, user_id=request.user.pk, partner_id=partner_id, **payload.validated_data
        )
        if answer.outcome == partner_views.THROTTLED:
            raise exceptions.Throttled(wait=partner_views.PRECHECK_WINDOW_SECONDS, detail=answer.message)
        return Response(RegistrationPrecheckOutputSerializer({"outcome": answer.outcome, "message": answer.message}).data)

    @extend_schema(request=MyStageInputSerializer, responses={200: MyRegistrationDetailOutputSerializer})
    @action(detail=True, methods=["post"])
    def stage(self, request, *args, **kwargs):
        """Move to another open stage, or close: ``closed_won`` (amount and date) or ``closed_lost`` (date)."""
        registration = self._own_registration()
        payload = MyStageInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        workflow.registration_update_stage(
            tenant=self.tenant, actor=self.actor, registration=registration, **payload.validated_data
        )
        return self._detail(registration)

    @extend_schema(request=None, responses={200: MyRegistrationDetailOutputSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, *args, **kwargs):
        """Withdraw a registration that is waiting or approved: it stops holding the customer."""
        registration = self._own_registration()
        workflow.registration_withdraw(
            tenant=self.tenant, actor=self.actor, partner_id=self._partner_id(), registration=registration
        )
        return self._detail(registration)

    @extend_schema(request=MyReasonInputSerializer, responses={201: MyAppealOutputSerializer})
    @action(detail=True, methods=["post"])
    def appeal(self, request, *args, **kwargs):
        """Appeal a rejection, once, with a reason; another manager decides. Twice: 409 ``appealed``."""
        registration = self._own_registration()
        payload = MyReasonInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        appeal = workflow.appeal_submit(
            tenant=self.tenant,
            actor=self.actor,
            partner_id=self._partner_id(),
            registration=registration,
            reason=payload.validated_data["reason"],
        )
        return Response(MyAppealOutputSerializer(appeal).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MyReasonInputSerializer, responses={201: MyExtensionOutputSerializer})
    @action(detail=True, methods=["post"])
    def extension(self, request, *args, **kwargs):
        """Ask for more protection time on an approved registration; one request waits at a time (409 ``extension_open``)."""
        registration = self._own_registration()
        payload = MyReasonInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        extension = workflow.extension_request(
            tenant=self.tenant,
            actor=self.actor,
            partner_id=self._partner_id(),
            registration=registration,
            reason=payload.validated_data["reason"],
        )
        return Response(MyExtensionOutputSerializer(extension).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MyInfoAnswerInputSerializer, responses={200: MyRegistrationDetailOutputSerializer})
    @action(detail=True, methods=["post"])
    def info(self, request, *args, **kwargs):
        """Answer a manager's request for more information; the registration goes back to review."""
        registration = self._own_registration()
        payload = MyInfoAnswerInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        workflow.registration_provide_info(
            tenant=self.tenant,
            actor=self.actor,
            partner_id=self._partner_id(),
            registration=registration,
            answer=payload.validated_data["answer"],
        )
        return self._detail(registration)
