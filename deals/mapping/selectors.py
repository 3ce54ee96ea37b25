"""What each side of a pair reads about the other: the one place the sharing rules are applied to reads.

The viewing side is ``partner_id`` (None: the vendor). What it reads of the *other* side is governed
by the other side's level for the other side's population:

* ``none``: nothing, not even a count;
* ``counts``: the number of overlaps per population pair, never a record — no overlap row, id,
  label or flag on one's own accounts comes back, whatever filter, ordering or export is asked;
* ``overlaps``: the overlapping records, with the other side's label next to one's own account;
* ``all``: additionally the other side's whole list of that population, read live.

A side always reads its own list. Pages, exports and the API all read through these functions;
record querysets are narrowed to the populations the other side shares *before* any filter is
applied, so no filter can reach a counts-only row.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy

from ecosystem.errors import NotFoundError
from ecosystem.tenancy.access import is_uuid
from ecosystem.tenancy.context import across_partners
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization

from .lists import side_partnerships
from .matching import populations_at_least
from .models import (
    AccountOverlap,
    MappingAccount,
    MappingPartnership,
    MappingPartnershipStatus,
    MappingPopulation,
    MappingSide,
    OverlapCount,
    SharingLevel,
)
from .services import COUNTERPART_STATUSES

POPULATION_LABELS = dict(MappingPopulation.choices)


# --- partnerships -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairView:
    """One partnership as one side sees it."""

    partnership: MappingPartnership
    my_side: str
    other_side: str
    other_partner_id: int | None
    other_name: str
    other_public_id: uuid.UUID | None  # the other partner's public id (None: the vendor)
    my_sharing: dict[str, str]
    other_sharing: dict[str, str]

    @property
    def public_id(self) -> uuid.UUID:
        return self.partnership.public_id

    @property
    def status(self) -> str:
        return self.partnership.status

    @property
    def awaiting_me(self) -> bool:
        return self.partnership.status == MappingPartnershipStatus.INVITED and self.partnership.invited_by_side != self.my_side

    @property
    def is_active(self) -> bool:
        return self.partnership.is_active


def _partner_names(*, tenant: Tenant, ids: set[int]) -> dict[int, tuple[str, uuid.UUID]]:
    with across_partners(reason="mapping: the names of the partners on the caller's own partnerships"):
        return {
            pk: (name, public_id)
            for pk, name, public_id in PartnerOrganization.objects.filter(tenant=tenant, pk__in=ids).values_list(
                "pk", "name", "public_id"
            )
        }


def _views(*, tenant: Tenant, partner_id: int | None, pairs: list[MappingPartnership]) -> list[PairView]:
    names = _partner_names(tenant=tenant, ids={pk for p in pairs for pk in (p.partner_a_id, p.partner_b_id) if pk})
    views = []
    for pair in pairs:
        mine = pair.side_of(partner_id)
        other = MappingSide.B if mine == MappingSide.A else MappingSide.A
        other_id = pair.partner_of(other)
        name, public_id = names.get(other_id, (tenant.name, None)) if other_id else (tenant.name, None)
        views.append(
            PairView(
                partnership=pair,
                my_side=mine,
                other_side=other,
                other_partner_id=other_id,
                other_name=name,
                other_public_id=public_id,
                my_sharing=pair.sharing_of(mine),
                other_sharing=pair.sharing_of(other),
            )
        )
    return views


def partnerships_for(*, tenant: Tenant, partner_id: int | None, status: str = "") -> QuerySet:
    """The caller's side's partnerships, newest first (the vendor: its own pairs, never two partners' pairs)."""
    found = side_partnerships(tenant=tenant, partner_id=partner_id)
    if status in MappingPartnershipStatus.values:
        found = found.filter(status=status)
    return found.order_by("-invited_at", "-id")


def pair_views(*, tenant: Tenant, partner_id: int | None, pairs) -> list[PairView]:
    return _views(tenant=tenant, partner_id=partner_id, pairs=list(pairs))


def access_partnership(*, tenant: Tenant, partner_id: int | None, public_id: Any) -> PairView:
    """One of the caller's side's partnerships; anything else (another pair, another tenant, a bad id) is not found."""
    pair = None
    if is_uuid(public_id):
        pair = side_partnerships(tenant=tenant, partner_id=partner_id).filter(public_id=public_id).first()
    if pair is None:
        raise NotFoundError()
    return _views(tenant=tenant, partner_id=partner_id, pairs=[pair])[0]


def counterparts(*, tenant: Tenant, partner_id: int | None, search: str = "", limit: int = 200) -> list[dict[str, Any]]:
    """Active partners of the program the caller may invite: public id, name and type only."""
    with across_partners(reason="mapping: the names of the partners one may invite to compare lists"):
        found = PartnerOrganization.objects.filter(tenant=tenant, status__in=COUNTERPART_STATUSES)
        if partner_id is not None:
            found = found.exclude(pk=partner_id)
        if search:
            found = found.filter(name__icontains=search)
        return list(found.order_by("name").values("public_id", "name", "partner_type")[:limit])


def counterpart_token(*, tenant: Tenant, public_id: Any) -> str:
    """An opaque value for one partner in an invite form: partners never see each other's ids in a page."""
    from django.utils.crypto import salted_hmac

    return salted_hmac("deals.mapping.counterpart", f"{tenant.pk}:{public_id}").hexdigest()[:32]


def counterpart_by_token(*, tenant: Tenant, partner_id: int | None, token: str) -> PartnerOrganization | None:
    """The invitable partner whose form value is ``token`` (None if none is)."""
    for candidate in counterparts(tenant=tenant, partner_id=partner_id, limit=10_000):
        if counterpart_token(tenant=tenant, public_id=candidate["public_id"]) == token:
            return counterpart_by_public_id(tenant=tenant, public_id=candidate["public_id"])
    return None


def counterpart_by_public_id(*, tenant: Tenant, public_id: Any) -> PartnerOrganization | None:
    if not is_uuid(public_id):
        return None
    with across_partners(reason="mapping: find the partner being invited, by its public id"):
        return PartnerOrganization.objects.filter(tenant=tenant, public_id=public_id).first()


# --- counts -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatrixCell:
    my_population: str
    other_population: str
    overlaps: int | None  # None: the other side does not share this (nothing to show, not even zero)
    records_visible: bool


def stored_counts(*, tenant: Tenant, pairs: list[MappingPartnership]) -> dict[int, list[tuple[str, str, int]]]:
    """The stored counts of several pairs in one query (``overlap_matrix`` still applies the sharing rules)."""
    found: dict[int, list[tuple[str, str, int]]] = {pair.pk: [] for pair in pairs}
    for pair_id, a_population, b_population, overlap_count in OverlapCount.objects.filter(
        tenant=tenant, partnership_id__in=list(found)
    ).values_list("partnership_id", "a_population", "b_population", "overlap_count"):
        found[pair_id].append((a_population, b_population, overlap_count))
    return found


def overlap_matrix(*, view: PairView, tenant: Tenant, counts: list[tuple[str, str, int]] | None = None) -> list[list[MatrixCell]]:
    """Rows: my populations; columns: the other side's. A cell shows a count only where the other side shares counts.

    ``counts``: the pair's stored counts when the caller read them already (:func:`stored_counts`).
    """
    counts_shared = set(populations_at_least(view.other_sharing, SharingLevel.COUNTS))
    records_shared = set(populations_at_least(view.other_sharing, SharingLevel.OVERLAPS))
    stored: dict[tuple[str, str], int] = {}
    if view.is_active and counts_shared:
        if counts is None:
            counts = stored_counts(tenant=tenant, pairs=[view.partnership])[view.partnership.pk]
        for a_population, b_population, overlap_count in counts:
            mine, theirs = (a_population, b_population) if view.my_side == MappingSide.A else (b_population, a_population)
            stored[(mine, theirs)] = overlap_count
    return [
        [
            MatrixCell(
                my_population=mine,
                other_population=theirs,
                overlaps=(stored.get((mine, theirs), 0) if view.partnership.matched_at else None)
                if theirs in counts_shared and view.is_active
                else None,
                records_visible=theirs in records_shared and view.is_active,
            )
            for theirs in MappingPopulation.values
        ]
        for mine in MappingPopulation.values
    ]


# --- records ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverlapRecord:
    public_id: uuid.UUID
    my_population: str
    other_population: str
    my_name: str
    my_domain: str
    other_name: str
    other_domain: str

    @property
    def my_population_label(self) -> str:
        return str(POPULATION_LABELS[self.my_population])

    @property
    def other_population_label(self) -> str:
        return str(POPULATION_LABELS[self.other_population])


# What an overlaps list may be sorted by: the fields its records show (:func:`as_record`), each read where
# the record reads it. Yours from your own account; theirs from the label stored on the row, which
# the other side's sharing writes and blanks: never from the other side's account itself (its live
# name, or any column it does not share), so the order tells the caller nothing the records do not.
OVERLAP_SORT_KEYS = ("my_name", "my_domain", "their_name", "their_domain")


def overlap_rows(
    *, tenant: Tenant, view: PairView, my_population: str = "", other_population: str = "", search: str = ""
) -> QuerySet:
    """The overlap rows the caller may read as records, narrowed to shared populations before any filter.

    In the order of the caller's own account names; each row carries the sort keys of
    :data:`OVERLAP_SORT_KEYS` as annotations, for a paginator that orders by them.
    """
    shared = populations_at_least(view.other_sharing, SharingLevel.OVERLAPS)
    if not view.is_active or not shared:
        return AccountOverlap.objects.none()
    mine, theirs = ("a", "b") if view.my_side == MappingSide.A else ("b", "a")
    rows = AccountOverlap.objects.filter(tenant=tenant, partnership=view.partnership, **{f"{theirs}_population__in": shared})
    if my_population in MappingPopulation.values:
        rows = rows.filter(**{f"{mine}_population": my_population})
    if other_population in MappingPopulation.values:
        rows = rows.filter(**{f"{theirs}_population": other_population})
    search = (search or "").strip()
    if search:
        rows = rows.filter(
            Q(**{f"{theirs}_name__icontains": search})
            | Q(**{f"{theirs}_domain__icontains": search.lower()})
            | Q(**{f"{mine}_account__name__icontains": search})
            | Q(**{f"{mine}_account__domain__icontains": search.lower()})
        )
    return (
        rows.select_related(f"{mine}_account")
        .only(
            "public_id",
            "a_population",
            "b_population",
            f"{theirs}_name",
            f"{theirs}_domain",
            f"{mine}_account__name",
            f"{mine}_account__domain",
        )
        .annotate(
            my_name=F(f"{mine}_account__name"),
            my_domain=F(f"{mine}_account__domain"),
            their_name=F(f"{theirs}_name"),
            their_domain=F(f"{theirs}_domain"),
        )
        .order_by("my_name", "id")
    )


def as_record(row: AccountOverlap, *, view: PairView) -> OverlapRecord:
    mine, theirs = ("a", "b") if view.my_side == MappingSide.A else ("b", "a")
    account = getattr(row, f"{mine}_account")
    return OverlapRecord(
        public_id=row.public_id,
        my_population=getattr(row, f"{mine}_population"),
        other_population=getattr(row, f"{theirs}_population"),
        my_name=account.name,
        my_domain=account.domain,
        other_name=getattr(row, f"{theirs}_name"),
        other_domain=getattr(row, f"{theirs}_domain"),
    )


def access_overlap(*, tenant: Tenant, partnership: MappingPartnership, partner_id: int | None, public_id: Any) -> OverlapRecord:
    """One overlap record the caller may read (else not found: a counts-only row is as missing as a foreign one)."""
    view = _views(tenant=tenant, partner_id=partner_id, pairs=[partnership])[0]
    if not is_uuid(public_id):
        raise NotFoundError()
    row = overlap_rows(tenant=tenant, view=view).filter(public_id=public_id).first()
    if row is None:
        raise NotFoundError()
    return as_record(row, view=view)


def shared_list(*, tenant: Tenant, view: PairView, population: str) -> QuerySet:
    """The other side's whole list of ``population``, read live, only while it shares *all* of it."""
    if not view.is_active or view.other_sharing.get(population) != SharingLevel.ALL:
        return MappingAccount.objects.none()
    owner = Q(partner__isnull=True) if view.other_partner_id is None else Q(partner_id=view.other_partner_id)
    with across_partners(reason="mapping: the other side shares this whole population with the caller"):
        rows = list(
            MappingAccount.objects.filter(owner, tenant=tenant, population=population)
            .order_by("name", "id")
            .values("name", "domain")
        )
    return rows


# --- recommendations --------------------------------------------------------------------------------

_ = gettext_lazy
SENTENCES = {
    (MappingPopulation.PROSPECT, MappingPopulation.CUSTOMER): _("%(n)s of your prospects are customers of %(other)s."),
    (MappingPopulation.OPEN_OPPORTUNITY, MappingPopulation.CUSTOMER): _(
        "%(n)s of your open opportunities are customers of %(other)s."
    ),
    (MappingPopulation.OPEN_OPPORTUNITY, MappingPopulation.OPEN_OPPORTUNITY): _(
        "%(n)s of your open opportunities are open opportunities of %(other)s too."
    ),
    (MappingPopulation.CUSTOMER, MappingPopulation.PROSPECT): _("%(n)s of %(other)s's prospects are your customers."),
    (MappingPopulation.CUSTOMER, MappingPopulation.OPEN_OPPORTUNITY): _(
        "%(n)s of %(other)s's open opportunities are your customers."
    ),
    (MappingPopulation.CUSTOMER, MappingPopulation.CUSTOMER): _("%(n)s mutual customers with %(other)s."),
    (MappingPopulation.PROSPECT, MappingPopulation.OPEN_OPPORTUNITY): _(
        "%(n)s of your prospects are open opportunities of %(other)s."
    ),
}
SENTENCE_ORDER = list(SENTENCES)


@dataclass(frozen=True)
class Recommendation:
    pair: PairView
    my_population: str
    other_population: str
    overlaps: int
    sentence: str
    records_visible: bool
    action: str  # "lead" (vendor: offer the accounts to the partner), "collaborate" (a partner: ask the other partner), ""
    collaboration_url: str | None


def collaboration_url(*, tenant: Tenant, view: PairView, my_population: str, other_population: str, sentence: str) -> str | None:
    """Helper 4's collaboration form, prefilled; None while that route does not exist (or the other side is the vendor)."""
    if view.other_public_id is None:
        return None
    try:
        base = reverse("partner_directory:collaboration_new", kwargs={"tenant_slug": tenant.slug})
    except NoReverseMatch:
        return None
    return (
        base
        + "?"
        + urlencode({"to": str(view.other_public_id), "about": "account_mapping", "id": str(view.public_id), "message": sentence})
    )


def recommendations_for(*, tenant: Tenant, partner_id: int | None, view: PairView | None = None) -> list[Recommendation]:
    """Co-sell recommendations from the counts the caller may see, on one pair or all its active pairs, biggest first."""
    views = (
        [view]
        if view is not None
        else pair_views(
            tenant=tenant,
            partner_id=partner_id,
            pairs=partnerships_for(tenant=tenant, partner_id=partner_id, status=MappingPartnershipStatus.ACTIVE),
        )
    )
    counts = stored_counts(tenant=tenant, pairs=[v.partnership for v in views])
    found = []
    for pair in views:
        for row in overlap_matrix(view=pair, tenant=tenant, counts=counts[pair.partnership.pk]):
            for cell in row:
                key = (cell.my_population, cell.other_population)
                if not cell.overlaps or key not in SENTENCES:
                    continue
                sentence = str(SENTENCES[key]) % {"n": f"{cell.overlaps:,}", "other": pair.other_name}
                action = ""
                if partner_id is None and cell.records_visible and cell.my_population != MappingPopulation.CUSTOMER:
                    action = "lead"  # a prospect or an open deal of the vendor's that the partner knows
                elif partner_id is not None and pair.other_partner_id is not None:
                    action = "collaborate"
                found.append(
                    Recommendation(
                        pair=pair,
                        my_population=cell.my_population,
                        other_population=cell.other_population,
                        overlaps=cell.overlaps,
                        sentence=sentence,
                        records_visible=cell.records_visible,
                        action=action,
                        collaboration_url=collaboration_url(
                            tenant=tenant,
                            view=pair,
                            my_population=cell.my_population,
                            other_population=cell.other_population,
                            sentence=sentence,
                        )
                        if action == "collaborate"
                        else None,
                    )
                )
    return sorted(found, key=lambda r: (SENTENCE_ORDER.index((r.my_population, r.other_population)), -r.overlaps))
