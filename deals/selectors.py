"""Reading deal registrations: the managers' queue, one registration with its conflicts, a partner's own list,
and the evidence a partner may see about a decision.

The SLA of a registration waiting for a decision is due at ``submitted_at + approval_sla_hours``
(the program's rules of engagement); it is computed in the query, so "overdue" is a filter, not a
loop.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import django_filters
from django.db.models import Count, DateTimeField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecosystem.errors import NotFoundError
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization

from .models import (
    OPEN_FOR_DECISION,
    AppealStatus,
    ConflictKind,
    DealConflict,
    DealRegistration,
    DecisionAction,
    ExtensionStatus,
    ProductLine,
    RegistrationAppeal,
    RegistrationDecision,
    RegistrationExtension,
    RegistrationStatus,
)
from .registrations import engagement_rules

WAITING = "waiting"  # the queue's default: every registration that waits for a manager


def with_sla(queryset: QuerySet, *, sla_hours: int) -> QuerySet:
    """Annotate ``sla_due`` (submitted + the approval SLA) on registrations."""
    return queryset.annotate(
        sla_due=ExpressionWrapper(F("submitted_at") + Value(datetime.timedelta(hours=sla_hours)), output_field=DateTimeField())
    )


class RegistrationQueueFilter(django_filters.FilterSet):
    """The queue's filters, shared by the portal and the API."""

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(WAITING, _("Waiting for a decision")), *RegistrationStatus.choices],
        method="filter_status",
        empty_label=None,
    )
    partner = django_filters.ModelChoiceFilter(
        label=_("Partner"), field_name="partner", to_field_name="public_id", queryset=PartnerOrganization.objects.none()
    )
    product_line = django_filters.CharFilter(label=_("Product line"), method="filter_product_line")
    overdue = django_filters.BooleanFilter(label=_("SLA overdue"), method="filter_overdue")
    q = django_filters.CharFilter(label=_("Customer"), method="filter_search")

    class Meta:
        model = DealRegistration
        fields = ["status", "partner", "product_line", "overdue", "q"]

    def __init__(self, *args, tenant: Tenant, **kwargs):
        super().__init__(*args, **kwargs)
        # only this program's partners: another tenant's id is "not a valid choice", never echoed back
        self.filters["partner"].queryset = PartnerOrganization.objects.filter(tenant=tenant)

    def valid_query(self) -> str:
        """The filters that were understood, as a query string for pagination and export links."""
        query = QueryDict(mutable=True)
        self.is_valid()
        for name in self.form.fields:
            if name not in self.form.errors and self.data.get(name):
                query[name] = self.data[name]
        return query.urlencode()

    def filter_status(self, queryset, name, value):
        if not value or value == WAITING:
            return queryset.filter(status__in=OPEN_FOR_DECISION)
        return queryset.filter(status=value)

    def filter_product_line(self, queryset, name, value):
        return queryset.filter(product_lines__contains=[value]) if value else queryset

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Q(status__in=OPEN_FOR_DECISION, sla_due__lt=timezone.now())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(Q(customer_name__icontains=value) | Q(customer_domain__icontains=value.lower()))
            if value
            else queryset
        )


def registration_queue(*, tenant: Tenant, filters: Any = None) -> RegistrationQueueFilter:
    """The managers' queue (staff scope): filter set over registrations with partner, conflict count and SLA due.

    Default (no status): waiting for a decision, oldest first (the first in is the first due).
    ``filters`` is the query dict (``status``, ``partner`` id, ``product_line`` key, ``overdue``, ``q``).
    One query for the rules, then the list itself is one query (partner joined, conflicts counted).
    """
    data = filters.copy() if filters is not None else {}
    if not data.get("status"):
        data["status"] = WAITING
    return RegistrationQueueFilter(data=data, queryset=_queue_queryset(tenant=tenant), tenant=tenant)


