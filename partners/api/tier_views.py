"""Tiers in the API, for staff (the ladder, changes, proposals and their approval or decline,
standings, overrides and ending them early, evaluation) and for partner users (``my-tier/``:
their own standing and the ladder).

Every read and write goes through ``partners.tiers``, the same functions as the portal's tier
pages (``partners.tier_views``); nothing here decides who qualifies for what.

A write by an API key is recorded like any other: the change row names no person
(``changed_by`` is empty) and its audit entry names the key. Declining a proposal and ending an
override change no tier, so they write no change row; their audit entry carries the reason.
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES
from ecosystem.api.idempotency import idempotent
from ecosystem.api.pagination import CreatedCursorPagination
from ecosystem.api.views import TenantViewSet
from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.jobs.tasks import enqueue_on_commit
from ecosystem.tenancy.models import Tenant
from partners import selectors, tiers
from partners.content import tier_content_counts
from partners.models import PartnerOrganization, Tier, TierChange, TierChangeKind, TierEvaluation, TierPolicy
from partners.tasks import tier_evaluate_task

from .tier_serializers import (
    EvaluationQueuedSerializer,
    MyTierStandingSerializer,
    TierChangeOutputSerializer,
    TierInputSerializer,
    TierOutputSerializer,
    TierOverrideInputSerializer,
    TierPolicySerializer,
    TierProposalOutputSerializer,
    TierReasonInputSerializer,
    TierStandingOutputSerializer,
    missing_rules,
)


def partners_with_evaluation(*, tenant: Tenant) -> QuerySet:
    return selectors.partner_list(tenant=tenant).select_related("tier_evaluation__eligible_tier")


def standing_response(*, tenant: Tenant, partner: PartnerOrganization) -> Response:
    """Staff's view of one partner's standing (what ``tier-standings/<id>/`` answers); ``partner`` comes
    from ``partners_with_evaluation``, so its evaluation is loaded with it."""
    standing = tiers.tier_standing(tenant=tenant, partner=partner)
    evaluation = getattr(partner, "tier_evaluation", None)
    body = {
        "partner": partner.public_id,
        "partner_name": partner.name,
        "tier": standing.tier,
        "tier_held_until": partner.tier_override_until,
        "eligible_tier": evaluation.eligible_tier if evaluation else None,
        "proposal": evaluation.status if evaluation else None,
        "next_tier": standing.next_tier,
        "missing": missing_rules(standing),
        "facts": standing.facts,
        "evaluated_at": standing.evaluated_at,
    }
    return Response(TierStandingOutputSerializer(body).data)


REASON_EXAMPLE = OpenApiExample("With a reason", value={"reason": "Waiting for the Q3 business review"}, request_only=True)


class RankCursorPagination(CreatedCursorPagination):
    ordering = ("rank",)  # unique per tenant: the ladder, lowest first


class TierViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The tier ladder, lowest first, with each tier's benefits and rules (a partner needs every rule of a tier)."""

    model = Tier
    serializer_class = TierOutputSerializer
    pagination_class = RankCursorPagination
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return Tier.objects.filter(tenant=self.tenant).prefetch_related("rules").order_by("rank")

    @extend_schema(
        request=TierInputSerializer,
        responses={201: TierOutputSerializer, 200: TierOutputSerializer},
        examples=[
            OpenApiExample(
                "Gold",
                value={
                    "name": "Gold",
                    "rank": 2,
                    "discount_percent": "25.00",
                    "mdf_eligible": True,
                    "deal_protection_days": 120,
                    "other_benefits": "Named channel manager",
                    "rules": {"closed_won_revenue_12m": "250000.00", "certified_people": "3.00"},
                },
                request_only=True,
            )
        ],
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        """Create the tier at ``rank`` (201) or change the one there (200): benefits, and its rules replaced by
        ``rules``. ``400 out_of_range`` for a discount outside 0-100 %, ``invalid_choice`` for an unknown measure.
        The new ladder applies from the next evaluation. ``Idempotency-Key`` honoured."""
        payload = TierInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        existed = Tier.objects.filter(tenant=self.tenant, rank=payload.validated_data["rank"]).exists()  # the status code only
        tier = tiers.tier_save(tenant=self.tenant, actor=self.actor, **payload.validated_data)
        return Response(
            TierOutputSerializer(self.scoped_queryset().get(pk=tier.pk)).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses={202: EvaluationQueuedSerializer})
    @action(detail=False, methods=["post"])
    def evaluate(self, request, *args, **kwargs):
        """Evaluate every partner now, in the background (the nightly run, started by hand).

        Results show in ``tier-proposals/`` and ``tier-changes/`` when it has run.
        """
        enqueue_on_commit(tier_evaluate_task, self.tenant.pk)
        return Response({"status": "queued"}, status=status.HTTP_202_ACCEPTED)


class TierChangeFilter(django_filters.FilterSet):
    partner = django_filters.UUIDFilter(field_name="partner__public_id", label="The partner's id")
    kind = django_filters.ChoiceFilter(choices=TierChangeKind.choices)

    class Meta:
        model = TierChange
        fields = ["partner", "kind"]


class ChangedCursorPagination(CreatedCursorPagination):
    ordering = ("-changed_at", "-id")


class TierChangeViewSet(mixins.ListModelMixin, TenantViewSet):
    """Every change of a partner's tier, newest first. Filters: ``partner`` (id), ``kind``."""

    model = TierChange
    serializer_class = TierChangeOutputSerializer
    filterset_class = TierChangeFilter
    pagination_class = ChangedCursorPagination
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset()

    def scoped_queryset(self):
        return (
            TierChange.objects.filter(tenant=self.tenant)
            .select_related("partner", "from_tier", "to_tier", "changed_by")
            .order_by("-changed_at", "-id")
        )


class TierProposalFilter(django_filters.FilterSet):
    partner = django_filters.UUIDFilter(field_name="partner__public_id", label="The partner's id")
    tier = django_filters.UUIDFilter(field_name="eligible_tier__public_id", label="The proposed tier's id")

    class Meta:
        model = TierEvaluation
        fields = ["partner", "tier"]


class EvaluatedCursorPagination(CreatedCursorPagination):
    ordering = ("-evaluated_at", "-id")


class TierProposalViewSet(mixins.ListModelMixin, TenantViewSet):
    """Tier changes the evaluation proposes (when the program does not apply them itself), by partner id."""

    model = TierEvaluation
    serializer_class = TierProposalOutputSerializer
    filterset_class = TierProposalFilter
    ordering_fields = ["evaluated_at"]
    pagination_class = EvaluatedCursorPagination
    lookup_field = "partner__public_id"
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return tiers.pending_proposals(tenant=self.tenant).order_by("-evaluated_at", "-id")

    @extend_schema(request=None, responses={200: TierChangeOutputSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        """Apply the proposal: the partner moves to the proposed tier; answers with the recorded change."""
        proposal = self.get_object()
        change = tiers.tier_proposal_approve(tenant=self.tenant, actor=self.actor, partner=proposal.partner)
        return Response(TierChangeOutputSerializer(change).data)

    @extend_schema(request=TierReasonInputSerializer, responses={200: TierStandingOutputSerializer}, examples=[REASON_EXAMPLE])
    @action(detail=True, methods=["post"])
    def decline(self, request, *args, **kwargs):
        """Decline the proposal: the partner keeps its tier; answers with the partner's standing (``proposal``: ``declined``).

        ``reason`` is required. The evaluation does not propose the same tier again while the
        partner's figures stay the same; when any figure changes, it proposes afresh.
        """
        proposal = self.get_object()
        payload = TierReasonInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        tiers.tier_proposal_decline(
            tenant=self.tenant, actor=self.actor, partner=proposal.partner, reason=payload.validated_data["reason"]
        )
        return standing_response(
            tenant=self.tenant, partner=partners_with_evaluation(tenant=self.tenant).get(pk=proposal.partner_id)
        )


class TierStandingViewSet(mixins.RetrieveModelMixin, TenantViewSet):
    """One partner's standing, by partner id: its tier, the tier it qualifies for, what the next one needs."""

    model = PartnerOrganization
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return partners_with_evaluation(tenant=self.tenant)

    @extend_schema(responses={200: TierStandingOutputSerializer})
    def retrieve(self, request, *args, **kwargs):
        return standing_response(tenant=self.tenant, partner=self.get_object())

    @extend_schema(
        request=TierOverrideInputSerializer,
        responses={200: TierStandingOutputSerializer},
        examples=[
            OpenApiExample(
                "Hold at Gold",
                value={
                    "tier": "4c1b8a52-0c44-4b7e-9d51-0a3f6a0f2e11",
                    "reason": "Strategic launch partner",
                    "until": "2026-12-31",
                },
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def override(self, request, *args, **kwargs):
        """Set the partner's tier by hand until ``until``; the evaluation leaves it alone till then. Recorded as a change."""
        partner = self.get_object()
        actor = self.actor
        payload = TierOverrideInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        tier_id = payload.validated_data["tier"]
        tier = Tier.objects.filter(tenant=self.tenant, public_id=tier_id).first() if tier_id else None
        if tier_id and tier is None:  # another program's tier is as unknown as a made-up one
            raise ApplicationError(_("Choose a tier of this program."), code="invalid_choice", field="tier")
        tiers.tier_override(
            tenant=self.tenant,
            actor=actor,
            partner=partner,
            tier=tier,
            reason=payload.validated_data["reason"],
            until=payload.validated_data["until"],
        )
        return standing_response(tenant=self.tenant, partner=self.get_object())

    @extend_schema(request=TierReasonInputSerializer, responses={200: TierStandingOutputSerializer}, examples=[REASON_EXAMPLE])
    @action(detail=True, methods=["post"], url_path="override/clear", url_name="override-clear")
    def override_clear(self, request, *args, **kwargs):
        """End the override today. The partner keeps its tier until the next evaluation, which then applies or
        proposes a change as for any partner. ``reason`` is required; with no override in force: 409 ``no_override``.
        """
        partner = self.get_object()
        payload = TierReasonInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        tiers.tier_override_clear(tenant=self.tenant, actor=self.actor, partner=partner, reason=payload.validated_data["reason"])
        return standing_response(tenant=self.tenant, partner=self.get_object())


class TierPolicyViewSet(TenantViewSet):
    """``tier-policy/``: how the nightly evaluation acts (apply or propose; the grace before a downgrade). One object, no id."""

    model = TierPolicy
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return TierPolicy.objects.filter(tenant=self.tenant)

    @extend_schema(responses={200: TierPolicySerializer}, operation_id="tier_policy_retrieve")
    def retrieve(self, request, *args, **kwargs):
        """The policy; a program that never saved one has the defaults (propose, 60 days of grace)."""
        policy = self.get_queryset().first() or TierPolicy(tenant=self.tenant)
        return Response(TierPolicySerializer(policy).data)

    @extend_schema(
        request=TierPolicySerializer,
        responses={200: TierPolicySerializer},
        operation_id="tier_policy_update",
        examples=[OpenApiExample("Apply changes", value={"auto_apply": True, "downgrade_grace_days": 30}, request_only=True)],
    )
    def update(self, request, *args, **kwargs):
        """Replace the policy (both fields); it applies from the next evaluation."""
        payload = TierPolicySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        policy = tiers.tier_policy_save(tenant=self.tenant, actor=self.actor, **payload.validated_data)
        return Response(TierPolicySerializer(policy).data)


class MyTierViewSet(TenantViewSet):
    """``my-tier/``: a partner user's own tier, its benefits, what the next tier needs, and the ladder."""

    model = TierEvaluation
    read_roles = frozenset(PARTNER_ROLES)
    write_roles = frozenset()

    def scoped_queryset(self):
        return TierEvaluation.objects.filter(tenant=self.tenant, partner_id=self.caller_partner_id)

    @extend_schema(responses={200: MyTierStandingSerializer}, operation_id="my_tier_retrieve")
    def retrieve(self, request, *args, **kwargs):
        if self.caller_partner_id is None:  # an API key: it acts for the vendor, which has no tier
            raise NotFoundError()
        partner = self.membership.partner
        standing = tiers.tier_standing(tenant=self.tenant, partner=partner)
        ladder = tiers.Ladder.load(self.tenant).tiers
        reserved = tier_content_counts(tenant=self.tenant, partner_type=partner.partner_type)
        rank = standing.tier.rank if standing.tier else None
        body = {
            "tier": standing.tier,
            "next_tier": standing.next_tier,
            "missing": missing_rules(standing),
            "facts": standing.facts,
            "evaluated_at": standing.evaluated_at,
            "content_opened": sum(reserved.get(t.pk, 0) for t in ladder if rank is not None and t.rank <= rank),
            "content_next": reserved.get(standing.next_tier.pk, 0) if standing.next_tier else 0,
            "ladder": ladder,
        }
        return Response(MyTierStandingSerializer(body).data)
