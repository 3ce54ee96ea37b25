"""What a partner user may read of attribution: its own credit and the journeys behind it.

Runs are staff-only rows and other partners' touches are invisible to a partner user (row-level
security), so two reads cross partners with :func:`~ecosystem.tenancy.context.across_partners`, each
returning only what the partner may know:

* :func:`partner_run_header`: the *header* of the latest succeeded run by partner that still has its
  per-deal detail (period, models, finish time, public id); never its summary, which names every
  channel;
* :func:`partner_journeys_named` and :func:`partner_journey`: the deals of the journeys and their other
  touches, anonymised. Another partner is named only when it **co-sold the deal with the caller**:
  both are on the deal's team (the registering partner plus every partner whose participation is
  accepted: the registration's ``team_partner_ids`` and its accepted ``DealParticipant`` rows).
  Otherwise it is "Another partner", with no id. The customer is shown as the registering partner
  typed it only when the caller is on the team; otherwise "a customer account".

Nothing returned carries another partner's id or public id. The caller's own credit
(:class:`~attribution.models.AttributionCredit`) and own touches
(:class:`~attribution.models.AttributionTouch`) are read in the caller's own scope.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from uuid import UUID

from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _

from deals.models import DealParticipant, DealRegistration
from deals.models.cosell import ParticipantStatus
from ecosystem.errors import NotFoundError
from ecosystem.tenancy.context import across_partners
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization

from .forms import model_label
from .models import (
    AttributionCredit,
    AttributionRun,
    AttributionTouch,
    ChannelDimension,
    OutcomeKind,
    RunStatus,
    Touchpoint,
    TouchpointType,
)
from .services import PER_TOUCH_MODELS

ANOTHER_PARTNER = "Another partner"
A_CUSTOMER_ACCOUNT = "a customer account"


@dataclass(frozen=True)
class RunHeader:
    """What a partner may know of a run: no summary, no figures of other partners."""

    pk: int  # internal, for the reads below; never rendered
    public_id: UUID
    period_start: datetime.date
    period_end: datetime.date
    model_names: tuple[str, ...]
    finished_at: datetime.datetime | None

    @property
    def touch_models(self) -> list[str]:
        """The run's models that split each deal per touch (Markov and Shapley on rates do not)."""
        return [m for m in self.model_names if m in PER_TOUCH_MODELS]

    def chosen_model(self, wanted: str | None) -> str | None:
        """``wanted`` when it is one of the run's per-touch models; else linear, or the first one."""
        models = self.touch_models
        if wanted in models:
            return wanted
        if "linear" in models:
            return "linear"
        return models[0] if models else None


@dataclass(frozen=True)
class ModelCredit:
    model: str
    label: str
    conversions: float
    value: float


@dataclass
class JourneyRow:
    """One deal of the run the caller has a touch in, with the caller's share under ``model``."""

    registration_public_id: UUID
    customer: str
    co_sold: bool
    outcome: int
    outcome_label: str
    outcome_on: datetime.date
    conv: float
    value: float
    length: int
    own_touches: int
    share: float | None  # the caller's touches' share of the journey under the chosen model
    shares: dict[str, float] = field(default_factory=dict)  # per per-touch model, when the rows carry them

    @property
    def own_conversions(self) -> float | None:
        return None if self.share is None else self.share * self.conv

    @property
    def own_value(self) -> float | None:
        return None if self.share is None else self.share * self.value


@dataclass(frozen=True)
class JourneyTouch:
    position: int
    own: bool
    partner_name: str  # the caller's own name, a co-seller's name, or "Another partner"
    touch_type: str
    touch_type_label: str
    touch_on: datetime.date
    days: float
    shares: dict[str, float]


@dataclass
class Journey:
    row: JourneyRow
    touches: list[JourneyTouch] = field(default_factory=list)
    credits: list[ModelCredit] = field(default_factory=list)  # the caller's, per per-touch model


