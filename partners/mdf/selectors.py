"""Market development funds: the reads. Access helpers, the queues, a partner's funds, and ROPI.

**ROPI** (return on partner investment) of a campaign = closed-won revenue of the deal registrations
tagged with it ÷ its spend; ``None`` while the spend is 0. Per partner and for the program: the
sums over the campaigns, then the ratio of the sums (never an average of ratios).

* **spend**: the approved amounts of the campaign's approved claims, payable or paid;
* **registrations**: deal registrations tagged with the campaign, any status and currency;
* **pipeline**: the estimated values of the tagged registrations that are open (pending, waiting
  for information, approved);
* **revenue**: the closed amounts of the tagged registrations that are won;
* pipeline and revenue count only registrations in the **program's currency** (the rules of
  engagement name it, as for tiers); others are not converted and not counted.

Each figure set is one SQL statement (scalar subqueries per row), whatever the number of rows.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.apps import apps
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, NullIf, Round
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.errors import ApplicationError
from ecosystem.tenancy.access import access_row, is_uuid
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization

from .models import (
    FUNDED_STATUSES,
    SPENT_STATUSES,
    MdfAllocation,
    MdfBudget,
    MdfClaim,
    MdfEvidence,
    MdfRequest,
    RequestStatus,
)
from .services import Funds, budget_for_day, partner_funds, program_currency

MONEY = DecimalField(max_digits=18, decimal_places=2)
RATIO = DecimalField(max_digits=18, decimal_places=2)
OPEN_REGISTRATION_STATUSES = ("pending", "info_requested", "approved")

# --- access ----------------------------------------------------------------------------------------


def access_request(*, tenant: Tenant, public_id, partner_id: int | None = None) -> MdfRequest:
    return access_row(MdfRequest.objects.select_related("partner"), tenant=tenant, public_id=public_id, partner_id=partner_id)


def access_claim(*, tenant: Tenant, public_id, partner_id: int | None = None) -> MdfClaim:
    return access_row(
        MdfClaim.objects.select_related("request", "partner"), tenant=tenant, public_id=public_id, partner_id=partner_id
    )


def access_evidence(*, tenant: Tenant, public_id, partner_id: int | None = None) -> MdfEvidence:
    return access_row(MdfEvidence.objects.all(), tenant=tenant, public_id=public_id, partner_id=partner_id)


def access_budget(*, tenant: Tenant, public_id) -> MdfBudget:
    return access_row(MdfBudget.objects.all(), tenant=tenant, public_id=public_id)


def campaign_for_registration(*, tenant: Tenant, partner_id: int, public_id) -> MdfRequest:
    """The partner's own funded campaign a registration may be tagged with; anything else is a field error."""
    campaign = None
    if is_uuid(public_id):
        campaign = MdfRequest.objects.filter(
            tenant=tenant, partner_id=partner_id, public_id=public_id, status__in=FUNDED_STATUSES
        ).first()
    if campaign is None:
        raise ApplicationError(
            _("Choose one of your organisation's approved MDF campaigns."), code="invalid_choice", field="mdf_request"
        )
    return campaign


def registrable_campaigns(*, tenant: Tenant, partner_id: int) -> list[tuple[str, str]]:
    """(public id, title) of the partner's funded campaigns, newest first: the registration form's choices. One query."""
    rows = (
        MdfRequest.objects.filter(tenant=tenant, partner_id=partner_id, status__in=FUNDED_STATUSES)
        .order_by("-start_date", "-id")
        .values_list("public_id", "title")[:200]
    )
    return [(str(public_id), title) for public_id, title in rows]


# --- budgets and funds -----------------------------------------------------------------------------


def budgets_with_figures(*, tenant: Tenant) -> QuerySet:
    """Budgets, newest first, with what their requests hold (``committed``) and what is left. One query."""
    committed = (
        MdfRequest.objects.filter(tenant=tenant, budget=OuterRef("pk"), status__in=FUNDED_STATUSES)
        .order_by()
        .values("budget")
        .annotate(total=Sum("approved_amount"))
        .values("total")
    )
    return (
        MdfBudget.objects.filter(tenant=tenant)
        .annotate(committed=Coalesce(Subquery(committed, output_field=MONEY), Value(Decimal(0)), output_field=MONEY))
        .annotate(left=F("amount") - F("committed"))
        .order_by("-year", "-quarter")
    )


