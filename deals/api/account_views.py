"""``customer-accounts/``: the program's customer accounts, as the portal's accounts page.

Staff and API keys read (filters ``q``: the name or domain starts with it, ``region``, ``owner_kind``); owners,
partner managers and write keys add one (``duplicate_domain`` when the domain is another account's). Partner
users get 404: accounts are the vendor's. Each row carries its active registrations and open direct
opportunities, counted in the page's one query (:func:`deals.accounts.account_list`).
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from deals.accounts import account_list, account_search, customer_account_create
from deals.models import AccountOwner, CustomerAccount
from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.api.idempotency import idempotent
from ecosystem.api.pagination import CreatedCursorPagination
from ecosystem.api.views import TenantViewSet
from partners.models import Region


class CustomerAccountOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    active_registrations = serializers.IntegerField(read_only=True, help_text="Registrations under review or approved.")
    open_direct = serializers.IntegerField(read_only=True, help_text="Open direct-sales opportunities.")

    class Meta:
        model = CustomerAccount
        fields = [
            "id",
            "name",
            "domain",
            "industry",
            "region",
            "owner_kind",
            "external_id",
            "active_registrations",
            "open_direct",
            "created_at",
        ]


class CustomerAccountInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    domain = serializers.CharField(max_length=253, required=False, allow_blank=True, default="")
    industry = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    region = serializers.ChoiceField(choices=Region.choices, required=False, allow_blank=True, default="")
    owner_kind = serializers.ChoiceField(choices=AccountOwner.choices, default=AccountOwner.NONE)


class CustomerAccountFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Name or domain starts with")
    region = django_filters.ChoiceFilter(choices=Region.choices)
    owner_kind = django_filters.ChoiceFilter(choices=AccountOwner.choices)

    class Meta:
        model = CustomerAccount
        fields = ["q", "region", "owner_kind"]

    def filter_q(self, queryset, name, value):
        return account_search(queryset, value)


_ACCOUNT = {
    "name": "Contoso GmbH",
    "domain": "contoso.example",
    "industry": "Manufacturing",
    "region": "emea",
    "owner_kind": "none",
}


class CustomerAccountViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The program's customer accounts, newest first (``ordering=name`` for the portal's order)."""

    model = CustomerAccount
    serializer_class = CustomerAccountOutputSerializer
    filterset_class = CustomerAccountFilter
    ordering_fields = ["created_at", "name"]
    pagination_class = CreatedCursorPagination
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self) -> QuerySet:
        return account_list(tenant=self.tenant)

    @extend_schema(
        request=CustomerAccountInputSerializer,
        responses={201: CustomerAccountOutputSerializer},
        examples=[OpenApiExample("A customer in EMEA", value=_ACCOUNT, request_only=True)],
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        """Add an account by hand. ``400 duplicate_domain`` (``attr`` ``domain``) when another account has it."""
        payload = CustomerAccountInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        account = customer_account_create(tenant=self.tenant, actor=self.actor, **payload.validated_data)
        return Response(
            CustomerAccountOutputSerializer(account_list(tenant=self.tenant).get(pk=account.pk)).data,
            status=status.HTTP_201_CREATED,
        )