def partner_run_header(*, tenant: Tenant) -> RunHeader | None:
    """The latest succeeded run by partner whose per-deal detail is kept, as a header; ``None`` when none."""
    with across_partners(reason="attribution: the header of the latest run by partner (period, models, id), never its figures"):
        row = (
            AttributionRun.objects.filter(
                tenant=tenant, status=RunStatus.SUCCEEDED, dimension=ChannelDimension.PARTNER, details_kept=True
            )
            .order_by("-finished_at", "-id")
            .values_list("pk", "public_id", "period_start", "period_end", "model_names", "finished_at")
            .first()
        )
    if row is None:
        return None
    pk, public_id, start, end, models, finished = row
    return RunHeader(pk, public_id, start, end, tuple(models), finished)


def partner_credits(*, tenant: Tenant, run: RunHeader, partner_id: int) -> list[ModelCredit]:
    """The caller's credited conversions and value under each of the run's models (0 where it has none)."""
    found = {
        model: (conv, value)
        for model, conv, value in AttributionCredit.objects.filter(
            tenant=tenant, run_id=run.pk, partner_id=partner_id
        ).values_list("model", "conversions", "value")
    }
    return [ModelCredit(m, model_label(m), *found.get(m, (0.0, 0.0))) for m in run.model_names]


def partner_journey_rows(*, tenant: Tenant, run: RunHeader, partner_id: int, model: str | None) -> QuerySet:
    """The caller's journeys in ``run`` (one row per deal, newest outcome first), from its own touches only.

    Each row: registration id, outcome, its date, conv, value, the journey's length, the caller's
    number of touches and (``share``) the sum of its touches' shares under ``model``.
    """
    rows = (
        AttributionTouch.objects.filter(tenant=tenant, run_id=run.pk, partner_id=partner_id)
        .values("registration_id", "outcome", "outcome_on", "conv", "value", "length")
        .annotate(own_touches=Count("id"))
    )
    if model is not None:
        rows = rows.annotate(share=Sum(model))
    return rows.order_by("-outcome_on", "-registration_id")


def _teams(registration_rows: list[tuple]) -> dict[int, set[int]]:
    """Per registration id: its team (the registering partner, ``team_partner_ids`` and accepted participants).

    Call inside ``across_partners``. ``registration_rows`` are (pk, partner_id, team_partner_ids, …).
    """
    teams: dict[int, set[int]] = {pk: {partner, *(team or ())} for pk, partner, team, *_rest in registration_rows}
    accepted = DealParticipant.objects.filter(registration_id__in=teams, status=ParticipantStatus.ACCEPTED).values_list(
        "registration_id", "partner_id"
    )
    for registration_id, partner in accepted:
        teams[registration_id].add(partner)
    return teams


def partner_journeys_named(*, tenant: Tenant, partner_id: int, rows: list[dict]) -> list[JourneyRow]:
    """``rows`` of :func:`partner_journey_rows` (one page) with each deal's public id and, when co-sold, customer."""
    ids = [r["registration_id"] for r in rows]
    with across_partners(reason="attribution: the deals of the caller's journeys, named only where it is on the team"):
        registrations = list(
            DealRegistration.objects.filter(tenant=tenant, pk__in=ids).values_list(
                "pk", "partner_id", "team_partner_ids", "public_id", "customer_name"
            )
        )
        teams = _teams(registrations)
    deals = {pk: (public_id, customer) for pk, _p, _t, public_id, customer in registrations}
    out = []
    for r in rows:
        if r["registration_id"] not in deals:
            continue  # a registration deleted since the run: nothing to link to
        public_id, customer = deals[r["registration_id"]]
        on_team = partner_id in teams[r["registration_id"]]
        out.append(
            JourneyRow(
                registration_public_id=public_id,
                customer=customer if on_team else _(A_CUSTOMER_ACCOUNT),
                co_sold=on_team,
                outcome=r["outcome"],
                outcome_label=str(OutcomeKind(r["outcome"]).label),
                outcome_on=r["outcome_on"],
                conv=r["conv"],
                value=r["value"],
                length=r["length"],
                own_touches=r["own_touches"],
                share=r.get("share"),
                shares={m: r[f"share_{m}"] for m in PER_TOUCH_MODELS if f"share_{m}" in r},
            )
        )
    return out