def budget_allocations(*, tenant: Tenant, budget: MdfBudget) -> list[MdfAllocation]:
    """The budget's allocations: tiers first (by rank), then partners by name. One query."""
    return list(
        MdfAllocation.objects.filter(tenant=tenant, budget=budget)
        .select_related("partner", "tier")
        .order_by(F("tier__rank").desc(nulls_last=True), "partner__name", "id")
    )


def funds_this_quarter(
    *, tenant: Tenant, partner: PartnerOrganization, today: datetime.date | None = None
) -> tuple[MdfBudget | None, Funds | None]:
    """The current quarter's budget and the partner's funds in it (``(None, None)`` without a budget)."""
    budget = budget_for_day(tenant=tenant, day=today or timezone.localdate())
    if budget is None:
        return None, None
    return budget, partner_funds(tenant=tenant, budget=budget, partner=partner)


# --- lists -----------------------------------------------------------------------------------------


def requests_for_partner(*, tenant: Tenant, partner_id: int) -> QuerySet:
    """The partner's requests, newest first, each with its latest claim's status (``claim_status``). One query."""
    latest_claim = MdfClaim.objects.filter(tenant=tenant, request=OuterRef("pk")).order_by("-submitted_at", "-id")
    return (
        MdfRequest.objects.filter(tenant=tenant, partner_id=partner_id)
        .annotate(claim_status=Subquery(latest_claim.values("status")[:1]))
        .order_by("-submitted_at", "-id")
    )


def _own_allocation(tenant: Tenant) -> Subquery:
    return Subquery(
        MdfAllocation.objects.filter(tenant=tenant, budget=OuterRef("budget_id"), partner=OuterRef("partner_id")).values(
            "amount"
        )[:1],
        output_field=MONEY,
    )


def _tier_allocation(tenant: Tenant) -> Subquery:
    return Subquery(
        MdfAllocation.objects.filter(tenant=tenant, budget=OuterRef("budget_id"), tier=OuterRef("partner__tier_id")).values(
            "amount"
        )[:1],
        output_field=MONEY,
    )


def request_queue(*, tenant: Tenant, status: str | None = RequestStatus.SUBMITTED) -> QuerySet:
    """Requests for staff (``status`` None: all), oldest waiting first, with the partner's funds beside each.

    Annotations: ``available`` (own allocation, else the tier's, else 0), ``committed`` (the
    partner's funded requests of that budget: a request waiting for a decision is not among them, an
    approved one is), ``partner_remaining`` and ``budget_left``. One query.
    """
    committed = (
        MdfRequest.objects.filter(
            tenant=tenant, budget=OuterRef("budget_id"), partner=OuterRef("partner_id"), status__in=FUNDED_STATUSES
        )
        .order_by()
        .values("partner")
        .annotate(total=Sum("approved_amount"))
        .values("total")
    )
    budget_committed = (
        MdfRequest.objects.filter(tenant=tenant, budget=OuterRef("budget_id"), status__in=FUNDED_STATUSES)
        .order_by()
        .values("budget")
        .annotate(total=Sum("approved_amount"))
        .values("total")
    )
    zero = Value(Decimal(0))
    queryset = MdfRequest.objects.filter(tenant=tenant).select_related("partner", "budget")
    if status:
        queryset = queryset.filter(status=status)
    return (
        queryset.annotate(
            available=Coalesce(_own_allocation(tenant), _tier_allocation(tenant), zero, output_field=MONEY),
            committed=Coalesce(Subquery(committed, output_field=MONEY), zero, output_field=MONEY),
            budget_committed=Coalesce(Subquery(budget_committed, output_field=MONEY), zero, output_field=MONEY),
        )
        .annotate(partner_remaining=F("available") - F("committed"), budget_left=F("budget__amount") - F("budget_committed"))
        .order_by("submitted_at", "id")
    )


def claim_queue(*, tenant: Tenant, status: str | None = None) -> QuerySet:
    """Claims for staff, oldest first, with their request and partner (``evidence_rows`` prefetched). Two queries a page."""
    queryset = MdfClaim.objects.filter(tenant=tenant).select_related("request", "partner").prefetch_related("evidence")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("submitted_at", "id")


def claims_of_request(*, tenant: Tenant, request: MdfRequest) -> list[MdfClaim]:
    return list(
        MdfClaim.objects.filter(tenant=tenant, request=request).prefetch_related("evidence").order_by("-submitted_at", "-id")
    )


# --- ROPI ------------------------------------------------------------------------------------------


def _sum(queryset: QuerySet, field: str, group: str):
    """SUM(field) of ``queryset`` (filtered on an OuterRef) as a scalar subquery, 0 when empty."""
    total = queryset.order_by().values(group).annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(total, output_field=MONEY), Value(Decimal(0)), output_field=MONEY)


