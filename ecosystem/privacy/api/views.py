"""Personal data in the API, as the portal's privacy pages.

Owners: ``privacy-people/`` (every member, current and removed; erased people only by their pseudonym),
``privacy-people/<id>/`` (what the program holds about them, counted), ``export/`` (the same JSON file the
portal downloads, audited ``privacy.export``) and ``erase/`` (``privacy.erase``: type their address to
confirm), and ``privacy-retention/`` (how long engagement events are kept). Everyone, staff and partner
users: ``my-data/`` and ``my-data/export/``, the caller's own data in this program.

Every call goes through :mod:`ecosystem.privacy.selectors` and :mod:`ecosystem.privacy.services`, with the
portal's roles. Signed-in people only: an API key gets ``403 api_key_forbidden``, since a key that could
download or erase anyone's personal data is too much for one leaked secret (and an export or erasure names
the person who asked for it).
"""

from __future__ import annotations

import datetime

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_ROLES, STAFF_ROLES, Membership, Role
from ecosystem.api.pagination import CreatedCursorPagination
from ecosystem.api.permissions import PeopleOnly
from ecosystem.api.views import TenantViewSet

from .. import selectors, services
from ..models import RETENTION_MAX_DAYS, RETENTION_MIN_DAYS, PrivacySettings

OWNERS = frozenset({Role.OWNER})
_EVERYONE = frozenset(STAFF_ROLES | PARTNER_ROLES)


# --- serializers ------------------------------------------------------------------------------------


class PrivacyPersonSerializer(serializers.ModelSerializer):
    """A member as the people page shows them: an erased person only by ``erased_as``."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    email = serializers.SerializerMethodField(help_text="Null once the program erased the person.")
    full_name = serializers.SerializerMethodField(help_text="Null once the program erased the person.")
    erased_as = serializers.CharField(allow_null=True, read_only=True, help_text="The pseudonym, once erased.")
    partner = serializers.UUIDField(source="partner.public_id", allow_null=True, read_only=True, default=None)

    class Meta:
        model = Membership
        fields = ["id", "email", "full_name", "erased_as", "role", "partner", "is_active", "created_at"]

    def get_email(self, member) -> str | None:
        return None if member.erased_as else member.user.email

    def get_full_name(self, member) -> str | None:
        return None if member.erased_as else member.user.full_name


class PrivacyRecordCountSerializer(serializers.Serializer):
    model = serializers.CharField(help_text='The model label; "(by address)" for rows that hold the address as text.')
    rows = serializers.IntegerField()


class PrivacyPersonDetailSerializer(PrivacyPersonSerializer):
    """A member and what the program holds about them: the non-empty sections of their export, counted."""

    records = PrivacyRecordCountSerializer(many=True, read_only=True)

    class Meta(PrivacyPersonSerializer.Meta):
        fields = [*PrivacyPersonSerializer.Meta.fields, "records"]


class MyPersonalDataSerializer(serializers.Serializer):
    """The caller's own data in this program: the profile and the non-empty sections, counted."""

    profile = serializers.DictField(help_text="The account as this program sees it (only ``erased_as`` once erased).")
    records = PrivacyRecordCountSerializer(many=True)


def _counts(data: dict) -> list[dict]:
    return [{"model": label, "rows": rows} for label, rows in selectors.record_counts(data)]


class PrivacyEraseInputSerializer(serializers.Serializer):
    confirm_email = serializers.CharField(max_length=254, help_text="The person's email address, typed to confirm.")


class PrivacyErasedSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The membership's id.")
    erased_as = serializers.CharField(help_text="The pseudonym the program shows from now on.")
    erased_at = serializers.DateTimeField()


class PrivacyRetentionSerializer(serializers.ModelSerializer):
    engagement_retention_days = serializers.IntegerField(min_value=RETENTION_MIN_DAYS, max_value=RETENTION_MAX_DAYS)
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="Null while the defaults apply.")
    cutoff = serializers.SerializerMethodField(help_text="Engagement events before this moment are deleted each night.")

    class Meta:
        model = PrivacySettings
        fields = ["engagement_retention_days", "updated_at", "cutoff"]

    def get_cutoff(self, row) -> datetime.datetime:
        return timezone.now() - datetime.timedelta(days=row.engagement_retention_days)


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name or email (erased people: their pseudonym)", max_length=100)
    role = django_filters.ChoiceFilter(choices=Role.choices)
    partner = django_filters.UUIDFilter(field_name="partner__public_id", label="The partner's id")
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Membership
        fields = ["q", "role", "partner", "is_active"]

    def search(self, queryset, name, value):
        return selectors.people_search(queryset, query=value)


