"""Joint solutions: the reads the pages, the API, the deals and the other areas share.

Row-level security decides what a partner user reads of the solutions themselves (its team's).
The catalogue of solutions in market is program information every partner may browse: it is
read through :func:`~ecosystem.tenancy.context.across_partners` and only :class:`CatalogueEntry`
comes back (name, summary, industries, regions, orchestrator's name, components' partner names,
roles and what they deliver) — never a partner's public id, a decision reason or a deal.

Figures (:func:`solution_figures`) add up the registering partners' deal values: vendor staff only.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.tenancy.access import is_uuid
from ecosystem.tenancy.context import across_partners
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization, Region

from .models import ComponentStatus, JointSolution, OrchestratorKind, SolutionComponent, SolutionStatus
from .services import SOLUTION_PARTNER_STATUSES, managing_partner_ids

CATALOGUE_LIMIT = 1000


# --- the contract with the other areas -------------------------------------------------------------


def solutions_of_partner(*, partner_id: int) -> QuerySet:
    """The in-market solutions ``partner_id`` has an accepted component in, by name (one query when evaluated).

    Call inside the tenant's scope. In another partner's scope (a directory profile), evaluate it
    inside ``across_partners``: solutions in market are catalogue information every partner may read.
    """
    return (
        JointSolution.objects.filter(
            status=SolutionStatus.IN_MARKET,
            components__partner_id=partner_id,
            components__status=ComponentStatus.ACCEPTED,
        )
        .distinct()
        .order_by("name", "id")
    )


def solution_partner_ids(*, solution: JointSolution) -> list[int]:
    """The partners that deliver ``solution``: the orchestrating partner and every accepted component's partner.

    Sorted, no duplicates; invited, declined and proposing-only partners are not in it.
    """
    with across_partners(reason="solutions: the partner ids of one solution's team, nothing else"):
        accepted = set(
            SolutionComponent.objects.filter(
                tenant_id=solution.tenant_id, solution_id=solution.pk, status=ComponentStatus.ACCEPTED
            ).values_list("partner_id", flat=True)
        )
    if solution.orchestrator_partner_id:
        accepted.add(solution.orchestrator_partner_id)
    return sorted(accepted)


# --- vendor staff ----------------------------------------------------------------------------------


def solutions_for_staff(*, tenant: Tenant, filters: dict[str, str] | None = None) -> QuerySet:
    """Every solution of the tenant, filtered by status, industry, region and a name search; by name."""
    filters = filters or {}
    queryset = JointSolution.objects.filter(tenant=tenant).annotate(
        component_count=Count("components", filter=~Q(components__status=ComponentStatus.DECLINED))
    )
    return _filtered(queryset, filters).order_by("name", "id")


def _filtered(queryset: QuerySet, filters: dict[str, str]) -> QuerySet:
    status = filters.get("status") or ""
    if status in SolutionStatus.values:
        queryset = queryset.filter(status=status)
    region = filters.get("region") or ""
    if region in Region.values:
        queryset = queryset.filter(regions__contains=[region])
    industry = " ".join(str(filters.get("industry") or "").split())[:60]
    if industry:
        queryset = queryset.filter(industries__icontains=industry)
    search = " ".join(str(filters.get("q") or "").split())[:100]
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(summary__icontains=search))
    return queryset


def access_solution(*, tenant: Tenant, public_id: Any, partner_id: int | None = None) -> JointSolution:
    """A solution the caller reads: any for staff (``partner_id`` None); for a partner, one it is on the team of.

    404 for missing and foreign alike (row-level security hides other partners' solutions too).
    """
    if not is_uuid(public_id):
        raise NotFoundError()
    queryset = JointSolution.objects.filter(tenant=tenant, public_id=public_id).select_related(
        "orchestrator_partner", "orchestrator_user", "proposed_by"
    )
    if partner_id is not None:
        queryset = queryset.filter(team_partner_ids__contains=[partner_id])
    solution = queryset.first()
    if solution is None:
        raise NotFoundError()
    return solution


@dataclass(frozen=True)
class ComponentRow:
    public_id: uuid.UUID
    partner_name: str
    partner_type: str
    partner_id: int
    role: str
    role_label: str
    description: str
    status: str
    status_label: str


def solution_components(*, tenant: Tenant, solution: JointSolution, include_declined: bool = True) -> list[ComponentRow]:
    """The components of a solution the caller reads, with their partners' names (two queries)."""
    with across_partners(reason="solutions: the components of a solution the caller is on, with partner names"):
        rows = list(SolutionComponent.objects.filter(tenant=tenant, solution_id=solution.pk).order_by("added_at", "id"))
        names = {
            pk: (name, kind)
            for pk, name, kind in PartnerOrganization.objects.filter(
                tenant=tenant, pk__in={r.partner_id for r in rows}
            ).values_list("pk", "name", "partner_type")
        }
    return [
        ComponentRow(
            public_id=r.public_id,
            partner_name=names.get(r.partner_id, ("", ""))[0],
            partner_type=names.get(r.partner_id, ("", ""))[1],
            partner_id=r.partner_id,
            role=r.role,
            role_label=r.get_role_display(),
            description=r.description,
            status=r.status,
            status_label=r.get_status_display(),
        )
        for r in rows
        if include_declined or r.status != ComponentStatus.DECLINED
    ]


def access_component(*, tenant: Tenant, solution: JointSolution, component_id: Any) -> SolutionComponent:
    """A component of a solution the caller already accessed; 404 otherwise."""
    if not is_uuid(component_id):
        raise NotFoundError()
    with across_partners(reason="solutions: a component of a solution the caller manages"):
        component = (
            SolutionComponent.objects.filter(tenant=tenant, solution=solution, public_id=component_id)
            .select_related("solution")
            .first()
        )
    if component is None:
        raise NotFoundError()
    return component


def invitable_partners(
    *, tenant: Tenant, solution: JointSolution | None = None, search: str = "", limit: int = 200
) -> list[dict]:
    """Active partners of the program by name and type (public id, name, type only), for a component or orchestrator pick."""
    with across_partners(reason="solutions: the program's active partners by name and type, to pick one"):
        queryset = PartnerOrganization.objects.filter(tenant=tenant, status__in=SOLUTION_PARTNER_STATUSES).order_by("name", "id")
        search = " ".join(str(search or "").split())[:100]
        if search:
            queryset = queryset.filter(name__icontains=search)
        return list(queryset.values("public_id", "name", "partner_type")[:limit])


def partner_by_public_id(*, tenant: Tenant, public_id: Any, field: str = "partner") -> PartnerOrganization:
    """One partner of the program by public id (``invalid_choice`` on ``field`` otherwise)."""
    partner = None
    if is_uuid(public_id):
        with across_partners(reason="solutions: find the partner picked, by its public id"):
            partner = PartnerOrganization.objects.filter(tenant=tenant, public_id=public_id).first()
    if partner is None:
        raise ApplicationError(_("Choose an active partner of this program."), code="invalid_choice", field=field)
    return partner


# --- figures ---------------------------------------------------------------------------------------


@dataclass
class PartnerWon:
    partner_name: str
    roles: list[str]
    won_count: int = 0
    won_revenue: Decimal = Decimal(0)


@dataclass
class SolutionFigures:
    open_count: int = 0
    open_value: Decimal = Decimal(0)
    by_stage: list[dict] = field(default_factory=list)  # [{"stage", "label", "count", "value"}]
    won_count: int = 0
    won_revenue: Decimal = Decimal(0)
    per_partner: list[PartnerWon] = field(default_factory=list)


def solution_deals(*, tenant: Tenant, solution: JointSolution) -> QuerySet:
    """The deal registrations that reference ``solution`` (vendor staff), newest first."""
    from deals.models import DealRegistration

    return (
        DealRegistration.objects.filter(tenant=tenant, joint_solution=solution)
        .select_related("partner")
        .order_by("-submitted_at", "-id")
    )


def solution_figures(*, tenant: Tenant, solution: JointSolution) -> SolutionFigures:
    """Pipeline and won revenue of the registrations that reference the solution. Vendor staff only.

    * **Open pipeline**: registrations in an open stage (prospecting … negotiation) with an active
      status (pending, more information requested, approved): count and sum of ``value``, per stage.
    * **Closed-won revenue**: registrations with stage *closed won*: count and sum of ``closed_amount``.
    * **Per component partner**: the closed-won revenue of the solution's deals that partner is on
      the team of (registering or accepted co-seller). A deal counts in full for every partner on it,
      so the rows add up to more than the total: splitting credit is the attribution engine's job.

    Three queries: the open figures per stage, the won deals' amounts and teams, the components.
    """
    from deals.models import ACTIVE_STATUSES, OPEN_STAGES, DealRegistration, DealStage

    figures = SolutionFigures()
    stage_labels = dict(DealStage.choices)
    open_rows = {
        row["stage"]: row
        for row in DealRegistration.objects.filter(
            tenant=tenant, joint_solution=solution, stage__in=OPEN_STAGES, status__in=ACTIVE_STATUSES
        )
        .values("stage")
        .annotate(count=Count("id"), value=Sum("value"))
    }
    for stage in OPEN_STAGES:
        row = open_rows.get(stage, {"count": 0, "value": Decimal(0)})
        figures.by_stage.append(
            {"stage": str(stage), "label": str(stage_labels[stage]), "count": row["count"], "value": row["value"] or Decimal(0)}
        )
        figures.open_count += row["count"]
        figures.open_value += row["value"] or Decimal(0)
    won = list(
        DealRegistration.objects.filter(tenant=tenant, joint_solution=solution, stage=DealStage.CLOSED_WON).values_list(
            "closed_amount", "team_partner_ids"
        )
    )
    figures.won_count = len(won)
    figures.won_revenue = sum((amount or Decimal(0) for amount, _team in won), Decimal(0))
    partners: dict[int, PartnerWon] = {}
    for component in solution_components(tenant=tenant, solution=solution, include_declined=False):
        if component.status != ComponentStatus.ACCEPTED:
            continue
        entry = partners.setdefault(component.partner_id, PartnerWon(partner_name=component.partner_name, roles=[]))
        entry.roles.append(component.role_label)
    for amount, team in won:
        for partner_id in set(team or []):
            if partner_id in partners:
                partners[partner_id].won_count += 1
                partners[partner_id].won_revenue += amount or Decimal(0)
    figures.per_partner = sorted(partners.values(), key=lambda p: (-p.won_revenue, p.partner_name))
    return figures


# --- partners --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueComponent:
    partner_name: str
    role_label: str
    description: str


@dataclass(frozen=True)
class CatalogueEntry:
    """What every partner of the program reads of a solution in market."""

    public_id: uuid.UUID
    name: str
    summary: str
    industries: list[str]
    regions: list[str]
    region_labels: list[str]
    orchestrator: str
    launched_at: Any
    components: list[CatalogueComponent] = field(default_factory=list)


def catalogue_entries(*, tenant: Tenant, solutions: list[JointSolution]) -> list[CatalogueEntry]:
    """Catalogue entries for ``solutions`` (read across partners by the caller): one query for components, one for names."""
    ids = [s.pk for s in solutions]
    components = list(
        SolutionComponent.objects.filter(tenant=tenant, solution_id__in=ids, status=ComponentStatus.ACCEPTED).order_by(
            "added_at", "id"
        )
    )
    partner_ids = {c.partner_id for c in components} | {s.orchestrator_partner_id for s in solutions if s.orchestrator_partner_id}
    names = dict(PartnerOrganization.objects.filter(tenant=tenant, pk__in=partner_ids).values_list("pk", "name"))
    by_solution: dict[int, list[CatalogueComponent]] = defaultdict(list)
    for c in components:
        by_solution[c.solution_id].append(
            CatalogueComponent(
                partner_name=names.get(c.partner_id, ""), role_label=c.get_role_display(), description=c.description
            )
        )
    region_labels = dict(Region.choices)
    return [
        CatalogueEntry(
            public_id=s.public_id,
            name=s.name,
            summary=s.summary,
            industries=list(s.industries),
            regions=list(s.regions),
            region_labels=[str(region_labels.get(r, r)) for r in s.regions],
            orchestrator=names.get(s.orchestrator_partner_id, "")
            if s.orchestrator_kind == OrchestratorKind.PARTNER
            else tenant.name,
            launched_at=s.launched_at,
            components=by_solution.get(s.pk, []),
        )
        for s in solutions
    ]


def catalogue(*, tenant: Tenant, filters: dict[str, str] | None = None) -> list[CatalogueEntry]:
    """The solutions in market, by name, filtered by industry, region and a search; public fields only. Three queries."""
    filters = {key: value for key, value in (filters or {}).items() if key != "status"}
    with across_partners(reason="solutions: the catalogue of solutions in market, public fields only"):
        solutions = list(
            _filtered(JointSolution.objects.filter(tenant=tenant, status=SolutionStatus.IN_MARKET), filters).order_by(
                "name", "id"
            )[:CATALOGUE_LIMIT]
        )
        return catalogue_entries(tenant=tenant, solutions=solutions)


def catalogue_entry(*, tenant: Tenant, public_id: Any) -> CatalogueEntry:
    """One solution in market, public fields only; 404 for anything else."""
    if not is_uuid(public_id):
        raise NotFoundError()
    with across_partners(reason="solutions: one solution in market, public fields only"):
        solution = JointSolution.objects.filter(tenant=tenant, public_id=public_id, status=SolutionStatus.IN_MARKET).first()
        if solution is None:
            raise NotFoundError()
        return catalogue_entries(tenant=tenant, solutions=[solution])[0]


def solutions_for_partner(*, tenant: Tenant, partner_id: int) -> QuerySet:
    """ "Our solutions": every solution ``partner_id`` is on the team of, in any state, by name (one query)."""
    return JointSolution.objects.filter(tenant=tenant, team_partner_ids__contains=[partner_id]).order_by("name", "id")


def with_partner_names(*, tenant: Tenant, solutions: list[JointSolution]) -> list[JointSolution]:
    """Set ``orchestrator_name`` and ``proposer_name`` on each solution (one query across partners, names only).

    A partner's own scope cannot read another partner's organisation row, so the orchestrating or
    proposing partner of a solution it is on would read as nobody. The vendor's name stands in for
    a vendor-orchestrated solution.
    """
    ids = {pk for s in solutions for pk in (s.orchestrator_partner_id, s.proposed_by_id) if pk}
    names = {}
    if ids:
        with across_partners(reason="solutions: the names of the partners that orchestrate or proposed a solution"):
            names = dict(PartnerOrganization.objects.filter(tenant=tenant, pk__in=ids).values_list("pk", "name"))
    for solution in solutions:
        solution.orchestrator_name = names.get(solution.orchestrator_partner_id, "") or tenant.name
        solution.proposer_name = names.get(solution.proposed_by_id, "")
    return solutions


def invitations_for_partner(*, tenant: Tenant, partner_id: int) -> QuerySet:
    """The open component invitations of ``partner_id``, newest first, with their solution (one query)."""
    return (
        SolutionComponent.objects.filter(tenant=tenant, partner_id=partner_id, status=ComponentStatus.INVITED)
        .select_related("solution")
        .order_by("-added_at", "-id")
    )


def access_invitation(*, tenant: Tenant, public_id: Any, partner_id: int) -> SolutionComponent:
    """An open invitation of ``partner_id``; 404 for anything else (answered, another partner's, missing)."""
    if not is_uuid(public_id):
        raise NotFoundError()
    component = (
        SolutionComponent.objects.filter(
            tenant=tenant, public_id=public_id, partner_id=partner_id, status=ComponentStatus.INVITED
        )
        .select_related("solution")
        .first()
    )
    if component is None:
        raise NotFoundError()
    return component


def can_manage(*, solution: JointSolution, partner_id: int) -> bool:
    """Whether ``partner_id``'s admins may change the solution now (a managing partner, draft)."""
    return partner_id in managing_partner_ids(solution) and solution.status == SolutionStatus.DRAFT


# --- deals -----------------------------------------------------------------------------------------


def registrable_solutions(*, tenant: Tenant, partner_id: int) -> list[tuple[str, str]]:
    """(public id, name) of the in-market solutions ``partner_id`` may register a deal for (one query).

    The partner delivers the solution: an accepted component, or it orchestrates it.
    """
    return [
        (str(public_id), name)
        for public_id, name in JointSolution.objects.filter(tenant=tenant, status=SolutionStatus.IN_MARKET)
        .filter(
            Q(orchestrator_partner_id=partner_id)
            | Q(components__partner_id=partner_id, components__status=ComponentStatus.ACCEPTED)
        )
        .distinct()
        .order_by("name")
        .values_list("public_id", "name")
    ]


def solution_for_registration(*, tenant: Tenant, partner_id: int, public_id: Any) -> JointSolution:
    """The in-market solution a registration of ``partner_id`` references; ``invalid_choice`` on ``joint_solution`` otherwise.

    Read across partners so that "not in market" and "not yours" give the same field error.
    """
    solution = None
    if is_uuid(public_id):
        with across_partners(reason="solutions: may this partner register a deal for this solution?"):
            solution = JointSolution.objects.filter(tenant=tenant, public_id=public_id).first()
            if solution is not None and (
                solution.status != SolutionStatus.IN_MARKET or partner_id not in solution_partner_ids(solution=solution)
            ):
                solution = None
    if solution is None:
        raise ApplicationError(
            _("Choose a solution in market that your organisation delivers."), code="invalid_choice", field="joint_solution"
        )
    return solution


def lead_solution_choices(*, tenant: Tenant) -> list[tuple[str, str]]:
    """(public id, name) of the solutions in market, for a lead (vendor staff)."""
    return [
        (str(public_id), name)
        for public_id, name in JointSolution.objects.filter(tenant=tenant, status=SolutionStatus.IN_MARKET)
        .order_by("name")
        .values_list("public_id", "name")
    ]


def solution_for_lead(*, tenant: Tenant, public_id: Any) -> JointSolution | None:
    """The in-market solution a lead references (None for blank); ``invalid_choice`` on ``joint_solution`` otherwise."""
    if public_id in (None, ""):
        return None
    solution = (
        JointSolution.objects.filter(tenant=tenant, public_id=public_id, status=SolutionStatus.IN_MARKET).first()
        if is_uuid(public_id)
        else None
    )
    if solution is None:
        raise ApplicationError(_("Choose a solution in market."), code="invalid_choice", field="joint_solution")
    return solution
