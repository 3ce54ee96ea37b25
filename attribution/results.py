"""Reads of a run's results for vendor staff: its deals' journeys (per-touch detail), the roll-up of a
run by partner per partner type and tier, and the trend of one model over the runs of a dimension.

Shared by the portal (:mod:`attribution.views.results`) and the API (:mod:`attribution.api.results`).
Every function reads the current tenant's rows (the managers and row-level security scope them) and
costs a fixed number of queries, whatever the number of deals or touches.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, Max, Min, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from deals.models import DealRegistration
from partners.models import PartnerOrganization, PartnerType

from .forms import model_label
from .models import AttributionCredit, AttributionRun, AttributionTouch, ChannelDimension, OutcomeKind, RunStatus, Touchpoint
from .services import DEFAULT_PARAMETERS, PER_TOUCH_MODELS

TREND_CHANNELS = 10  # the trend shows the channels with the most credited value over its runs
TREND_RUNS = 24  # and the latest runs of the dimension, oldest period first


def run_parameters(run: AttributionRun) -> dict[str, Any]:
    return {**DEFAULT_PARAMETERS, **(run.parameters or {})}


def per_touch_models(run: AttributionRun) -> list[str]:
    """The run's models that split a deal among its touches (AttributionTouch columns), in run order."""
    return [m for m in run.model_names if m in PER_TOUCH_MODELS]


def pooled_models(run: AttributionRun) -> list[str]:
    """The run's models that credit channels over all journeys at once: no per-deal split."""
    return [m for m in run.model_names if m not in PER_TOUCH_MODELS]


def channel_labels(run: AttributionRun) -> dict[int, str]:
    """Channel code (index into ``summary["channel_keys"]``) → label, from the run's credits (one query)."""
    keys = list((run.summary or {}).get("channel_keys", []))
    labels = dict(AttributionCredit.objects.filter(run=run).order_by().values_list("channel_key", "channel_label").distinct())
    return {code: labels.get(key, key) for code, key in enumerate(keys)}


# --- one deal's journey ----------------------------------------------------------------------------


@dataclass
class JourneyTouch:
    position: int
    touch_on: datetime.date
    partner_id: int
    partner_name: str
    partner_public_id: UUID | None
    touchpoint_public_id: UUID | None
    touch_type: str | None  # None: the touchpoint was removed after the run
    touch_type_label: str
    days: float
    channel: str
    shares: dict[str, float]  # model → fraction of the journey
    credits: dict[str, float]  # model → credited value (share × journey value)


@dataclass
class Journey:
    registration: DealRegistration
    outcome: int
    outcome_label: str
    outcome_on: datetime.date
    conv: float
    value: float
    rate: float
    amount: Any  # as recorded on the registration, in its currency
    models: list[str]
    touches: list[JourneyTouch] = field(default_factory=list)
    why: dict[str, str] = field(default_factory=dict)

    @property
    def currency(self) -> str:
        return self.registration.currency


def journey_of(*, run: AttributionRun, registration_id: UUID) -> Journey | None:
    """The journey of one deal in a run with details kept, or None when the deal is not in it.

    Four queries: the registration with its partner, the touches with their touchpoint's type and id (a left join, so
    a touchpoint removed since reads as removed), the partners named, the channel labels.
    """
    registration = DealRegistration.objects.filter(public_id=registration_id).select_related("partner").first()
    if registration is None:
        return None
    touch_type = Touchpoint.objects.filter(pk=OuterRef("touchpoint_id"))
    rows = list(
        AttributionTouch.objects.filter(run=run, registration_id=registration.pk)
        .order_by("position")
        .annotate(touch_type=Subquery(touch_type.values("touch_type")), touch_public_id=Subquery(touch_type.values("public_id")))
    )
    if not rows:
        return None
    partners = {
        pk: (name, public_id)
        for pk, name, public_id in PartnerOrganization.objects.filter(pk__in={r.partner_id for r in rows}).values_list(
            "pk", "name", "public_id"
        )
    }
    labels = channel_labels(run)
    models = per_touch_models(run)
    types = dict(Touchpoint._meta.get_field("touch_type").choices)
    head = rows[0]
    journey = Journey(
        registration=registration,
        outcome=head.outcome,
        outcome_label=str(OutcomeKind(head.outcome).label),
        outcome_on=head.outcome_on,
        conv=head.conv,
        value=head.value,
        rate=head.rate,
        amount=registration.closed_amount if registration.closed_amount is not None else registration.value,
        models=models,
    )
    for row in rows:
        name, partner_public_id = partners.get(row.partner_id, (_("removed partner"), None))
        journey.touches.append(
            JourneyTouch(
                position=row.position,
                touch_on=row.touch_on,
                partner_id=row.partner_id,
                partner_name=name,
                partner_public_id=partner_public_id,
                touchpoint_public_id=row.touch_public_id,
                touch_type=row.touch_type,
                touch_type_label=str(types.get(row.touch_type, _("removed"))),
                days=row.days,
                channel=labels.get(row.channel, str(row.channel)),
                shares={m: getattr(row, m) for m in models},
                credits={m: getattr(row, m) * row.value for m in models},
            )
        )
    journey.why = why(run=run, journey=journey, channels=[r.channel for r in rows])
    return journey


