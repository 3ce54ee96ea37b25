"""What the collaboration pages read, and the access checks the portal and the API share."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.tenancy.access import is_uuid
from ecosystem.tenancy.context import across_partners
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization

from ..models import CollaborationRequest, CollaborationStatus, CollaborationSubject


@dataclass(frozen=True)
class CollaborationView:
    """A collaboration as either of its two partners reads it."""

    id: uuid.UUID
    direction: str  # "in" (received) or "out" (sent)
    from_partner: str
    from_partner_id: uuid.UUID
    to_partner: str
    to_partner_id: uuid.UUID
    subject_kind: str
    subject_kind_label: str
    subject_label: str
    cosell_role: str
    component_role: str
    component_role_label: str
    message: str
    status: str
    status_label: str
    response_note: str
    requested_at: Any
    answered_at: Any

    @property
    def other_partner(self) -> str:
        return self.from_partner if self.direction == "in" else self.to_partner


def _partner_names(*, tenant: Tenant, ids: Iterable[int]) -> dict[int, tuple[str, uuid.UUID]]:
    with across_partners(reason="collaboration: the names of the two partners on each request, nothing else"):
        return {
            pk: (name, public_id)
            for pk, name, public_id in PartnerOrganization.objects.filter(tenant=tenant, pk__in=set(ids)).values_list(
                "pk", "name", "public_id"
            )
        }


def collaboration_views(*, tenant: Tenant, rows: Iterable[CollaborationRequest], partner_id: int) -> list[CollaborationView]:
    """``rows`` (the caller's own, already read) as the caller sees them: one more query for the partner names."""
    rows = list(rows)
    names = _partner_names(tenant=tenant, ids=[i for r in rows for i in (r.from_partner_id, r.to_partner_id)])
    missing = ("", uuid.UUID(int=0))
    return [
        CollaborationView(
            id=r.public_id,
            direction="out" if r.from_partner_id == partner_id else "in",
            from_partner=names.get(r.from_partner_id, missing)[0],
            from_partner_id=names.get(r.from_partner_id, missing)[1],
            to_partner=names.get(r.to_partner_id, missing)[0],
            to_partner_id=names.get(r.to_partner_id, missing)[1],
            subject_kind=r.subject_kind,
            subject_kind_label=r.get_subject_kind_display(),
            subject_label=r.subject_label,
            cosell_role=r.cosell_role,
            component_role=r.component_role,
            component_role_label=r.get_component_role_display(),
            message=r.message,
            status=r.status,
            status_label=r.get_status_display(),
            response_note=r.response_note,
            requested_at=r.requested_at,
            answered_at=r.answered_at,
        )
        for r in rows
    ]


def collaborations_for_partner(*, tenant: Tenant, partner_id: int, box: str = "", status: str = "") -> QuerySet:
    """The caller's collaborations, newest first: ``box`` "in" (received), "out" (sent) or both; one query."""
    queryset = CollaborationRequest.objects.filter(tenant=tenant)
    if box == "in":
        queryset = queryset.filter(to_partner_id=partner_id)
    elif box == "out":
        queryset = queryset.filter(from_partner_id=partner_id)
    else:
        queryset = queryset.filter(Q(from_partner_id=partner_id) | Q(to_partner_id=partner_id))
    if status in CollaborationStatus.values:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-requested_at", "-id")


def access_collaboration(*, tenant: Tenant, public_id: Any, partner_id: int | None) -> CollaborationRequest:
    """A collaboration the caller's organisation sent or received (any, for staff); 404 otherwise."""
    if not is_uuid(public_id):
        raise NotFoundError()
    queryset = CollaborationRequest.objects.filter(tenant=tenant, public_id=public_id)
    if partner_id is not None:
        queryset = queryset.filter(Q(from_partner_id=partner_id) | Q(to_partner_id=partner_id))
    found = queryset.first()
    if found is None:
        raise NotFoundError()
    return found


class CollaborationFilter(django_filters.FilterSet):
    """The vendor's list of every collaboration: shared by the portal page, its export and the API."""

    status = django_filters.ChoiceFilter(label=gettext_lazy("Status"), choices=CollaborationStatus.choices)
    subject_kind = django_filters.ChoiceFilter(label=gettext_lazy("About"), choices=CollaborationSubject.choices)
    partner = django_filters.UUIDFilter(label=gettext_lazy("Partner"), method="filter_partner")
    since = django_filters.DateFilter(label=gettext_lazy("Sent from"), field_name="requested_at", lookup_expr="date__gte")

    class Meta:
        model = CollaborationRequest
        fields = ["status", "subject_kind", "partner", "since"]

    def filter_partner(self, queryset, name, value):
        return queryset.filter(Q(from_partner__public_id=value) | Q(to_partner__public_id=value))


def collaboration_list(*, tenant: Tenant) -> QuerySet:
    """Every collaboration of the tenant (staff), newest first, with both partners: one query."""
    return (
        CollaborationRequest.objects.filter(tenant=tenant)
        .select_related("from_partner", "to_partner")
        .order_by("-requested_at", "-id")
    )


def collaboration_filter(*, tenant: Tenant, data: Any) -> CollaborationFilter:
    return CollaborationFilter(data=data, queryset=collaboration_list(tenant=tenant))


# --- what a request may be about -------------------------------------------------------------------


def collaboration_subjects(*, tenant: Tenant, partner_id: int) -> list[tuple[str, str]]:
    """The sender's choices for ``subject``: its active registrations, the draft solutions it manages (proposer
    or orchestrating partner: the ones it may add partners to), the initiatives of plans it is on.
    ``(public id, label)`` pairs; three queries."""
    from deals.models import ACTIVE_STATUSES, DealRegistration
    from partners.plans.models import PlanInitiative
    from partners.solutions.models import JointSolution, SolutionStatus

    deals = DealRegistration.objects.filter(tenant=tenant, partner_id=partner_id, status__in=ACTIVE_STATUSES).order_by(
        "customer_name", "id"
    )
    solutions = list(
        JointSolution.objects.filter(tenant=tenant, status=SolutionStatus.DRAFT)
        .filter(Q(proposed_by_id=partner_id) | Q(orchestrator_partner_id=partner_id))
        .order_by("name", "id")
        .values_list("public_id", "name")[:200]
    )
    initiatives = PlanInitiative.objects.filter(tenant=tenant, team_partner_ids__contains=[partner_id]).order_by("title", "id")
    return [
        *((str(pk), _("Deal: %(name)s") % {"name": name}) for pk, name in deals.values_list("public_id", "customer_name")[:200]),
        *((str(pk), _("Solution: %(name)s") % {"name": name}) for pk, name in solutions),
        *(
            (str(pk), _("Initiative: %(name)s") % {"name": name})
            for pk, name in initiatives.values_list("public_id", "title")[:200]
        ),
    ]


def collaboration_subject(*, tenant: Tenant, partner_id: int, kind: str, public_id: Any):
    """The record a request is about, by its public id, if the sender may use it; ``None`` for kinds without one.

    An id the sender may not use is an ``invalid_choice`` on ``subject`` (whether it exists or not).
    """
    from deals.models import DealRegistration
    from partners.plans.models import PlanInitiative
    from partners.solutions.models import JointSolution, SolutionStatus

    if kind not in (CollaborationSubject.DEAL, CollaborationSubject.SOLUTION, CollaborationSubject.INITIATIVE):
        return None
    found = None
    if is_uuid(public_id):
        if kind == CollaborationSubject.DEAL:
            found = DealRegistration.objects.filter(tenant=tenant, partner_id=partner_id, public_id=public_id).first()
        elif kind == CollaborationSubject.SOLUTION:
            with across_partners(reason="collaboration: a solution the sender is on, or one in market"):
                found = (
                    JointSolution.objects.filter(tenant=tenant, public_id=public_id)
                    .filter(Q(team_partner_ids__contains=[partner_id]) | Q(status=SolutionStatus.IN_MARKET))
                    .first()
                )
        else:
            found = PlanInitiative.objects.filter(
                tenant=tenant, public_id=public_id, team_partner_ids__contains=[partner_id]
            ).first()
    if found is None:
        raise ApplicationError(_("Choose one of the records listed."), code="invalid_choice", field="subject")
    return found