def registration_queue_rows(*, tenant: Tenant, filters: Any = None) -> QuerySet:
    """The queue's rows, as ``registration_queue(...).qs``. With no filter given (the API's default page)
    the waiting registrations are read without building the filter set, whose filters and form cost more
    than the page's query (bench/api_load.py)."""
    if not filters or not any(filters.get(name) for name in RegistrationQueueFilter.base_filters):
        return _queue_queryset(tenant=tenant).filter(status__in=OPEN_FOR_DECISION)
    return registration_queue(tenant=tenant, filters=filters).qs


def _queue_queryset(*, tenant: Tenant) -> QuerySet:
    rules = engagement_rules(tenant=tenant)
    # A correlated count, not Count("conflicts") over a join: no GROUP BY, so a page reads its 51 rows in
    # index order (deal_registration_waiting) and counts only theirs (bench/api_load.py, 1M registrations).
    conflicts = (
        DealConflict.objects.filter(tenant=tenant, registration=OuterRef("pk"))
        .order_by()
        .values("registration")
        .annotate(n=Count("id"))
        .values("n")
    )
    return with_sla(
        DealRegistration.objects.filter(tenant=tenant)
        .select_related("partner")
        .annotate(conflict_count=Coalesce(Subquery(conflicts), 0)),
        sla_hours=rules.approval_sla_hours,
    ).order_by("submitted_at", "id")


def access_registration(*, tenant: Tenant, public_id: Any, partner_id: int | None = None) -> DealRegistration:
    """One registration by its public id. ``partner_id``: only that organisation's own (as the registering
    partner); anything else, like a missing one, is :class:`NotFoundError`."""
    queryset = DealRegistration.objects.filter(tenant=tenant).select_related("partner", "submitted_by")
    if partner_id is not None:
        queryset = queryset.filter(partner_id=partner_id)
    try:
        registration = queryset.filter(public_id=public_id).first()
    except (ValueError, TypeError):
        registration = None
    if registration is None:
        raise NotFoundError()
    return registration


def registrations_for_partner(*, tenant: Tenant, partner_id: int, filters: dict | None = None) -> QuerySet:
    """A partner organisation's own registrations (as the registering partner), newest first.

    ``filters``: ``status`` (one status, or ``waiting``), ``q`` (customer name or domain).
    """
    filters = filters or {}
    queryset = DealRegistration.objects.filter(tenant=tenant, partner_id=partner_id).order_by("-submitted_at", "-id")
    status = filters.get("status")
    if status == WAITING:
        queryset = queryset.filter(status__in=OPEN_FOR_DECISION)
    elif status in RegistrationStatus.values:
        queryset = queryset.filter(status=status)
    if q := (filters.get("q") or "").strip():
        queryset = queryset.filter(Q(customer_name__icontains=q) | Q(customer_domain__icontains=q.lower()))
    return queryset


@dataclass
class SideBySide:
    """One conflict as the manager compares it: this registration against the other one (or the direct deal)."""

    conflict: DealConflict
    kind_label: str
    other_partner: str = ""
    other_submitted_at: datetime.datetime | None = None
    other_product_lines: list[str] = field(default_factory=list)
    other_value: Any = None
    other_currency: str = ""
    other_status: str = ""
    other_public_id: Any = None
    is_direct: bool = False


def registration_conflicts(*, tenant: Tenant, registration: DealRegistration) -> list[SideBySide]:
    """Every recorded conflict of ``registration`` with the other side's facts (staff only). One query."""
    rows = []
    for conflict in (
        DealConflict.objects.filter(tenant=tenant, registration=registration)
        .select_related("other_registration__partner", "direct_opportunity")
        .order_by("created_at", "id")
    ):
        item = SideBySide(conflict=conflict, kind_label=ConflictKind(conflict.kind).label)
        if other := conflict.other_registration:
            item.other_partner = other.partner.name
            item.other_submitted_at = other.submitted_at
            item.other_product_lines = other.product_lines
            item.other_value, item.other_currency = other.value, other.currency
            item.other_status = other.get_status_display()
            item.other_public_id = other.public_id
        elif opportunity := conflict.direct_opportunity:
            item.is_direct = True
            item.other_partner = _("Direct sales") + (f" ({opportunity.owner_name})" if opportunity.owner_name else "")
            item.other_submitted_at = opportunity.created_at
            item.other_product_lines = opportunity.product_lines
            item.other_value, item.other_currency = opportunity.amount, opportunity.currency
            item.other_status = opportunity.stage or (_("Open") if opportunity.is_open else _("Closed"))
        rows.append(item)
    return rows


