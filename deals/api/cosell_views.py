"""Co-selling in the API.

Partner users: ``cosell-invitations/`` (their open invitations; ``accept`` and ``decline``, partner
admins only), ``cosell-deals/`` (the deals they co-sell, in the restricted shape of
:class:`~deals.cosell.CoSellDeal`: never the value, notes, contacts, conflicts or decisions of the
registering partner) and ``deal-teams/<registration>/`` for their own registrations (the team,
``invite``, ``remove``). Staff and API keys: ``deal-teams/<registration>/`` for any registration
(the team with its history, ``assign``, ``remove``).

Every action calls ``deals.cosell``, the same functions as the portal pages (``deals.cosell_views``).
The object in the URL is always found first, so another tenant's or another partner's id is
"not found" for every caller before any role rule speaks.
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from deals import cosell
from deals.models import CoSellRole, DealParticipant, DealRegistration, DealStage, ParticipantStatus
from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES, Role
from ecosystem.api.views import TenantViewSet
from ecosystem.errors import ApplicationError

_EVERYONE = frozenset(STAFF_ROLES | PARTNER_ROLES)
# Roles are plain strings in the schema (the services check them): one enum per field name would
# collide with the membership "role" in the generated schema.
ROLE_HELP = "sourcing (the registering partner), influencing, implementation, referral or distribution."
INVITE_ROLE_HELP = "influencing, implementation, referral or distribution."


# --- serializers (shapes only; the rules are the services') ----------------------------------------


class TeamMemberOutputSerializer(serializers.Serializer):
    participant = serializers.UUIDField(source="participant_id", allow_null=True, help_text="Null until a team forms.")
    partner_name = serializers.CharField()
    partner_type = serializers.CharField()
    role = serializers.CharField(help_text=ROLE_HELP)
    status = serializers.CharField(help_text="invited, accepted, declined or removed.")
    is_registering = serializers.BooleanField(help_text="The partner that registered the deal (role sourcing).")


class CoSellInvitationOutputSerializer(serializers.Serializer):
    """An open invitation: what the deal is and who asks. Nothing of the registering partner's own."""

    id = serializers.UUIDField(source="participant_id")
    registration = serializers.UUIDField(source="registration_id")
    customer_name = serializers.CharField()
    product_lines = serializers.ListField(child=serializers.CharField())
    expected_close_date = serializers.DateField()
    role = serializers.CharField(source="my_role", help_text=ROLE_HELP)
    invited_by_partner = serializers.CharField(help_text="The inviting partner's name (the program's, for a manager).")
    message = serializers.CharField()
    invited_at = serializers.DateTimeField()


class CoSellDealOutputSerializer(serializers.Serializer):
    """A deal the caller co-sells: customer, stage, expected close, product lines, solution, team, its role."""

    id = serializers.UUIDField(source="registration_id")
    customer_name = serializers.CharField()
    product_lines = serializers.ListField(child=serializers.CharField())
    expected_close_date = serializers.DateField()
    stage = serializers.CharField()
    solution = serializers.CharField()
    role = serializers.CharField(source="my_role", help_text=ROLE_HELP)
    team = TeamMemberOutputSerializer(many=True)


class CoSellDealListOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="registration.public_id")
    customer_name = serializers.CharField(source="registration.customer_name")
    stage = serializers.CharField(source="registration.stage")
    expected_close_date = serializers.DateField(source="registration.expected_close_date")
    product_lines = serializers.ListField(source="registration.product_lines", child=serializers.CharField())
    role = serializers.CharField(help_text=ROLE_HELP)


class DealTeamOutputSerializer(serializers.Serializer):
    registration = serializers.UUIDField()
    customer_name = serializers.CharField()
    status = serializers.CharField()
    team = TeamMemberOutputSerializer(many=True)


class InviteInputSerializer(serializers.Serializer):
    partner = serializers.UUIDField(help_text="An active partner of the program (see the partner list in the portal).")
    role = serializers.CharField(max_length=20, help_text=INVITE_ROLE_HELP)
    message = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AssignInputSerializer(serializers.Serializer):
    partner = serializers.UUIDField()
    role = serializers.CharField(max_length=20, help_text=INVITE_ROLE_HELP)


class RemoveInputSerializer(serializers.Serializer):
    participant = serializers.UUIDField(help_text="The participant's id, from the team.")
    reason = serializers.CharField(max_length=300)