# --- examples ---------------------------------------------------------------------------------------

_PERSON = {
    "id": "3f6c8a52-1c1e-4b7a-9d0a-5b2f1e7c4d21",
    "email": "sam.lee@northwind.example",
    "full_name": "Sam Lee",
    "erased_as": None,
    "role": "partner_rep",
    "partner": "6f1c2e4a-8b1d-4c3e-9f2a-1d5b7e9c0a11",
    "is_active": True,
    "created_at": "2026-03-02T09:30:00Z",
}
_ERASED = {**_PERSON, "email": None, "full_name": None, "erased_as": "Erased person #42", "is_active": False}
_RECORDS = [{"model": "deals.dealregistration", "rows": 3}, {"model": "onboarding.application (by address)", "rows": 1}]
_PROFILE = {
    "public_id": "9a1d3c5e-7b2f-4e8a-9c0d-1e2f3a4b5c6d",
    "email": "sam.lee@northwind.example",
    "full_name": "Sam Lee",
    "date_joined": "2026-01-12T08:00:00Z",
    "last_login": "2026-03-02T09:30:00Z",
    "is_active": True,
}
_EXPORT = {
    "format": 1,
    "generated_at": "2026-03-02T09:30:00Z",
    "program": {"name": "Contoso Partner Program", "slug": "contoso"},
    "profile": _PROFILE,
    "records": {"deals.dealregistration": [{"public_id": "0b7e5d2c-3a4f-4e6b-8c1d-2f9a6b3e7d22", "person_is": ["submitted_by"]}]},
    "by_email": {"onboarding.application": []},
}
_EXPORT_RESPONSE = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="Everything the program holds about the person, as the portal's download: format, generated_at, "
    "program, profile, records (rows per model, with ``person_is``) and by_email (rows holding the address as text).",
)
_RETENTION = {"engagement_retention_days": 730, "updated_at": "2026-03-02T09:30:00Z", "cutoff": "2024-03-02T09:30:00Z"}


# --- owners: people, one person's data, erasure, retention ------------------------------------------


