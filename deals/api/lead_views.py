"""Leads in the API. Staff (``leads/``): list, read with every offer and why, create (``Idempotency-Key``
honoured), route, offer to a chosen partner, set its joint solution, withdraw. The offered partner (``my-leads/``): its leads,
accept, decline with a reason, convert into a deal registration (``Idempotency-Key`` honoured).

Every action calls the same service as the portal (:mod:`deals.leads`). A partner user reaches only
the leads offered to its organisation now (row-level security on ``offered_to`` and the queryset):
a lead pulled back from it is "not found", exactly as one that never existed.
"""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from deals import leads
from deals.models import Lead, LeadStatus
from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES
from ecosystem.api.idempotency import idempotent
from ecosystem.api.pagination import CreatedCursorPagination
from ecosystem.api.views import TenantViewSet
from ecosystem.errors import ApplicationError
from partners.models import PartnerOrganization, Region

from .lead_serializers import (
    LeadCampaignInputSerializer,
    LeadConvertedOutputSerializer,
    LeadConvertInputSerializer,
    LeadDeclineInputSerializer,
    LeadDetailOutputSerializer,
    LeadInputSerializer,
    LeadOfferInputSerializer,
    LeadOutputSerializer,
    LeadReasonInputSerializer,
    LeadSolutionInputSerializer,
    PartnerLeadOutputSerializer,
)


class LeadFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=LeadStatus.choices)
    region = django_filters.ChoiceFilter(choices=Region.choices)

    class Meta:
        model = Lead
        fields = ["status", "region"]


def _detail(lead: Lead, *, status_code: int = status.HTTP_200_OK) -> Response:
    lead.refresh_from_db()
    lead.offer_history = list(leads.lead_offers(lead=lead))
    lead.unmatched_reason = leads.unmatched_reason(lead=lead)
    return Response(LeadDetailOutputSerializer(lead).data, status=status_code)


class LeadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The vendor's leads, newest first. Filters: ``status``, ``region``."""

    model = Lead
    serializer_class = LeadOutputSerializer
    filterset_class = LeadFilter
    pagination_class = CreatedCursorPagination
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return Lead.objects.filter(tenant=self.tenant).select_related(
            "offered_to", "account", "registration", "joint_solution", "mdf_request"
        )

    @extend_schema(responses={200: LeadDetailOutputSerializer})
    def retrieve(self, request, *args, **kwargs):
        """One lead with its offer history; each offer carries ``routing``, why that partner was chosen."""
        return _detail(self.get_object())

    @extend_schema(
        request=LeadInputSerializer,
        responses={201: LeadDetailOutputSerializer},
        examples=[
            OpenApiExample(
                "A lead for a security MSP in EMEA",
                value={
                    "company_name": "Initech",
                    "domain": "initech.example",
                    "region": "emea",
                    "partner_type": "msp",
                    "capabilities": ["security"],
                },
                request_only=True,
            )
        ],
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        """Create a lead (status ``new``). Send ``Idempotency-Key`` to make retries safe."""
        payload = LeadInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        lead = leads.lead_create(tenant=self.tenant, actor=self.actor, values=payload.validated_data)
        return _detail(lead, status_code=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: LeadDetailOutputSerializer})
    @action(detail=True, methods=["post"])
    def route(self, request, *args, **kwargs):
        """Offer the lead to the partner the routing rule picks; nobody fits: status ``unmatched`` with the reason."""
        lead = self.get_object()
        leads.lead_route(tenant=self.tenant, actor=self.actor, lead=lead)
        return _detail(lead)

    @extend_schema(request=LeadOfferInputSerializer, responses={200: LeadDetailOutputSerializer})
    @action(detail=True, methods=["post"])
    def offer(self, request, *args, **kwargs):
        """Offer the lead to a partner you choose (an open offer to another partner is withdrawn)."""
        lead = self.get_object()
        payload = LeadOfferInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        partner = PartnerOrganization.objects.filter(tenant=self.tenant, public_id=payload.validated_data["partner"]).first()
        if partner is None:
            raise ApplicationError("Choose a partner of this program.", code="invalid_choice", field="partner")
        leads.lead_offer_manual(
            tenant=self.tenant, actor=self.actor, lead=lead, partner=partner, note=payload.validated_data.get("note", "")
        )
        return _detail(lead)

    @extend_schema(request=LeadSolutionInputSerializer, responses={200: LeadDetailOutputSerializer})
    @action(detail=True, methods=["post"])
    def solution(self, request, *args, **kwargs):
        """Set (a joint solution in market's id) or clear (``null``) the joint solution the lead is for."""
        lead = self.get_object()
        payload = LeadSolutionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        leads.lead_solution_set(
            tenant=self.tenant, actor=self.actor, lead=lead, joint_solution=payload.validated_data.get("joint_solution")
        )
        return _detail(lead)

    @extend_schema(request=LeadCampaignInputSerializer, responses={200: LeadDetailOutputSerializer})
    @action(detail=True, methods=["post"])
    def campaign(self, request, *args, **kwargs):
        """Tag the lead with an approved MDF campaign of its partner (the one it is offered to), or clear it (``null``)."""
        lead = self.get_object()
        payload = LeadCampaignInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        leads.lead_campaign_set(
            tenant=self.tenant, actor=self.actor, lead=lead, mdf_request=payload.validated_data.get("mdf_request")
        )
        return _detail(lead)

    @extend_schema(request=LeadReasonInputSerializer, responses={200: LeadDetailOutputSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, *args, **kwargs):
        """Take the lead back for good (not once converted)."""
        lead = self.get_object()
        payload = LeadReasonInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        leads.lead_withdraw(tenant=self.tenant, actor=self.actor, lead=lead, reason=payload.validated_data.get("reason", ""))
        return _detail(lead)


class UpdatedCursorPagination(CreatedCursorPagination):
    ordering = ("-updated_at", "-id")


class MyLeadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Leads offered to the caller's organisation, accepted or converted by it. Partner users only."""

    model = Lead
    serializer_class = PartnerLeadOutputSerializer
    pagination_class = UpdatedCursorPagination
    filterset_class = LeadFilter
    ordering_fields = ["updated_at", "created_at"]
    read_roles = frozenset(PARTNER_ROLES)
    write_roles = frozenset(PARTNER_ROLES)

    def _partner_id(self) -> int:
        if self.caller_partner_id is None:  # pragma: no cover - the roles above admit partner users only
            raise exceptions.NotFound()
        return self.caller_partner_id

    def scoped_queryset(self):
        return leads.leads_for_partner(tenant=self.tenant, partner_id=self._partner_id())

    def _answer(self, lead: Lead, *, status_code: int = status.HTTP_200_OK) -> Response:
        lead.refresh_from_db()
        return Response(PartnerLeadOutputSerializer(lead).data, status=status_code)

    @extend_schema(request=None, responses={200: PartnerLeadOutputSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, *args, **kwargs):
        """Take the lead (before its ``respond_by``)."""
        lead = self.get_object()
        leads.lead_accept(tenant=self.tenant, actor=self.actor, partner_id=self._partner_id(), lead=lead)
        return self._answer(lead)

    @extend_schema(request=LeadCampaignInputSerializer, responses={200: PartnerLeadOutputSerializer})
    @action(detail=True, methods=["post"])
    def campaign(self, request, *args, **kwargs):
        """Tag the lead with one of your approved MDF campaigns, or clear it (``null``)."""
        lead = self.get_object()
        payload = LeadCampaignInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        leads.lead_campaign_set(
            tenant=self.tenant,
            actor=self.actor,
            lead=lead,
            mdf_request=payload.validated_data.get("mdf_request"),
            partner_id=self._partner_id(),
        )
        return self._answer(lead)

    @extend_schema(request=LeadDeclineInputSerializer, responses={204: None})
    @action(detail=True, methods=["post"])
    def decline(self, request, *args, **kwargs):
        """Turn the lead down with a reason. It goes to another partner at once and is no longer yours to read."""
        lead = self.get_object()
        payload = LeadDeclineInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        leads.lead_decline(
            tenant=self.tenant,
            actor=self.actor,
            partner_id=self._partner_id(),
            lead=lead,
            reason=payload.validated_data["reason"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=LeadConvertInputSerializer, responses={201: LeadConvertedOutputSerializer})
    @action(detail=True, methods=["post"])
    @idempotent
    def convert(self, request, *args, **kwargs):
        """Register the deal from an accepted lead: the lead's customer data plus these fields. ``Idempotency-Key`` honoured."""
        lead = self.get_object()
        payload = LeadConvertInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        submitted = leads.lead_convert(
            tenant=self.tenant, actor=self.actor, partner_id=self._partner_id(), lead=lead, values=payload.validated_data
        )
        lead.refresh_from_db()
        body = {
            "lead": lead,
            "registration": submitted.registration.public_id,
            "registration_status": submitted.registration.status,
        }
        return Response(LeadConvertedOutputSerializer(body).data, status=status.HTTP_201_CREATED)
