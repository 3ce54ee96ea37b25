"""``audit-log/``: the program's audit log, as the portal's audit page (tenant owners, and API keys).

Newest first, cursor-paginated; the portal's filters: ``action`` (starts with), ``who`` (email or API key
contains), ``object_type``, ``since`` and ``until`` (days, inclusive, in the program's time zone). Read-only:
the log is append-only. Entries have no public id (nothing addresses one entry), so there is no detail route.
"""

from __future__ import annotations

import datetime

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from ecosystem.accounts.models import Role
from ecosystem.api.pagination import CreatedCursorPagination
from ecosystem.api.views import TenantViewSet

from ..models import AuditEntry

OWNERS = frozenset({Role.OWNER})


class AuditEntryOutputSerializer(serializers.ModelSerializer):
    who = serializers.CharField(source="actor_label", help_text="The person's email, or API key <name> (<prefix>).")

    class Meta:
        model = AuditEntry
        fields = ["created_at", "who", "action", "object_type", "object_id", "object_repr", "changes", "via", "ip", "request_id"]


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


class AuditEntryFilter(django_filters.FilterSet):
    """The portal's audit filters (``ecosystem.portal.forms.AuditFilterForm``), as query parameters."""

    action = django_filters.CharFilter(lookup_expr="startswith", label="Action starts with", max_length=80)
    who = django_filters.CharFilter(field_name="actor_label", lookup_expr="icontains", label="Email or API key contains")
    object_type = django_filters.CharFilter(method="filter_object_type", label="Object type", max_length=80)
    since = django_filters.DateFilter(method="filter_since", label="From this day")
    until = django_filters.DateFilter(method="filter_until", label="To this day (inclusive)")

    class Meta:
        model = AuditEntry
        fields = ["action", "who", "object_type", "since", "until"]

    def filter_object_type(self, queryset, name, value):
        return queryset.filter(object_type=value.strip().lower())

    def filter_since(self, queryset, name, value):
        return queryset.filter(created_at__gte=_start_of(value))

    def filter_until(self, queryset, name, value):
        return queryset.filter(created_at__lt=_start_of(value + datetime.timedelta(days=1)))


_ENTRY = {
    "created_at": "2026-03-02T09:30:00Z",
    "who": "owner@acme.example",
    "action": "partner.retire",
    "object_type": "partnerorganization",
    "object_id": "3f6c8a52-1c1e-4b7a-9d0a-5b2f1e7c4d21",
    "object_repr": "Northwind Traders",
    "changes": {"status": ["active", "retired"], "reason": "Contract ended"},
    "via": "portal",
    "ip": "203.0.113.7",
    "request_id": "b1946ac92492d2347c6235b4d2611184",
}


@extend_schema_view(list=extend_schema(examples=[OpenApiExample("A retirement", value=_ENTRY, response_only=True)]))
class AuditLogViewSet(mixins.ListModelMixin, TenantViewSet):
    """Every change and sign-in of the program, newest first. Owners and API keys; read-only."""

    model = AuditEntry
    serializer_class = AuditEntryOutputSerializer
    filterset_class = AuditEntryFilter
    ordering_fields = ["created_at"]
    pagination_class = CreatedCursorPagination
    read_roles = OWNERS
    write_roles = frozenset()

    def scoped_queryset(self) -> QuerySet:
        return AuditEntry.objects.filter(tenant=self.tenant).order_by("-created_at", "-id")