@extend_schema_view(
    list=extend_schema(
        examples=[
            OpenApiExample("A partner rep", value=_PERSON, response_only=True),
            OpenApiExample("Erased", value=_ERASED, response_only=True),
        ]
    ),
    retrieve=extend_schema(
        responses={200: PrivacyPersonDetailSerializer},
        examples=[OpenApiExample("A partner rep", value={**_PERSON, "records": _RECORDS}, response_only=True)],
    ),
)
class PersonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Every member of the program, staff and partner users, current and removed, newest first (owners)."""

    model = Membership
    serializer_class = PrivacyPersonSerializer
    filterset_class = PersonFilter
    ordering_fields = ["created_at"]
    pagination_class = CreatedCursorPagination
    permission_classes = [permissions.IsAuthenticated, PeopleOnly]
    read_roles = OWNERS
    write_roles = OWNERS

    def scoped_queryset(self) -> QuerySet:
        return selectors.people_list(tenant=self.tenant)

    def retrieve(self, request, *args, **kwargs):
        """The member and what the program holds about them, counted per model (one query per model)."""
        member = self.get_object()
        member.records = _counts(selectors.person_data(tenant=self.tenant, user=member.user))
        return Response(PrivacyPersonDetailSerializer(member).data)

    @extend_schema(
        request=None,
        responses={200: _EXPORT_RESPONSE},
        examples=[OpenApiExample("A partner rep's data", value=_EXPORT, response_only=True)],
    )
    @action(detail=True, methods=["post"])
    def export(self, request, *args, **kwargs):
        """Everything the program holds about the person, as JSON (audited ``privacy.export``: whose, how many rows)."""
        member = self.get_object()
        return Response(services.person_data_export(tenant=self.tenant, actor=request.user, user=member.user))

    @extend_schema(
        request=PrivacyEraseInputSerializer,
        responses={200: PrivacyErasedSerializer},
        examples=[
            OpenApiExample("Confirm", value={"confirm_email": "sam.lee@northwind.example"}, request_only=True),
            OpenApiExample(
                "Erased",
                value={"id": _PERSON["id"], "erased_as": "Erased person #42", "erased_at": "2026-03-02T09:30:00Z"},
                response_only=True,
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def erase(self, request, *args, **kwargs):
        """Erase the person from the program: their access ends, what must remain is pseudonymised (audited
        ``privacy.erase``). Cannot be undone. ``400 confirmation_mismatch`` unless ``confirm_email`` is their
        address; ``400 self_erasure``; ``400 last_owner``; ``400 already_erased``."""
        member = self.get_object()
        payload = PrivacyEraseInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        erased = services.person_erase(
            tenant=self.tenant,
            actor=request.user,
            actor_membership=self.membership,
            membership=member,
            confirm_email=payload.validated_data["confirm_email"],
        )
        return Response({"id": str(member.public_id), "erased_as": erased.label, "erased_at": erased.erased_at})


class RetentionViewSet(TenantViewSet):
    """``privacy-retention/``: how long the program keeps engagement events (one object, owners)."""

    model = PrivacySettings
    serializer_class = PrivacyRetentionSerializer
    permission_classes = [permissions.IsAuthenticated, PeopleOnly]
    read_roles = OWNERS
    write_roles = OWNERS

    def scoped_queryset(self) -> QuerySet:
        return PrivacySettings.objects.filter(tenant=self.tenant)

    @extend_schema(
        operation_id="privacy_retention_retrieve",
        responses={200: PrivacyRetentionSerializer},
        examples=[OpenApiExample("Two years", value=_RETENTION, response_only=True)],
    )
    def retrieve(self, request, *args, **kwargs):
        """The retention period (the default, ``updated_at`` null, until an owner saves one)."""
        return Response(PrivacyRetentionSerializer(selectors.privacy_settings(tenant=self.tenant)).data)

    @extend_schema(
        operation_id="privacy_retention_update",
        request=PrivacyRetentionSerializer,
        responses={200: PrivacyRetentionSerializer},
        examples=[
            OpenApiExample("One year", value={"engagement_retention_days": 365}, request_only=True),
            OpenApiExample(
                "Saved",
                value={**_RETENTION, "engagement_retention_days": 365, "cutoff": "2025-03-02T09:30:00Z"},
                response_only=True,
            ),
        ],
    )
    def update(self, request, *args, **kwargs):
        """Set the retention period (audited ``privacy.settings_update`` with old and new). The nightly purge
        deletes older engagement events. ``400`` outside the minimum and maximum."""
        payload = PrivacyRetentionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        row = services.privacy_settings_update(
            tenant=self.tenant,
            actor=request.user,
            engagement_retention_days=payload.validated_data["engagement_retention_days"],
        )
        return Response(PrivacyRetentionSerializer(row).data)


# --- everyone: the caller's own data ----------------------------------------------------------------


class MyDataViewSet(TenantViewSet):
    """``my-data/``: the signed-in person's own data in this program (staff and partner users)."""

    model = Membership
    permission_classes = [permissions.IsAuthenticated, PeopleOnly]
    read_roles = _EVERYONE
    write_roles = _EVERYONE

    def scoped_queryset(self) -> QuerySet:
        return Membership.objects.filter(tenant=self.tenant, user=self.request.user)

    @extend_schema(
        operation_id="my_data_retrieve",
        responses={200: MyPersonalDataSerializer},
        examples=[OpenApiExample("Yours", value={"profile": _PROFILE, "records": _RECORDS}, response_only=True)],
    )
    def retrieve(self, request, *args, **kwargs):
        """Your account as this program sees it, and how many rows of each kind name you."""
        data = selectors.own_person_data(tenant=self.tenant, user=request.user)
        return Response(MyPersonalDataSerializer({"profile": data["profile"], "records": _counts(data)}).data)

    @extend_schema(
        operation_id="my_data_export",
        request=None,
        responses={200: _EXPORT_RESPONSE},
        examples=[OpenApiExample("Your data", value=_EXPORT, response_only=True)],
    )
    def export(self, request, *args, **kwargs):
        """Everything this program holds about you, as JSON (audited ``privacy.export``)."""
        return Response(services.person_data_export(tenant=self.tenant, actor=request.user, user=request.user))
