"""The churn table from a tenant's own history: one row per partner and date, point in time.

:func:`partner_month_table` builds, for each ``as_of`` date given (month starts, say), the features of
every partner *in the program* on that date and the label "inactive in the next ``horizon_days``":

- **population**: a partner is in the program on ``as_of`` when it was created before it, or has an
  engagement event before it (partners imported with their history), and its status was not
  *retired* on that date (its latest status change before ``as_of`` is not to retired). Rows of
  partners not yet in the program, or already gone, would teach the model nothing about leaving.
- **features** (:data:`FEATURES`): the health score's inputs (:func:`scoring.services.health_features`:
  logins, courses, certifications, registrations, decisions, wins, revenue; not the open security items,
  which have no history and would leak today's state into past rows), and

  - ``days_since_last_login``, ``days_since_last_registration``: days since the last one, or, when
    there is none in the year read, since the partner joined (at most 366): a partner that never
    logged in has gone that long without, which the rules and the model can read (a missing value
    would read as typical);
  - ``certs_lapsed_90d``: people whose certifications all lapsed in the last 90 days (:mod:`scoring.facts`);
  - ``login_trend_log``: ln((logins in the last 30 days + 1) / (logins in the 30 days before + 1));
  - ``interventions_90d``: interventions managers recorded for the partner in the last 90 days, so the
    next model learns what they change.

  Each is computed only from what was recorded before ``as_of``. The names are those the rule-based
  score (:mod:`scoring.churn.rules`) and the driver sentences (:mod:`scoring.churn.training`) read.
- **label** ``inactive``: 1 when the partner has no login, no deal registration and no course
  completed in [``as_of``, ``as_of + horizon_days``) — the program's definition of inactive
  (:attr:`scoring.models.ScoringSettings.inactive_after_days` is the horizon) — else 0; ``NaN`` while
  that window has not ended (the row can be scored, not learned from).

The events are read once for all dates (binary COPY); the other facts cost a constant number of
queries per date.
"""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
from django.db.models import Count, Q

from partners.models import PartnerOrganization, PartnerStatus, PartnerStatusChange

from .events_loader import KINDS, load_events
from .facts import partner_facts
from .models import Intervention
from .services import FACT_INPUTS, HISTORY_DAYS, health_features

ACTIVITY_KINDS = ("login", "registration_submitted", "course_completed")
LABEL = "inactive"
# The health inputs that are point in time (open security items are the state now: left out).
HEALTH_INPUTS = ("logins_30d", "courses_completed_90d", *(n for n in FACT_INPUTS if n != "open_security_items"))
FEATURES = (
    "days_since_last_login",
    "login_trend_log",
    *HEALTH_INPUTS,
    "days_since_last_registration",
    "certs_lapsed_90d",
    "interventions_90d",
)