def partner_journey_rows_all_models(*, tenant: Tenant, run: RunHeader, partner_id: int) -> QuerySet:
    """:func:`partner_journey_rows` with the caller's share under each of the run's per-touch models
    (``share_<model>``), for the export."""
    return partner_journey_rows(tenant=tenant, run=run, partner_id=partner_id, model=None).annotate(
        **{f"share_{m}": Sum(m) for m in run.touch_models}
    )


def partner_journey(*, tenant: Tenant, run: RunHeader, partner_id: int, registration_public_id, model: str | None) -> Journey:
    """One deal's journey in ``run`` as the caller may see it; NotFoundError unless the caller has a touch in it.

    Touches in order; the caller's own and its co-sellers' named, others "Another partner". The
    caller's credit per per-touch model is its touches' shares times the journey's conv and value.
    """
    with across_partners(reason="attribution: one journey of the caller, its other touches anonymised unless co-sold"):
        registration = (
            DealRegistration.objects.filter(tenant=tenant, public_id=registration_public_id)
            .values_list("pk", "partner_id", "team_partner_ids", "public_id", "customer_name")
            .first()
        )
        touches = []
        if registration is not None:
            touches = list(
                AttributionTouch.objects.filter(tenant=tenant, run_id=run.pk, registration_id=registration[0])
                .order_by("position")
                .values(
                    "touchpoint_id",
                    "partner_id",
                    "position",
                    "length",
                    "touch_on",
                    "days",
                    "outcome",
                    "outcome_on",
                    "conv",
                    "value",
                    *PER_TOUCH_MODELS,
                )
            )
        if not any(t["partner_id"] == partner_id for t in touches):
            raise NotFoundError()  # no such deal, or none of the caller's touches in it: the same answer
        team = _teams([registration])[registration[0]]
        named_ids = team if partner_id in team else {partner_id}
        names = dict(
            PartnerOrganization.objects.filter(tenant=tenant, pk__in=named_ids & {t["partner_id"] for t in touches}).values_list(
                "pk", "name"
            )
        )
        types = dict(
            Touchpoint.objects.filter(tenant=tenant, pk__in=[t["touchpoint_id"] for t in touches]).values_list("pk", "touch_type")
        )
    models = run.touch_models
    on_team = partner_id in team
    first = touches[0]
    own = [t for t in touches if t["partner_id"] == partner_id]
    row = JourneyRow(
        registration_public_id=registration[3],
        customer=registration[4] if on_team else _(A_CUSTOMER_ACCOUNT),
        co_sold=on_team,
        outcome=first["outcome"],
        outcome_label=str(OutcomeKind(first["outcome"]).label),
        outcome_on=first["outcome_on"],
        conv=first["conv"],
        value=first["value"],
        length=first["length"],
        own_touches=len(own),
        share=sum(t[model] for t in own) if model else None,
    )
    labels = dict(TouchpointType.choices)
    journey = Journey(row=row)
    for t in touches:
        mine = t["partner_id"] == partner_id
        touch_type = types.get(t["touchpoint_id"], "")
        journey.touches.append(
            JourneyTouch(
                position=t["position"],
                own=mine,
                partner_name=names.get(t["partner_id"]) or _(ANOTHER_PARTNER),
                touch_type=touch_type,
                touch_type_label=str(labels.get(touch_type, touch_type or "—")),
                touch_on=t["touch_on"],
                days=t["days"],
                shares={m: t[m] for m in models},
            )
        )
    shares: dict[str, float] = defaultdict(float)
    for t in own:
        for m in models:
            shares[m] += t[m]
    journey.credits = [ModelCredit(m, model_label(m), shares[m] * row.conv, shares[m] * row.value) for m in models]
    return journey
