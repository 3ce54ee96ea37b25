"""What the directory and collaboration pages read, and the access checks the portal and the API share.

The directory's one rule: another partner's profile leaves the database only when it is
published, and then only as a :class:`DirectoryCard` (the public fields, the partner's name, type
and tier, its valid certifications per course if it shows them, and the in-market solutions it
delivers a component of). Never its deals, plans, people or anything else. Partner callers read
other partners' rows only here, through ``across_partners``, each time with its reason.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import django_filters
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.tenancy.context import across_partners
from ecosystem.tenancy.models import Tenant
from partners.models import Capability, PartnerOrganization, PartnerStatus, PartnerType, Region, Tier

from .models import CollaborationRequest, CollaborationStatus, CollaborationSubject, DirectoryProfile

# Partners whose published profile is listed: in the program (a retired or prospective partner is not).
LISTED_STATUSES = (PartnerStatus.ACTIVE, PartnerStatus.AT_RISK, PartnerStatus.ONBOARDING)
# The profile fields other partners may read; nothing else is selected for them.
PUBLIC_FIELDS = (
    "id",
    "partner_id",
    "is_published",
    "headline",
    "description",
    "capabilities",
    "regions",
    "industries",
    "contact_email",
    "show_certifications",
    "updated_at",
    "partner__public_id",
    "partner__name",
    "partner__partner_type",
    "partner__tier__name",
)


def is_uuid(value: Any) -> bool:
    if isinstance(value, uuid.UUID):
        return True
    try:
        uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return False
    return True


# --- the directory ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificationCount:
    course: str
    people: int


@dataclass(frozen=True)
class DirectoryCard:
    """One partner as the directory shows it: public fields only."""

    partner_id: uuid.UUID  # the partner's public id
    name: str
    partner_type: str
    partner_type_label: str
    tier: str
    is_published: bool
    headline: str
    description: str
    capabilities: list[str]  # capability names, as the program calls them
    capability_slugs: list[str]
    regions: list[str]
    region_labels: list[str]
    industries: list[str]
    contact_email: str
    show_certifications: bool
    certifications: list[CertificationCount] = field(default_factory=list)
    solutions: list[str] = field(default_factory=list)
    updated_at: Any = None


@dataclass(frozen=True)
class DirectoryFilters:
    q: str = ""
    capability: str = ""
    region: str = ""
    partner_type: str = ""
    tier: str = ""  # a tier's public id

    @classmethod
    def from_data(cls, data: Any) -> DirectoryFilters:
        """Only values that mean something: unknown ones are dropped rather than matched literally."""

        def pick(name: str) -> str:
            return str(data.get(name, "") or "").strip()[:100]

        region = pick("region")
        partner_type = pick("partner_type")
        tier = pick("tier")
        return cls(
            q=pick("q"),
            capability=pick("capability"),
            region=region if region in Region.values else "",
            partner_type=partner_type if partner_type in PartnerType.values else "",
            tier=tier if is_uuid(tier) else "",
        )


def _profiles(*, tenant: Tenant, filters: DirectoryFilters, published_only: bool) -> QuerySet:
    queryset = DirectoryProfile.objects.filter(tenant=tenant)
    if published_only:
        queryset = queryset.filter(is_published=True, partner__status__in=LISTED_STATUSES)
    if filters.q:
        term = filters.q
        capability_slugs = list(
            Capability.objects.filter(tenant=tenant, name__icontains=term).values_list("slug", flat=True)[:50]
        )
        match = (
            Q(partner__name__icontains=term)
            | Q(headline__icontains=term)
            | Q(description__icontains=term)
            | Q(capabilities__contains=[term.lower()])
        )
        if capability_slugs:
            match |= Q(capabilities__overlap=capability_slugs)
        queryset = queryset.filter(match)
    if filters.capability:
        queryset = queryset.filter(capabilities__contains=[filters.capability])
    if filters.region:
        queryset = queryset.filter(regions__contains=[filters.region])
    if filters.partner_type:
        queryset = queryset.filter(partner__partner_type=filters.partner_type)
    if filters.tier:
        queryset = queryset.filter(partner__tier__public_id=filters.tier)
    return queryset.select_related("partner", "partner__tier").only(*PUBLIC_FIELDS).order_by("partner__name", "id")


def _certification_counts(*, tenant: Tenant, partner_ids: list[int]) -> dict[int, list[CertificationCount]]:
    """Valid certifications (not revoked, not expired, current) per course, for each partner: one query."""
    from onboarding.models import Certification

    today = timezone.localdate()
    rows = (
        Certification.objects.filter(
            tenant=tenant, partner_id__in=partner_ids, revoked_at__isnull=True, is_current=True, expires_on__gte=today
        )
        .values("partner_id", "course__title")
        .annotate(people=Count("user_id", distinct=True))
        .order_by("partner_id", "course__title")
    )
    found: dict[int, list[CertificationCount]] = defaultdict(list)
    for row in rows:
        found[row["partner_id"]].append(CertificationCount(course=row["course__title"], people=row["people"]))
    return found


def _solution_names(*, tenant: Tenant, partner_ids: list[int]) -> dict[int, list[str]]:
    """In-market solutions each partner has an accepted component in (the program's catalogue): one query."""
    from partners.solutions.models import ComponentStatus, SolutionComponent, SolutionStatus

    rows = (
        SolutionComponent.objects.filter(
            tenant=tenant,
            partner_id__in=partner_ids,
            status=ComponentStatus.ACCEPTED,
            solution__status=SolutionStatus.IN_MARKET,
        )
        .values_list("partner_id", "solution__name")
        .distinct()
        .order_by("partner_id", "solution__name")
    )
    found: dict[int, list[str]] = defaultdict(list)
    for partner_id, name in rows:
        found[partner_id].append(name)
    return found


def _cards(*, tenant: Tenant, profiles: list[DirectoryProfile]) -> list[DirectoryCard]:
    """Cards for a page of profiles: three queries (capability names, certifications, solutions), any page size."""
    if not profiles:
        return []
    partner_ids = [p.partner_id for p in profiles]
    capability_names = dict(Capability.objects.filter(tenant=tenant).values_list("slug", "name"))
    certified = _certification_counts(tenant=tenant, partner_ids=[p.partner_id for p in profiles if p.show_certifications])
    solutions = _solution_names(tenant=tenant, partner_ids=partner_ids)
    region_labels = dict(Region.choices)
    return [
        DirectoryCard(
            partner_id=p.partner.public_id,
            name=p.partner.name,
            partner_type=p.partner.partner_type,
            partner_type_label=str(PartnerType(p.partner.partner_type).label),
            tier=p.partner.tier.name if p.partner.tier_id else "",
            is_published=p.is_published,
            headline=p.headline,
            description=p.description,
            capabilities=[capability_names.get(slug, slug) for slug in p.capabilities],
            capability_slugs=list(p.capabilities),
            regions=list(p.regions),
            region_labels=[str(region_labels.get(r, r)) for r in p.regions],
            industries=list(p.industries),
            contact_email=p.contact_email,
            show_certifications=p.show_certifications,
            certifications=certified.get(p.partner_id, []) if p.show_certifications else [],
            solutions=solutions.get(p.partner_id, []),
            updated_at=p.updated_at,
        )
        for p in profiles
    ]


def directory_search(
    *,
    tenant: Tenant,
    filters: DirectoryFilters,
    paginate: Callable[[QuerySet], Iterable[DirectoryProfile]],
    published_only: bool = True,
) -> list[DirectoryCard]:
    """A page of the directory as cards, name order. ``paginate`` turns the queryset into the page's rows.

    Partner callers: published profiles of listed partners only (``published_only`` is for staff,
    who see every profile). Five queries for any page: the page (and its count, if the paginator
    counts), capability names, certifications, solutions; plus one when ``q`` names capabilities.
    """
    with across_partners(reason="directory: published profiles are shared with the program's partners; public fields only"):
        queryset = _profiles(tenant=tenant, filters=filters, published_only=published_only)
        return _cards(tenant=tenant, profiles=list(paginate(queryset)))


def directory_card(*, tenant: Tenant, partner_public_id: Any, viewer_partner_id: int | None) -> DirectoryCard:
    """One partner's card: published (and listed), or the viewer's own, or any for staff; 404 otherwise.

    An unpublished profile is "not found" exactly like a partner that does not exist.
    """
    if not is_uuid(partner_public_id):
        raise NotFoundError()
    with across_partners(reason="directory: one published profile, public fields only"):
        queryset = DirectoryProfile.objects.filter(tenant=tenant, partner__public_id=partner_public_id)
        if viewer_partner_id is not None:
            queryset = queryset.filter(
                Q(partner_id=viewer_partner_id) | Q(is_published=True, partner__status__in=LISTED_STATUSES)
            )
        profile = queryset.select_related("partner", "partner__tier").only(*PUBLIC_FIELDS).first()
        if profile is None:
            raise NotFoundError()
        return _cards(tenant=tenant, profiles=[profile])[0]


def own_profile(*, tenant: Tenant, partner: PartnerOrganization) -> DirectoryProfile:
    """The partner's own profile; an unsaved, unpublished one (prefilled from the partner record) if it has none."""
    profile = DirectoryProfile.objects.filter(tenant=tenant, partner=partner).first()
    if profile is None:
        profile = DirectoryProfile(
            tenant=tenant,
            partner=partner,
            description=partner.description,
            capabilities=list(partner.capabilities),
            regions=list(partner.regions),
        )
    return profile


def directory_options(*, tenant: Tenant) -> dict[str, Any]:
    """The choices the directory's filters offer: capabilities, regions, partner types, tiers."""
    return {
        "capabilities": list(Capability.objects.filter(tenant=tenant).order_by("name").values_list("slug", "name")),
        "regions": Region.choices,
        "partner_types": PartnerType.choices,
        "tiers": list(Tier.objects.filter(tenant=tenant).order_by("rank").values_list("public_id", "name")),
    }


def published_partner(*, tenant: Tenant, public_id: Any) -> PartnerOrganization:
    """A partner with a published profile, to write to (an ``invalid_choice`` error on ``to_partner`` otherwise)."""
    partner = None
    if is_uuid(public_id):
        with across_partners(reason="collaboration: find the published partner being asked, by its public id"):
            partner = (
                PartnerOrganization.objects.filter(
                    tenant=tenant,
                    public_id=public_id,
                    status__in=LISTED_STATUSES,
                    directory_profile__is_published=True,
                )
                .only("id", "public_id", "name", "partner_type", "status", "tenant_id")
                .first()
            )
    if partner is None:
        raise ApplicationError(_("Choose a partner from the directory."), code="invalid_choice", field="to_partner")
    return partner


def collaboration_recipients(*, tenant: Tenant, exclude_partner_id: int) -> list[dict[str, Any]]:
    """Partners the caller may write to: published and listed, itself excepted. Public id, name and type only."""
    with across_partners(reason="collaboration: the directory's published partners by name and type"):
        return list(
            PartnerOrganization.objects.filter(tenant=tenant, status__in=LISTED_STATUSES, directory_profile__is_published=True)
            .exclude(pk=exclude_partner_id)
            .order_by("name", "id")
            .values("public_id", "name", "partner_type")[:500]
        )


# --- collaborations --------------------------------------------------------------------------------


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


# --- the ecosystem map -----------------------------------------------------------------------------

MAP_STATUSES = (PartnerStatus.ACTIVE, PartnerStatus.ONBOARDING)
EDGE_KINDS = ("cosell", "solution", "collaboration")
EDGE_LABELS = {
    "cosell": gettext_lazy("Co-sold deals"),
    "solution": gettext_lazy("Shared solutions"),
    "collaboration": gettext_lazy("Accepted collaborations"),
}
TYPE_COLOURS = {
    PartnerType.RESELLER: "#3d5a98",
    PartnerType.MSP: "#2a9d8f",
    PartnerType.ISV: "#e76f51",
    PartnerType.SI: "#8e44ad",
    PartnerType.GSI: "#c0392b",
    PartnerType.DISTRIBUTOR: "#d4a017",
    PartnerType.REFERRAL: "#6c757d",
    PartnerType.INFLUENCER: "#e83e8c",
}
NODE_MIN_SIZE = 20
NODE_MAX_SIZE = 80
REVENUE_WINDOW_DAYS = 365


@dataclass(frozen=True)
class MapFilters:
    partner_type: str = ""
    tier: str = ""  # a tier's public id
    region: str = ""
    edge_kinds: tuple[str, ...] = EDGE_KINDS
    linked_only: bool = False  # leave out partners without a link of the kinds shown

    @classmethod
    def from_data(cls, data: Any) -> MapFilters:
        def pick(name: str) -> str:
            return str(data.get(name, "") or "").strip()[:100]

        getlist = getattr(data, "getlist", None)
        kinds = tuple(k for k in (getlist("edge") if getlist else data.get("edge", []) or []) if k in EDGE_KINDS)
        partner_type, tier, region = pick("partner_type"), pick("tier"), pick("region")
        return cls(
            partner_type=partner_type if partner_type in PartnerType.values else "",
            tier=tier if is_uuid(tier) else "",
            region=region if region in Region.values else "",
            edge_kinds=kinds or EDGE_KINDS,
            linked_only=pick("linked").lower() in ("1", "on", "true"),
        )


def node_size(revenue: float, top: float) -> float:
    """Node diameter: the area grows with revenue (square root), from 20 (none) to 80 (the top partner)."""
    if top <= 0 or revenue <= 0:
        return float(NODE_MIN_SIZE)
    return round(NODE_MIN_SIZE + (NODE_MAX_SIZE - NODE_MIN_SIZE) * (revenue / top) ** 0.5, 1)


def _pairs(groups: dict[Any, set[int]], nodes: set[int]) -> dict[tuple[int, int], int]:
    """Each pair of partners in the same group (a deal, a solution), counted once per group."""
    weights: dict[tuple[int, int], int] = defaultdict(int)
    for members in groups.values():
        inside = sorted(members & nodes)
        for i, first in enumerate(inside):
            for second in inside[i + 1 :]:
                weights[(first, second)] += 1
    return weights


def ecosystem_graph(*, tenant: Tenant, filters: MapFilters, partner_url: Callable[[uuid.UUID], str] | None = None) -> dict:
    """The ecosystem as a graph (staff only): six queries, whatever the number of partners and edges.

    * **Nodes** — partners that are active or onboarding (filtered by type, tier, region), sized by
      closed-won revenue over the last 365 days: the closed amounts of their registrations with
      stage *closed won* and a closing date in the window, in the program's currency (registrations
      in other currencies are not converted and not counted); coloured by partner type.
      With ``linked_only``, partners without a link of the kinds shown are left out.
    * **Edges**, between two shown partners, one per kind with its weight:
      *cosell* — deals both are on the team of (accepted participants of the same registration);
      *solution* — solutions both have an accepted component in;
      *collaboration* — accepted collaboration requests between them (either direction).

    Queries: partners, the program currency, revenue, co-sell teams, solution components, collaborations.
    """
    from deals.models import DealParticipant, DealRegistration, DealStage, EngagementRules, ParticipantStatus
    from partners.solutions.models import ComponentStatus, SolutionComponent

    partners = PartnerOrganization.objects.filter(tenant=tenant, status__in=MAP_STATUSES)
    if filters.partner_type:
        partners = partners.filter(partner_type=filters.partner_type)
    if filters.tier:
        partners = partners.filter(tier__public_id=filters.tier)
    if filters.region:
        partners = partners.filter(regions__contains=[filters.region])
    rows = list(
        partners.order_by("name", "id").values("id", "public_id", "name", "partner_type", "status", "regions", "tier__name")
    )
    ids = {row["id"] for row in rows}
    currency = EngagementRules.objects.filter(tenant=tenant).values_list("currency", flat=True).first() or "USD"
    since = timezone.localdate() - datetime.timedelta(days=REVENUE_WINDOW_DAYS)
    revenue = dict(
        DealRegistration.objects.filter(
            tenant=tenant,
            partner_id__in=ids,
            stage=DealStage.CLOSED_WON,
            closed_on__gte=since,
            closed_amount__isnull=False,
            currency=currency,
        )
        .values("partner_id")
        .annotate(total=Sum("closed_amount"))
        .values_list("partner_id", "total")
    )
    top = float(max(revenue.values(), default=0) or 0)

    weights: dict[str, dict[tuple[int, int], int]] = {}
    if "cosell" in filters.edge_kinds:
        teams: dict[int, set[int]] = defaultdict(set)
        for registration_id, partner_id in DealParticipant.objects.filter(
            tenant=tenant, status=ParticipantStatus.ACCEPTED, partner_id__in=ids
        ).values_list("registration_id", "partner_id"):
            teams[registration_id].add(partner_id)
        weights["cosell"] = _pairs(teams, ids)
    if "solution" in filters.edge_kinds:
        solutions: dict[int, set[int]] = defaultdict(set)
        for solution_id, partner_id in SolutionComponent.objects.filter(
            tenant=tenant, status=ComponentStatus.ACCEPTED, partner_id__in=ids
        ).values_list("solution_id", "partner_id"):
            solutions[solution_id].add(partner_id)
        weights["solution"] = _pairs(solutions, ids)
    if "collaboration" in filters.edge_kinds:
        accepted: dict[tuple[int, int], int] = defaultdict(int)
        for first, second in CollaborationRequest.objects.filter(
            tenant=tenant, status=CollaborationStatus.ACCEPTED, from_partner_id__in=ids, to_partner_id__in=ids
        ).values_list("from_partner_id", "to_partner_id"):
            accepted[(min(first, second), max(first, second))] += 1
        weights["collaboration"] = dict(accepted)

    if filters.linked_only:
        linked = {pk for kind in weights.values() for pair in kind for pk in pair}
        rows = [row for row in rows if row["id"] in linked]
    public = {row["id"]: str(row["public_id"]) for row in rows}
    names = {row["id"]: row["name"] for row in rows}
    type_labels = dict(PartnerType.choices)
    nodes = [
        {
            "id": public[row["id"]],
            "label": row["name"],
            "type": row["partner_type"],
            "type_label": str(type_labels.get(row["partner_type"], row["partner_type"])),
            "tier": row["tier__name"] or "",
            "regions": list(row["regions"]),
            "status": row["status"],
            "revenue": float(revenue.get(row["id"]) or 0),
            "size": node_size(float(revenue.get(row["id"]) or 0), top),
            "color": TYPE_COLOURS.get(row["partner_type"], "#6c757d"),
            "url": partner_url(row["public_id"]) if partner_url else "",
        }
        for row in rows
    ]
    edges = [
        {
            "id": f"{kind}-{public[first]}-{public[second]}",
            "source": public[first],
            "target": public[second],
            "kind": kind,
            "weight": weight,
            "source_label": names[first],
            "target_label": names[second],
        }
        for kind in EDGE_KINDS
        if kind in weights
        for (first, second), weight in sorted(weights[kind].items())
    ]
    present = {node["type"] for node in nodes}
    legend = {
        "types": [
            {"type": value, "label": str(label), "color": TYPE_COLOURS[value]}
            for value, label in PartnerType.choices
            if value in present
        ],
        "edges": [{"kind": kind, "label": str(EDGE_LABELS[kind])} for kind in EDGE_KINDS],
    }
    return {"currency": currency, "nodes": nodes, "edges": edges, "legend": legend}


def top_connections(graph: dict, *, limit: int = 20) -> list[dict[str, Any]]:
    """The strongest links of a graph, for the table beside the picture: pairs with their weight per kind."""
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    for edge in graph["edges"]:
        key = (edge["source"], edge["target"])
        row = pairs.setdefault(
            key,
            {"source": edge["source_label"], "target": edge["target_label"], "cosell": 0, "solution": 0, "collaboration": 0},
        )
        row[edge["kind"]] += edge["weight"]
    ranked = sorted(
        pairs.values(),
        key=lambda r: (-(r["cosell"] + r["solution"] + r["collaboration"]), r["source"], r["target"]),
    )
    for row in ranked:
        row["total"] = row["cosell"] + row["solution"] + row["collaboration"]
    return ranked[:limit]


# --- what a request may be about -------------------------------------------------------------------


def collaboration_subjects(*, tenant: Tenant, partner_id: int) -> list[tuple[str, str]]:
    """The sender's choices for ``subject``: its active registrations, the solutions it is on or that are in
    market, the initiatives of plans it is on. ``(public id, label)`` pairs; three queries."""
    from deals.models import ACTIVE_STATUSES, DealRegistration
    from partners.plans.models import PlanInitiative
    from partners.solutions.models import JointSolution, SolutionStatus

    deals = DealRegistration.objects.filter(tenant=tenant, partner_id=partner_id, status__in=ACTIVE_STATUSES).order_by(
        "customer_name", "id"
    )
    with across_partners(reason="collaboration: solutions the sender is on, and the catalogue in market, by name"):
        solutions = list(
            JointSolution.objects.filter(tenant=tenant)
            .filter(Q(team_partner_ids__contains=[partner_id]) | Q(status=SolutionStatus.IN_MARKET))
            .exclude(status=SolutionStatus.RETIRED)
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