def partner_month_table(
    *, as_of_dates: list[datetime.date], horizon_days: int, today: datetime.date, partner_ids: np.ndarray | None = None
) -> pd.DataFrame:
    """Rows (partner_id, as_of, FEATURES…, inactive); call in the tenant's staff scope."""
    if not as_of_dates:
        return pd.DataFrame(columns=["partner_id", "as_of", *FEATURES, LABEL])
    first, last = min(as_of_dates), max(as_of_dates)
    horizon = datetime.timedelta(days=horizon_days)
    # one read for every date: the features' year of history before the first, the labels' horizon after the last
    events = load_events(
        as_of=min(last + horizon, today), since=first - datetime.timedelta(days=HISTORY_DAYS), partner_ids=partner_ids
    )
    ids = events.partner_ids
    n = len(ids)
    joined = _joined(ids, events)
    retired = _retired_spans(ids)
    interventions = list(Intervention.objects.filter(partner_id__in=ids.tolist()).values_list("partner_id", "occurred_on"))
    i_partner = np.searchsorted(ids, np.array([p for p, _ in interventions], dtype=np.int64))
    i_day = np.array([d for _, d in interventions], dtype="datetime64[D]")

    is_activity = np.isin(events.kind, np.array([KINDS.index(k) for k in ACTIVITY_KINDS]))
    logins = events.kind == KINDS.index("login")
    frames = []
    for as_of in sorted(as_of_dates):
        start, end = np.datetime64(as_of, "D"), np.datetime64(as_of + horizon, "D")
        in_program = (joined < start) & ~_retired_on(retired, ids, start)
        _ids, features = health_features(as_of=as_of, events=events)
        facts = partner_facts(as_of=as_of, partner_ids=ids)
        later = is_activity & (events.day >= start) & (events.day < end)
        active = np.bincount(events.partner[later], minlength=n) > 0
        recent = logins & (events.day >= start - np.timedelta64(30, "D")) & (events.day < start)
        before = logins & (events.day >= start - np.timedelta64(60, "D")) & (events.day < start - np.timedelta64(30, "D"))
        trend = np.log(
            (np.bincount(events.partner[recent], minlength=n) + 1) / (np.bincount(events.partner[before], minlength=n) + 1)
        )
        helped = (i_day >= start - np.timedelta64(90, "D")) & (i_day < start)
        frame = pd.DataFrame({name: getattr(features, name) for name in HEALTH_INPUTS})
        frame.insert(0, "partner_id", ids)
        frame.insert(1, "as_of", pd.Timestamp(as_of))
        tenure = np.minimum((start - joined).astype(np.float64), HISTORY_DAYS + 1)
        frame.insert(2, "days_since_last_login", _or_tenure(features.days_since_login, tenure))
        frame.insert(3, "login_trend_log", trend)
        frame["days_since_last_registration"] = _or_tenure(facts["days_since_registration"], tenure)
        frame["certs_lapsed_90d"] = facts["lapsed_90d"]
        frame["interventions_90d"] = np.bincount(i_partner[helped], minlength=n).astype(np.float64)
        frame[LABEL] = np.where(as_of + horizon <= today, (~active).astype(np.float64), np.nan)
        frames.append(frame[in_program])
    return pd.concat(frames, ignore_index=True)


def _or_tenure(days: np.ndarray, tenure: np.ndarray) -> np.ndarray:
    """Days since the last event, or since the partner joined when there is none in the history read."""
    return np.where(np.isnan(days), tenure, days)


def _joined(ids: np.ndarray, events) -> np.ndarray:
    """Per partner, the day it entered the program: its creation, or its first event if earlier."""
    created = dict(PartnerOrganization.objects.filter(pk__in=ids.tolist()).values_list("pk", "created_at"))
    joined = np.array([np.datetime64(created[int(p)].date(), "D") for p in ids], dtype="datetime64[D]")
    if len(events):
        np.minimum.at(joined, events.partner, events.day)
    return joined


def _retired_spans(ids: np.ndarray) -> list[tuple[int, np.datetime64, bool]]:
    """Every status change into or out of retired: (partner index, day, into retired), by time."""
    changes = (
        PartnerStatusChange.objects.filter(partner_id__in=ids.tolist())
        .filter(Q(to_status=PartnerStatus.RETIRED) | Q(from_status=PartnerStatus.RETIRED))
        .order_by("changed_at", "id")
        .values_list("partner_id", "changed_at", "to_status")
    )
    return [(int(np.searchsorted(ids, p)), np.datetime64(at.date(), "D"), to == PartnerStatus.RETIRED) for p, at, to in changes]


def _retired_on(spans, ids: np.ndarray, day: np.datetime64) -> np.ndarray:
    retired = np.zeros(len(ids), dtype=bool)
    for index, changed, into in spans:  # by time: the last change before ``day`` wins
        if changed < day:
            retired[index] = into
    return retired


def intervention_counts() -> dict[str, int]:
    """How many interventions and how many with a known outcome the tenant has recorded (for the screen)."""
    return Intervention.objects.aggregate(total=Count("id"), known=Count("id", filter=~Q(outcome="pending")))