def _percent(x: float) -> str:
    return f"{x * 100:g} %"


def why(*, run: AttributionRun, journey: Journey, channels: list[int]) -> dict[str, str]:
    """Per per-touch model of the run, the rule that gave this journey its shares, from the definition."""
    params = run_parameters(run)
    length = len(journey.touches)
    first, middle, last = (float(x) for x in params["position"])
    half_life = float(params["half_life_days"])
    distinct = len(set(channels))
    out = {
        "first_touch": _("everything to the first touch"),
        "last_touch": _("everything to the last touch"),
        "linear": _("1/%(n)d to each of the %(n)d touches") % {"n": length},
        "time_decay": _(
            "weight 2^(−d/%(h)g) per touch, d = days before the outcome (half-life %(h)g days), normalised to add up to 1"
        )
        % {"h": half_life},
        "shapley_counts": _("1/%(d)d to each of the %(d)d distinct channels, split equally among that channel's touches")
        % {"d": distinct},
    }
    if length == 1:
        out["position_based"] = _("a single touch gets everything")
        out["first_touch"] = out["last_touch"] = out["position_based"]
    elif length == 2:
        out["position_based"] = _("two touches: ½ to each")
    else:
        middles = length - 2
        out["position_based"] = ngettext(
            "%(first)s to the first touch, %(last)s to the last, %(middle)s to the middle touch",
            "%(first)s to the first touch, %(last)s to the last, %(middle)s shared by the %(n)d middle touches",
            middles,
        ) % {"first": _percent(first), "last": _percent(last), "middle": _percent(middle), "n": middles}
    if journey.conv == 0:
        suffix = _(" (not won: nothing is credited, the shares show how it would split)")
        out = {m: text + suffix for m, text in out.items()}
    return {m: out[m] for m in journey.models}


# --- the deals of a run ----------------------------------------------------------------------------


def journeys_queryset(*, run: AttributionRun, outcome: int | None = None, partner_id: int | None = None) -> QuerySet:
    """One row per deal of the run, aggregated in SQL (GROUP BY registration_id): outcome, outcome date,
    conv, value, number of touches, first touch date and the distinct partner ids; oldest outcome first."""
    touches = AttributionTouch.objects.filter(run=run)
    if outcome is not None:
        touches = touches.filter(outcome=outcome)
    if partner_id is not None:
        touches = touches.filter(
            registration_id__in=AttributionTouch.objects.filter(run=run, partner_id=partner_id).values("registration_id")
        )
    return (
        touches.order_by()
        .values("registration_id")
        .annotate(
            outcome=Max("outcome"),
            outcome_on=Max("outcome_on"),
            conv=Max("conv"),
            value=Max("value"),
            touches=Count("id"),
            first_touch_on=Min("touch_on"),
            partner_ids=ArrayAgg("partner_id", distinct=True, order_by="partner_id"),
        )
        .order_by("outcome_on", "registration_id")
    )


def journeys_named(rows: list[dict], partners: dict[int, str]) -> list[dict]:
    """Adds the deal (public id, customer) and the partner names to aggregated rows (one query)."""
    deals = {
        pk: (public_id, customer)
        for pk, public_id, customer in DealRegistration.objects.filter(pk__in=[r["registration_id"] for r in rows]).values_list(
            "pk", "public_id", "customer_name"
        )
    }
    out = []
    for row in rows:
        public_id, customer = deals.get(row["registration_id"], (None, _("removed deal")))
        out.append(
            {
                **row,
                "public_id": public_id,
                "customer": customer,
                "outcome_label": str(OutcomeKind(row["outcome"]).label),
                "partners": [partners.get(p, _("removed partner")) for p in row["partner_ids"]],
            }
        )
    return out