def registration_history(*, tenant: Tenant, registration: DealRegistration) -> QuerySet:
    return (
        RegistrationDecision.objects.filter(tenant=tenant, registration=registration)
        .select_related("decided_by")
        .order_by("decided_at", "id")
    )


def open_appeals(*, tenant: Tenant, assigned_to=None) -> QuerySet:
    queryset = (
        RegistrationAppeal.objects.filter(tenant=tenant, status=AppealStatus.OPEN)
        .select_related("registration__partner", "assigned_to")
        .order_by("submitted_at", "id")
    )
    return queryset.filter(assigned_to=assigned_to) if assigned_to is not None else queryset


def open_extensions(*, tenant: Tenant) -> QuerySet:
    return (
        RegistrationExtension.objects.filter(tenant=tenant, status=ExtensionStatus.REQUESTED)
        .select_related("registration__partner")
        .order_by("requested_at", "id")
    )


def access_appeal(*, tenant: Tenant, public_id: Any) -> RegistrationAppeal:
    appeal = RegistrationAppeal.objects.filter(tenant=tenant, public_id=public_id).select_related("registration").first()
    if appeal is None:
        raise NotFoundError()
    return appeal


def access_extension(*, tenant: Tenant, public_id: Any) -> RegistrationExtension:
    extension = RegistrationExtension.objects.filter(tenant=tenant, public_id=public_id).select_related("registration").first()
    if extension is None:
        raise NotFoundError()
    return extension


@dataclass(frozen=True)
class PartnerEvidence:
    """What a partner may see about why its registration was decided as it was.

    ``rule`` and ``reason`` of the latest decision; its own ``submitted_at``; ``first_submitted_at``:
    the submission time that counted as first when another registration held the customer (the
    earliest conflicting one), so the partner can compare times; ``reasons``: the kinds of conflict
    (labels only). Never the other partner's identity, registration or ids.
    """

    rule: str
    reason: str
    decided_at: datetime.datetime | None
    submitted_at: datetime.datetime
    first_submitted_at: datetime.datetime | None
    reasons: list[str]
    direct_sales: bool


def partner_evidence(*, tenant: Tenant, registration: DealRegistration) -> PartnerEvidence:
    """The evidence that applies to ``registration``, safe to show its partner. Two queries."""
    latest = (
        RegistrationDecision.objects.filter(tenant=tenant, registration=registration)
        .exclude(action__in=[DecisionAction.STAGE, DecisionAction.INFO_PROVIDED])
        .order_by("-decided_at", "-id")
        .values("rule", "reason", "decided_at")
        .first()
    ) or {"rule": "", "reason": "", "decided_at": None}
    conflicts = list(
        DealConflict.objects.filter(tenant=tenant, registration=registration).values_list("kind", "other_submitted_at")
    )
    times = [at for _kind, at in conflicts if at is not None]
    kinds = sorted({kind for kind, _at in conflicts})
    return PartnerEvidence(
        rule=latest["rule"],
        reason=latest["reason"],
        decided_at=latest["decided_at"],
        submitted_at=registration.submitted_at,
        first_submitted_at=min(times) if times else None,
        reasons=[str(ConflictKind(kind).label) for kind in kinds],
        direct_sales=ConflictKind.DIRECT in kinds,
    )


def product_lines(*, tenant: Tenant, include_retired: bool = True) -> QuerySet:
    queryset = ProductLine.objects.filter(tenant=tenant).order_by("-is_active", "name", "id")
    return queryset if include_retired else queryset.filter(is_active=True)
