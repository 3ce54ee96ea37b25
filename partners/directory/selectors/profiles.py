"""The directory: published profiles as cards, their search and filters, and the partners a request may go to.

The directory's one rule: another partner's profile leaves the database only when it is
published, and then only as a :class:`DirectoryCard` (the public fields, the partner's name, type
and tier, its valid certifications per course if it shows them, and the in-market solutions it
delivers a component of). Never its deals, plans, people or anything else.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.tenancy.access import is_uuid
from ecosystem.tenancy.context import across_partners
from ecosystem.tenancy.models import Tenant
from partners.models import Capability, PartnerOrganization, PartnerStatus, PartnerType, Region, Tier

from ..models import DirectoryProfile

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


# The orders a directory reader may choose (``?ordering=`` in the API) and the column each sorts by: the
# partner's name and its tier's rank, both shown on the card (a partner without a tier sorts below the
# entry tier). :func:`directory_ordering` ends every order in the partner's public id (shown on the card too),
# so that partners with equal names keep one place.
DIRECTORY_SORT_KEYS = {"name": "partner_name", "tier": "tier_rank"}
NO_TIER_RANK = -1  # below the entry tier (rank 0)


def directory_ordering(terms: Sequence[str] = ()) -> tuple[str, ...]:
    """The full order for the orderings a reader chose (``["-tier"]``); by name when none.

    Terms are names of :data:`DIRECTORY_SORT_KEYS`, ``-`` for descending (callers check them first).
    Rows equal on every chosen key follow by name (ascending, unless name was chosen) and then by the
    partner's public id in the direction of the name, so ``-name`` is exactly ``name`` read backwards and
    the order is total: a cursor page never repeats or skips a row.
    """
    order: list[str] = []
    for term in terms:
        column = DIRECTORY_SORT_KEYS[term.removeprefix("-")]
        if column not in {o.removeprefix("-") for o in order}:
            order.append(f"-{column}" if term.startswith("-") else column)
    by_name = next((o for o in order if o.removeprefix("-") == "partner_name"), None)
    if by_name is None:
        by_name = "partner_name"
        order.append(by_name)
    order.append("-partner_public_id" if by_name.startswith("-") else "partner_public_id")
    return tuple(order)


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
    return (
        queryset.select_related("partner", "partner__tier")
        .only(*PUBLIC_FIELDS)
        .annotate(
            partner_name=F("partner__name"),
            partner_public_id=F("partner__public_id"),
            # signed: the rank column is unsigned, and Django reads "rank > -1" on it as "any rank"
            tier_rank=Coalesce(F("partner__tier__rank"), Value(NO_TIER_RANK), output_field=IntegerField()),
        )
        .order_by(*directory_ordering())
    )


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
    """A page of the directory as cards. ``paginate`` turns the queryset into the page's rows.

    The queryset is in name order and carries the sort keys of :func:`directory_ordering`
    (``partner_name``, ``tier_rank``, ``partner_public_id``): a paginator may reorder it by them.

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
