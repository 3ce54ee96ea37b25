"""The program's people in the API, as the portal's team pages: ``members/`` and ``invitations/``.

Staff read every membership (filters ``role``, ``partner``, ``staff``, ``is_active``); partner users read
their own organisation's. ``invitations/`` lists the pending ones, invites (``Idempotency-Key`` honoured)
and ``revoke/``s; ``members/<id>/deactivate/`` removes access. Who may manage whom is decided by
:mod:`ecosystem.accounts.services`, exactly as for the portal: owners anyone, partner managers partner users,
partner admins their own team. Signed-in people only: an API key gets ``403 api_key_forbidden``, since a key
that could invite an owner would outlive its own revocation.
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ecosystem.accounts import selectors, services
from ecosystem.accounts.models import PARTNER_ROLES, STAFF_ROLES, Invitation, Membership, Role
from ecosystem.api.idempotency import idempotent
from ecosystem.api.pagination import CreatedCursorPagination
from ecosystem.api.permissions import PeopleOnly
from ecosystem.api.views import TenantViewSet
from partners.selectors import access_partner

_EVERYONE = frozenset(STAFF_ROLES | PARTNER_ROLES)
_MANAGERS = frozenset({Role.OWNER, Role.PARTNER_MANAGER, Role.PARTNER_ADMIN})


class MemberOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    partner = serializers.UUIDField(source="partner.public_id", allow_null=True, read_only=True, default=None)

    class Meta:
        model = Membership
        fields = ["id", "email", "role", "partner", "is_active", "created_at"]


class InvitationOutputSerializer(serializers.ModelSerializer):
    """Never the token: it travels in the invitation email only."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    partner = serializers.UUIDField(source="partner.public_id", allow_null=True, read_only=True, default=None)

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "partner", "created_at", "expires_at"]


class InvitationInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)
    partner = serializers.UUIDField(
        required=False, allow_null=True, help_text="The partner organisation, for partner roles (staff callers only)."
    )


class MemberFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)
    partner = django_filters.UUIDFilter(field_name="partner__public_id", label="The partner's id")
    staff = django_filters.BooleanFilter(field_name="partner", lookup_expr="isnull", label="Vendor staff only (true)")
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Membership
        fields = ["role", "partner", "staff", "is_active"]


class InvitationFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)
    partner = django_filters.UUIDFilter(field_name="partner__public_id", label="The partner's id")

    class Meta:
        model = Invitation
        fields = ["role", "partner"]


_MEMBER = {
    "id": "3f6c8a52-1c1e-4b7a-9d0a-5b2f1e7c4d21",
    "email": "sam.lee@northwind.example",
    "role": "partner_rep",
    "partner": "6f1c2e4a-8b1d-4c3e-9f2a-1d5b7e9c0a11",
    "is_active": True,
    "created_at": "2026-03-02T09:30:00Z",
}
_INVITATION = {
    "id": "0b7e5d2c-3a4f-4e6b-8c1d-2f9a6b3e7d22",
    "email": "alex.morgan@northwind.example",
    "role": "partner_admin",
    "partner": "6f1c2e4a-8b1d-4c3e-9f2a-1d5b7e9c0a11",
    "created_at": "2026-03-02T09:30:00Z",
    "expires_at": "2026-03-16T09:30:00Z",
}


@extend_schema_view(
    list=extend_schema(examples=[OpenApiExample("A partner rep", value=_MEMBER, response_only=True)]),
    retrieve=extend_schema(examples=[OpenApiExample("A partner rep", value=_MEMBER, response_only=True)]),
)
class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The program's memberships, newest first: every one for staff, their own organisation's for partner users."""

    model = Membership
    serializer_class = MemberOutputSerializer
    filterset_class = MemberFilter
    ordering_fields = ["created_at"]
    pagination_class = CreatedCursorPagination
    permission_classes = [permissions.IsAuthenticated, PeopleOnly]
    read_roles = _EVERYONE
    write_roles = _MANAGERS

    def scoped_queryset(self) -> QuerySet:
        memberships = Membership.objects.filter(tenant=self.tenant).select_related("user", "partner")
        if self.caller_partner_id is not None:
            memberships = memberships.filter(partner_id=self.caller_partner_id)
        return memberships

    @extend_schema(
        request=None,
        responses={200: MemberOutputSerializer},
        examples=[OpenApiExample("Deactivated", value={**_MEMBER, "is_active": False}, response_only=True)],
    )
    @action(detail=True, methods=["post"])
    def deactivate(self, request, *args, **kwargs):
        """Remove the person's access to this program at once. ``400 role_forbidden`` when your role may not
        manage theirs; ``400 self_removal``; ``400 last_owner``."""
        membership = services.membership_deactivate(
            tenant=self.tenant, actor=request.user, inviter=self.membership, membership=self.get_object()
        )
        return Response(MemberOutputSerializer(membership).data)


@extend_schema_view(list=extend_schema(examples=[OpenApiExample("Pending", value=_INVITATION, response_only=True)]))
class InvitationViewSet(mixins.ListModelMixin, TenantViewSet):
    """Pending invitations, newest first: every one for staff, their own organisation's for partner users."""

    model = Invitation
    serializer_class = InvitationOutputSerializer
    filterset_class = InvitationFilter
    ordering_fields = ["created_at"]
    pagination_class = CreatedCursorPagination
    permission_classes = [permissions.IsAuthenticated, PeopleOnly]
    read_roles = _EVERYONE
    write_roles = _MANAGERS

    def scoped_queryset(self) -> QuerySet:
        return selectors.pending_invitations(tenant=self.tenant, partner_id=self.caller_partner_id).select_related("partner")

    @extend_schema(
        request=InvitationInputSerializer,
        responses={201: InvitationOutputSerializer},
        examples=[
            OpenApiExample(
                "A partner admin",
                value={"email": "alex.morgan@northwind.example", "role": "partner_admin", "partner": _MEMBER["partner"]},
                request_only=True,
            ),
            OpenApiExample("Sent", value=_INVITATION, response_only=True, status_codes=["201"]),
        ],
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        """Invite a person; the email carries the link. A pending invitation to the same address is replaced.
        Partner users invite to their own organisation (``partner`` is theirs). ``400 role_forbidden`` when
        your role may not invite this role; ``400 partner_required`` / ``partner_forbidden``."""
        payload = InvitationInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if self.caller_partner_id is not None:
            partner = self.membership.partner
        elif data.get("partner"):
            partner = access_partner(tenant=self.tenant, public_id=data["partner"])
        else:
            partner = None
        issued = services.invitation_create(
            tenant=self.tenant,
            actor=request.user,
            inviter=self.membership,
            email=data["email"],
            role=data["role"],
            partner=partner,
        )
        return Response(InvitationOutputSerializer(issued.invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: InvitationOutputSerializer},
        examples=[OpenApiExample("Withdrawn", value=_INVITATION, response_only=True)],
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, *args, **kwargs):
        """Withdraw a pending invitation: its link stops working. ``400 role_forbidden`` as for inviting."""
        invitation = services.invitation_revoke(
            tenant=self.tenant, actor=request.user, inviter=self.membership, invitation=self.get_object()
        )
        return Response(InvitationOutputSerializer(invitation).data)