def touches_for_export(run: AttributionRun) -> QuerySet:
    """Every touch of the run with its deal's public id, the partner's name and the touchpoint's type
    (correlated lookups by primary key, so a removed touchpoint reads as empty): one query."""
    models = per_touch_models(run)
    return (
        AttributionTouch.objects.filter(run=run)
        .order_by("outcome_on", "registration_id", "position")
        .annotate(
            deal=Subquery(DealRegistration.objects.filter(pk=OuterRef("registration_id")).values("public_id")),
            partner_name=Subquery(PartnerOrganization.objects.filter(pk=OuterRef("partner_id")).values("name")),
            touch_type=Subquery(Touchpoint.objects.filter(pk=OuterRef("touchpoint_id")).values("touch_type")),
        )
        .values_list(
            "deal",
            "position",
            "length",
            "touch_on",
            "partner_name",
            "touch_type",
            "days",
            "channel",
            "outcome",
            "outcome_on",
            "value",
            *models,
        )
    )


# --- roll-up by partner type and tier --------------------------------------------------------------


def rollup_by_type_and_tier(run: AttributionRun) -> dict | None:
    """For a succeeded run by partner: per model, the credited value summed by the partner's type and by
    its *current* tier (one query). None for the other dimensions (they already are types or tiers)."""
    if run.dimension != ChannelDimension.PARTNER or run.status != RunStatus.SUCCEEDED:
        return None
    models = list(run.model_names)
    by_type: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(models, 0.0))
    by_tier: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(models, 0.0))
    type_labels = dict(PartnerType.choices)
    rows = AttributionCredit.objects.filter(run=run, partner__isnull=False).values_list(
        "model", "partner__partner_type", "partner__tier__name", "partner__tier__rank", "value"
    )
    tier_rank: dict[str, int] = {}
    for model, partner_type, tier, rank, value in rows:
        if model not in models:
            continue
        by_type[str(type_labels.get(partner_type, partner_type))][model] += value
        tier_name = tier or _("No tier")
        tier_rank[tier_name] = -1 if rank is None else rank
        by_tier[tier_name][model] += value

    def table(groups: dict[str, dict[str, float]], order) -> list[dict]:
        return [{"label": k, "cells": [groups[k][m] for m in models]} for k in sorted(groups, key=order)]

    return {
        "models": [(m, model_label(m)) for m in models],
        "by_type": table(by_type, lambda k: (-sum(by_type[k].values()), k)),
        "by_tier": table(by_tier, lambda k: (-tier_rank[k], k)),
    }


# --- trend over periods ----------------------------------------------------------------------------


def trend(*, dimension: str, model: str, channels: int = TREND_CHANNELS, runs: int = TREND_RUNS) -> dict:
    """The credited value of the top ``channels`` channels (by total) in each succeeded run of
    ``dimension`` that computed ``model``, the latest ``runs`` runs ordered by period: two queries."""
    chosen = list(
        AttributionRun.objects.filter(status=RunStatus.SUCCEEDED, dimension=dimension, model_names__contains=[model])
        .order_by("-period_end", "-period_start", "-created_at", "-id")
        .values_list("pk", "public_id", "period_start", "period_end")[:runs]
    )
    chosen.reverse()
    cells: dict[str, dict[int, float]] = defaultdict(dict)
    labels: dict[str, str] = {}
    if chosen:
        for run_id, key, label, value in AttributionCredit.objects.filter(
            run_id__in=[r[0] for r in chosen], model=model
        ).values_list("run_id", "channel_key", "channel_label", "value"):
            cells[key][run_id] = cells[key].get(run_id, 0.0) + value
            labels[key] = label
    top = sorted(labels, key=lambda k: (-sum(cells[k].values()), labels[k]))[:channels]
    columns = [
        {"public_id": public_id, "label": f"{start:%Y-%m-%d} – {end:%Y-%m-%d}", "start": start, "end": end}
        for _pk, public_id, start, end in chosen
    ]
    rows = [{"key": k, "label": labels[k], "cells": [cells[k].get(r[0], 0.0) for r in chosen]} for k in top]
    return {
        "columns": columns,
        "rows": rows,
        "chart": {
            "labels": [c["label"] for c in columns],
            "datasets": [{"label": r["label"], "data": [round(v, 2) for v in r["cells"]]} for r in rows],
        },
    }
