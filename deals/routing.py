"""Which partner gets a lead: the routing rule, as one pure function over the database's current state.

The rule (docs/partner-manager.md, "Leads and routing", says the same for managers):

1. **Candidates** are the tenant's partner organisations that are
   * ``active`` (prospects, onboarding, at-risk and retired partners are left out),
   * past the sales-access gate (every agreement and security review of their onboarding plans
     done: the bulk form of :func:`onboarding.services.partner_access_gate`),
   * of the lead's partner type, when the lead names one,
   * holding **every** capability the lead needs,
   * and not among the partners who declined this lead or let an offer of it expire.
2. **Region, widening outward.** First the partners who serve the lead's region; if none,
   those who serve an adjacent region (:data:`ADJACENT_REGIONS`); if still none, every
   candidate whatever its regions (partners who list no region are reached only at this step).
   A lead without a region goes straight to "everywhere".
3. **Weight** of each candidate = tier weight / (1 + load), where the tier weight is
   ``TIER_BASE_WEIGHT`` for a partner without a tier and ``TIER_BASE_WEIGHT + 1 + rank`` for a
   tier of that rank (rank 0 = the entry tier: 2, rank 1: 3, …), and the load is the partner's
   open offers plus its accepted leads not yet converted.
4. **Pick** one at random with those weights, from a ``random.Random`` the caller passes in, over
   the candidates ordered by id: the same seed and the same data give the same partner. The
   services seed it from the lead's id and the attempt number, so running a routing again
   (a retried task) picks the same partner.

Two queries whatever the number of partners: the partners who declined or expired on this
lead, and the candidates with their tier and load (counted in subqueries). It must run where
every partner's rows are readable (staff scope, or ``across_partners``); it writes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from ecosystem.tenancy.models import Tenant
from onboarding.models import OnboardingStep, StepStatus
from onboarding.models.plans import GATING_KINDS
from partners.models import PartnerOrganization, PartnerStatus

from .models import Lead, LeadOffer, LeadStatus, OfferStatus

RULE = "routing_v1"

# The neighbourhood of each region, one ring outward. Symmetric: the Americas are adjacent to
# each other, North America and EMEA across the Atlantic, EMEA and Asia Pacific across Eurasia.
ADJACENT_REGIONS: dict[str, tuple[str, ...]] = {
    "na": ("latam", "emea"),
    "latam": ("na",),
    "emea": ("na", "apac"),
    "apac": ("emea",),
}

TIER_BASE_WEIGHT = 1.0
TOP_CANDIDATES_KEPT = 5  # how many of the heaviest candidates the vendor's "why" lists

# An offer that ended this way keeps the partner out of this lead's routing for good.
EXCLUDING_OFFER_STATUSES = (OfferStatus.DECLINED, OfferStatus.EXPIRED)


def tier_weight(rank: int | None) -> float:
    """No tier: the base weight; otherwise more for a higher rank."""
    return TIER_BASE_WEIGHT if rank is None else TIER_BASE_WEIGHT + 1 + rank


def candidate_weight(*, rank: int | None, load: int) -> float:
    return tier_weight(rank) / (1 + load)


def region_steps(region: str) -> list[tuple[str, frozenset[str] | None]]:
    """The widening steps for a lead's region: (name, regions served) with ``None`` for everywhere."""
    if not region:
        return [("everywhere", None)]
    return [
        ("same_region", frozenset({region})),
        ("adjacent_regions", frozenset(ADJACENT_REGIONS.get(region, ()))),
        ("everywhere", None),
    ]


@dataclass
class Candidate:
    partner: PartnerOrganization
    load: int
    weight: float

    def describe(self) -> dict[str, Any]:
        tier = self.partner.tier
        return {
            "partner": self.partner.name,
            "partner_id": str(self.partner.public_id),
            "tier": tier.name if tier else None,
            "tier_rank": tier.rank if tier else None,
            "load": self.load,
            "weight": round(self.weight, 4),
        }


@dataclass
class RoutingChoice:
    """The partner chosen (``None``: nobody fits) and why, as stored on ``LeadOffer.routing``."""

    partner: PartnerOrganization | None
    why: dict[str, Any] = field(default_factory=dict)
    load: int = 0
    # The heaviest candidates, named: for the vendor only (LeadRoutingDetail), never on the offer.
    weighed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return self.why.get("reason", "")


def seed_for(lead: Lead, attempt: int) -> str:
    """The production seed: the same lead and attempt always pick the same partner."""
    return f"{lead.public_id}:{attempt}"


def _load_subqueries(tenant: Tenant) -> tuple[Coalesce, Coalesce]:
    open_offers = (
        LeadOffer.objects.filter(tenant=tenant, partner=OuterRef("pk"), status=OfferStatus.OFFERED)
        .order_by()
        .values("partner")
        .annotate(n=Count("id"))
        .values("n")
    )
    accepted = (
        Lead.objects.filter(tenant=tenant, offered_to=OuterRef("pk"), status=LeadStatus.ACCEPTED)
        .order_by()
        .values("offered_to")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        Coalesce(Subquery(open_offers, output_field=IntegerField()), Value(0)),
        Coalesce(Subquery(accepted, output_field=IntegerField()), Value(0)),
    )