def _count(queryset: QuerySet, group: str):
    total = queryset.order_by().values(group).annotate(total=Count("id")).values("total")
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0), output_field=IntegerField())


def _figures(
    *, tenant: Tenant, claims: QuerySet, registrations: QuerySet, leads: QuerySet, group: str, currency: str | None
) -> dict:
    currency = currency or program_currency(tenant=tenant)
    return {
        "spend": _sum(claims.filter(status__in=SPENT_STATUSES), "approved_amount", group),
        "tagged_registrations": _count(registrations, group),
        "tagged_leads": _count(leads, group),
        "pipeline": _sum(registrations.filter(status__in=OPEN_REGISTRATION_STATUSES, currency=currency), "value", group),
        "revenue": _sum(registrations.filter(status="won", currency=currency), "closed_amount", group),
    }


def _ropi():
    # NULLIF turns a spend of 0 into NULL, and x / NULL is NULL: no ROPI without spend.
    return Round(F("revenue") / NullIf(F("spend"), Value(Decimal(0))), 2, output_field=RATIO)


def campaigns_with_ropi(
    *, tenant: Tenant, partner_id: int | None = None, budget: MdfBudget | None = None, currency: str | None = None
) -> QuerySet:
    """Funded requests (campaigns), newest first, with spend, registrations, leads, pipeline, revenue and ROPI. One query."""
    registration = apps.get_model("deals", "DealRegistration")
    lead = apps.get_model("deals", "Lead")
    figures = _figures(
        tenant=tenant,
        claims=MdfClaim.objects.filter(tenant=tenant, request=OuterRef("pk")),
        registrations=registration.objects.filter(tenant=tenant, mdf_request=OuterRef("pk")),
        leads=lead.objects.filter(tenant=tenant, mdf_request=OuterRef("pk")),
        group="tenant",
        currency=currency,
    )
    queryset = MdfRequest.objects.filter(tenant=tenant, status__in=FUNDED_STATUSES).select_related("partner")
    if partner_id is not None:
        queryset = queryset.filter(partner_id=partner_id)
    if budget is not None:
        queryset = queryset.filter(budget=budget)
    return queryset.annotate(**figures).annotate(ropi=_ropi()).order_by("-start_date", "-id")


def partners_with_ropi(*, tenant: Tenant, currency: str | None = None) -> QuerySet:
    """Partners with at least one campaign, by name, with the sums over their campaigns and their ROPI. One query."""
    registration = apps.get_model("deals", "DealRegistration")
    lead = apps.get_model("deals", "Lead")
    figures = _figures(
        tenant=tenant,
        claims=MdfClaim.objects.filter(tenant=tenant, partner=OuterRef("pk")),
        registrations=registration.objects.filter(tenant=tenant, mdf_request__partner=OuterRef("pk")),
        leads=lead.objects.filter(tenant=tenant, mdf_request__partner=OuterRef("pk")),
        group="tenant",
        currency=currency,
    )
    funded = MdfRequest.objects.filter(tenant=tenant, partner=OuterRef("pk"), status__in=FUNDED_STATUSES)
    return (
        PartnerOrganization.objects.filter(tenant=tenant)
        .filter(Exists(funded))
        .annotate(campaigns=_count(funded, "tenant"), **figures)
        .annotate(ropi=_ropi())
        .order_by("name", "id")
    )


def program_ropi(*, tenant: Tenant, currency: str | None = None) -> dict:
    """The program's sums over every campaign and its ROPI (ratio of the sums). One query."""
    registration = apps.get_model("deals", "DealRegistration")
    lead = apps.get_model("deals", "Lead")
    figures = _figures(
        tenant=tenant,
        claims=MdfClaim.objects.filter(tenant=OuterRef("pk")),
        registrations=registration.objects.filter(tenant=OuterRef("pk"), mdf_request__isnull=False),
        leads=lead.objects.filter(tenant=OuterRef("pk"), mdf_request__isnull=False),
        group="tenant",
        currency=currency,
    )
    funded = MdfRequest.objects.filter(tenant=OuterRef("pk"), status__in=FUNDED_STATUSES)
    return (
        Tenant.objects.filter(pk=tenant.pk)
        .annotate(campaigns=_count(funded, "tenant"), **figures)
        .annotate(ropi=_ropi())
        .values("campaigns", "spend", "tagged_registrations", "tagged_leads", "pipeline", "revenue", "ropi")
        .get()
    )
