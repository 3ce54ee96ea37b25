"""The ecosystem map (staff only): the program's partners and the links between them, as a graph."""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ecosystem.tenancy.access import is_uuid
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization, PartnerStatus, PartnerType, Region

from ..models import CollaborationRequest, CollaborationStatus

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