def partner_load(*, tenant: Tenant, partner_id: int) -> int:
    """One partner's load as the rule counts it: open offers plus accepted leads not yet converted. One query."""
    open_offers, accepted = _load_subqueries(tenant)
    row = (
        PartnerOrganization.objects.filter(tenant=tenant, pk=partner_id)
        .annotate(open_offers=open_offers, accepted_leads=accepted)
        .values_list("open_offers", "accepted_leads")
        .first()
    )
    return sum(row) if row else 0


def route_lead(*, tenant: Tenant, lead: Lead, rng: random.Random, seed: str = "") -> RoutingChoice:
    """Choose the partner for ``lead`` by the rule in this module's docstring. Reads only; two queries."""
    excluded = set(
        LeadOffer.objects.filter(tenant=tenant, lead=lead, status__in=EXCLUDING_OFFER_STATUSES).values_list(
            "partner_id", flat=True
        )
    )
    open_offers, accepted = _load_subqueries(tenant)
    gate_closed = OnboardingStep.objects.filter(tenant=tenant, partner_id=OuterRef("pk"), kind__in=GATING_KINDS).exclude(
        status=StepStatus.DONE
    )
    queryset = (
        PartnerOrganization.objects.filter(tenant=tenant, status=PartnerStatus.ACTIVE)
        .exclude(Exists(gate_closed))
        .exclude(pk__in=excluded)
        .select_related("tier")
        .annotate(open_offers=open_offers, accepted_leads=accepted)
        .order_by("id")
    )
    if lead.partner_type:
        queryset = queryset.filter(partner_type=lead.partner_type)
    if lead.capabilities:
        queryset = queryset.filter(capabilities__contains=list(lead.capabilities))
    partners = list(queryset)

    why: dict[str, Any] = {
        "rule": RULE,
        "filters": {
            "status": PartnerStatus.ACTIVE.value,
            "sales_access": "open",
            "partner_type": lead.partner_type or "any",
            "capabilities": sorted(lead.capabilities),
            "excluded_declined_or_expired": len(excluded),
        },
        "region": lead.region or "any",
        "seed": seed,
    }
    step, regions, pool = _widen(partners, lead.region)
    if not pool:
        why.update(
            {
                "widened_to": "everywhere",
                "regions": "all",
                "candidates": 0,
                "reason": _no_candidate_reason(lead, excluded=len(excluded)),
            }
        )
        return RoutingChoice(partner=None, why=why)

    candidates = []
    for partner in pool:
        load = partner.open_offers + partner.accepted_leads
        rank = partner.tier.rank if partner.tier_id else None
        candidates.append(Candidate(partner=partner, load=load, weight=candidate_weight(rank=rank, load=load)))
    chosen = _weighted_pick(candidates, rng)
    total = sum(c.weight for c in candidates)
    heaviest = sorted(candidates, key=lambda c: (-c.weight, c.partner.pk))[:TOP_CANDIDATES_KEPT]
    why.update(
        {
            "widened_to": step,
            "regions": sorted(regions) if regions is not None else "all",
            "candidates": len(candidates),
            "chosen": {**chosen.describe(), "share": round(chosen.weight / total, 4)},
            "reason": _chosen_reason(step, chosen, len(candidates)),
        }
    )
    return RoutingChoice(partner=chosen.partner, why=why, load=chosen.load, weighed=[c.describe() for c in heaviest])


def _widen(partners: list[PartnerOrganization], region: str) -> tuple[str, frozenset[str] | None, list[PartnerOrganization]]:
    """The first widening step with anyone in it: (step, regions, partners); an empty list when none has."""
    step, regions = "everywhere", None
    for step, regions in region_steps(region):
        pool = [p for p in partners if regions is None or regions & set(p.regions)]
        if pool:
            return step, regions, pool
    return step, regions, []


def _weighted_pick(candidates: list[Candidate], rng: random.Random) -> Candidate:
    """One draw from ``rng`` walked over the cumulative weights, in the candidates' (id) order."""
    total = sum(c.weight for c in candidates)
    point = rng.random() * total
    running = 0.0
    for candidate in candidates:
        running += candidate.weight
        if point < running:
            return candidate
    return candidates[-1]


def _chosen_reason(step: str, chosen: Candidate, count: int) -> str:
    where = {
        "same_region": "in the lead's region",
        "adjacent_regions": "none in the lead's region, widened to adjacent regions",
        "everywhere": "widened to every region",
    }[step]
    tier = chosen.partner.tier.name if chosen.partner.tier_id else "no tier"
    return (
        f"Picked by weight from {count} matching partner(s) ({where}): {tier}, "
        f"{chosen.load} open or accepted lead(s), weight {chosen.weight:.2f}."
    )


def _no_candidate_reason(lead: Lead, *, excluded: int) -> str:
    parts = ["No active partner with sales access"]
    if lead.partner_type:
        parts.append(f"of type {lead.partner_type}")
    if lead.capabilities:
        parts.append(f"with {', '.join(sorted(lead.capabilities))}")
    text = " ".join(parts) + " in any region"
    if excluded:
        text += f" that has not already declined or let this lead expire ({excluded} did)"
    return text + "."