class InvitedCursorPagination(CursorPagination):
    ordering = ("-invited_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200


def _partner_only(caller_partner_id: int | None) -> int:
    if caller_partner_id is None:
        raise exceptions.PermissionDenied(
            code="partner_only", detail="Only a partner's own users co-sell. Staff and API keys use deal-teams/."
        )
    return caller_partner_id


# --- partner side ----------------------------------------------------------------------------------


class CoSellInvitationViewSet(TenantViewSet):
    """The caller's open co-sell invitations; a partner admin accepts or declines one."""

    model = DealParticipant
    read_roles = _EVERYONE
    write_roles = _EVERYONE  # staff reach the lookup (404 for any id) rather than a bare role error
    pagination_class = None  # open invitations of one partner: a handful

    def scoped_queryset(self) -> QuerySet:
        if self.caller_partner_id is None:
            return DealParticipant.objects.none()
        return DealParticipant.objects.filter(
            tenant=self.tenant, partner_id=self.caller_partner_id, status=ParticipantStatus.INVITED
        )

    @extend_schema(responses={200: CoSellInvitationOutputSerializer(many=True)})
    def list(self, request, *args, **kwargs):
        """Open invitations, newest first."""
        partner_id = _partner_only(self.caller_partner_id)
        found = cosell.invitations_for_partner(tenant=self.tenant, partner_id=partner_id)
        return Response(CoSellInvitationOutputSerializer(found, many=True).data)

    def _answer(self, *, accept: bool) -> Response:
        participant = self.get_object()
        partner_id = _partner_only(self.caller_partner_id)
        if self.membership.role != Role.PARTNER_ADMIN:
            raise exceptions.PermissionDenied(code="role_forbidden", detail="Your partner admin answers invitations.")
        answered = cosell.cosell_respond(
            tenant=self.tenant, actor=self.actor, partner_id=partner_id, participant=participant, accept=accept
        )
        if accept:
            deal = cosell.access_cosell_deal(
                tenant=self.tenant, registration_id=answered.registration.public_id, partner_id=partner_id
            )
            return Response(CoSellDealOutputSerializer(deal).data)
        return Response(status=204)

    @extend_schema(request=None, responses={200: CoSellDealOutputSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, *args, **kwargs):
        """Join the team; answers with the co-sell deal."""
        return self._answer(accept=True)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def decline(self, request, *args, **kwargs):
        """Decline: the caller sees nothing more of the deal."""
        return self._answer(accept=False)


class CoSellDealFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=CoSellRole.choices, help_text="The caller's role on the deal.")
    stage = django_filters.ChoiceFilter(field_name="registration__stage", choices=DealStage.choices)

    class Meta:
        model = DealParticipant
        fields = ["role", "stage"]


class CoSellDealViewSet(TenantViewSet):
    """The deals the caller's organisation co-sells (accepted, other partners' registrations)."""

    model = DealParticipant
    read_roles = _EVERYONE
    write_roles = frozenset()
    pagination_class = InvitedCursorPagination
    filterset_class = CoSellDealFilter
    ordering_fields = ["invited_at"]

    def scoped_queryset(self) -> QuerySet:
        return cosell.cosell_deals_for_partner(tenant=self.tenant, partner_id=_partner_only(self.caller_partner_id))

    @extend_schema(responses={200: CoSellDealListOutputSerializer(many=True)})
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(CoSellDealListOutputSerializer(page, many=True).data)

    @extend_schema(responses={200: CoSellDealOutputSerializer})
    def retrieve(self, request, *args, **kwargs):
        """One co-sell deal by its registration id: customer, stage, expected close, product lines, solution, team."""
        if self.caller_partner_id is None:
            raise exceptions.NotFound()  # staff read teams at deal-teams/
        deal = cosell.access_cosell_deal(
            tenant=self.tenant, registration_id=self.kwargs["public_id"], partner_id=self.caller_partner_id
        )
        return Response(CoSellDealOutputSerializer(deal).data)


# --- a registration's team -------------------------------------------------------------------------


class DealTeamViewSet(TenantViewSet):
    """The co-sell team of a registration, by the registration's id.

    Staff and API keys: any registration of the tenant (``assign`` and ``remove`` need a partner
    manager or owner, or a key that may write). Partner users: only registrations their
    organisation registered (``invite``; ``remove`` for partner admins).
    """

    model = DealRegistration
    read_roles = _EVERYONE
    write_roles = frozenset(PARTNER_EDITOR_ROLES | PARTNER_ROLES)

    def scoped_queryset(self) -> QuerySet:
        queryset = DealRegistration.objects.filter(tenant=self.tenant)
        if self.caller_partner_id is not None:
            queryset = queryset.filter(partner_id=self.caller_partner_id)
        return queryset

    def _team(self, registration: DealRegistration) -> Response:
        registration.refresh_from_db(fields=["status", "team_partner_ids"])
        body = {
            "registration": registration.public_id,
            "customer_name": registration.customer_name,
            "status": registration.status,
            "team": cosell.cosell_team(
                tenant=self.tenant,
                registration=registration,
                partner_id=self.caller_partner_id,
                history=self.caller_partner_id is None,
            ),
        }
        return Response(DealTeamOutputSerializer(body).data)

    @extend_schema(responses={200: DealTeamOutputSerializer})
    def retrieve(self, request, *args, **kwargs):
        """The team (staff: with declined and removed partners, as history)."""
        return self._team(self.get_object())

    @extend_schema(
        request=InviteInputSerializer,
        responses={200: DealTeamOutputSerializer},
        examples=[
            OpenApiExample(
                "Invite",
                value={
                    "partner": "6f1c2e4a-8b1d-4c3e-9f2a-1d5b7e9c0a11",
                    "role": "implementation",
                    "message": "Can you deliver?",
                },
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def invite(self, request, *args, **kwargs):
        """The registering partner invites an active partner of the program; it accepts or declines."""
        registration = self.get_object()
        partner_id = _partner_only(self.caller_partner_id)
        payload = InviteInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        invitee = cosell.invitable_partner(tenant=self.tenant, public_id=payload.validated_data["partner"])
        cosell.cosell_invite(
            tenant=self.tenant,
            actor=self.actor,
            partner_id=partner_id,
            registration=registration,
            invitee=invitee,
            role=payload.validated_data["role"],
            message=payload.validated_data["message"],
        )
        return self._team(registration)

    @extend_schema(request=AssignInputSerializer, responses={200: DealTeamOutputSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request, *args, **kwargs):
        """A manager puts a partner on the team directly (accepted at once)."""
        registration = self.get_object()
        if self.caller_partner_id is not None:
            raise exceptions.PermissionDenied(code="staff_only", detail="Partners invite; managers assign.")
        payload = AssignInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        partner = cosell.invitable_partner(tenant=self.tenant, public_id=payload.validated_data["partner"])
        cosell.cosell_assign(
            tenant=self.tenant, actor=self.actor, registration=registration, partner=partner, role=payload.validated_data["role"]
        )
        return self._team(registration)

    @extend_schema(request=None, responses={200: DealTeamOutputSerializer})
    @action(detail=True, methods=["post"], url_path="solution-team", url_name="solution-team")
    def solution_team(self, request, *args, **kwargs):
        """A manager brings the registration's joint solution's partners onto the team (the portal's button on
        the registration page; submission does it by itself for a registration active at once). Joining again
        changes nothing. ``400 not_eligible`` unless the registration is active and names a joint solution."""
        from deals.registrations import solution_team_join

        registration = self.get_object()
        if self.caller_partner_id is not None:
            raise exceptions.PermissionDenied(code="staff_only", detail="The vendor's managers bring a solution's team on.")
        if not registration.is_active or registration.joint_solution_id is None:
            raise ApplicationError(
                _("Only an active registration for a joint solution can bring the solution's partners on."),
                code="not_eligible",
            )
        solution_team_join(tenant=self.tenant, actor=self.actor, registration=registration)
        return self._team(registration)

    @extend_schema(request=RemoveInputSerializer, responses={200: DealTeamOutputSerializer})
    @action(detail=True, methods=["post"])
    def remove(self, request, *args, **kwargs):
        """Take a partner off the team, or withdraw its open invitation (a reason is required)."""
        registration = self.get_object()
        if self.caller_partner_id is not None and self.membership.role != Role.PARTNER_ADMIN:
            raise exceptions.PermissionDenied(code="role_forbidden", detail="Your partner admin changes the team.")
        payload = RemoveInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        participant = cosell.access_participant(
            tenant=self.tenant, registration=registration, participant_id=payload.validated_data["participant"]
        )
        cosell.cosell_remove(
            tenant=self.tenant,
            actor=self.actor,
            participant=participant,
            reason=payload.validated_data["reason"],
            partner_id=self.caller_partner_id,
        )
        return self._team(registration)
