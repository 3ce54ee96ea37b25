"""The churn training table from a tenant's own history: one row per partner and month, point in time.

:func:`partner_month_table` builds, for each ``as_of`` date given (month starts, say), every partner's
features as of that date and the label "inactive in the next ``horizon_days``":

- **features**: the health score's inputs (:func:`scoring.services.health_features`: logins, courses,
  certifications, registrations, wins, revenue, security items) plus ``days_since_registration`` and
  ``lapsed_90d`` (:mod:`scoring.facts`), and ``login_trend`` (logins in the last 30 days + 1 over the
  30 days before + 1). Each computed only from what was recorded before ``as_of``.
- **label** ``inactive``: 1 when the partner has no login, no deal registration and no course
  completed in [``as_of``, ``as_of + horizon_days``) — the program's definition of inactive
  (:attr:`scoring.models.ScoringSettings.inactive_after_days` is the horizon) — else 0; ``NaN`` when that
  window has not ended yet (the row can be scored, not learned from).

The table feeds :func:`scoring.churn.training.train_churn_model` with ``label="inactive"`` and
``time_column="as_of"``. The events are read once for all dates (binary COPY); the other facts cost
a constant number of queries per date.
"""

from __future__ import annotations

import dataclasses
import datetime

import numpy as np
import pandas as pd

from .events_loader import KINDS, load_events
from .facts import partner_facts
from .services import HISTORY_DAYS, health_features

ACTIVITY_KINDS = ("login", "registration_submitted", "course_completed")
LABEL = "inactive"


def partner_month_table(*, as_of_dates: list[datetime.date], horizon_days: int, today: datetime.date) -> pd.DataFrame:
    """Rows (partner, as_of) with features and the label; call in the tenant's staff scope."""
    if not as_of_dates:
        return pd.DataFrame()
    first, last = min(as_of_dates), max(as_of_dates)
    horizon = datetime.timedelta(days=horizon_days)
    # one read for every date: the features' year of history before the first, the labels' horizon after the last
    events = load_events(as_of=min(last + horizon, today), since=first - datetime.timedelta(days=HISTORY_DAYS))
    active_codes = np.array([KINDS.index(k) for k in ACTIVITY_KINDS])
    is_activity = np.isin(events.kind, active_codes)
    frames = []
    for as_of in sorted(as_of_dates):
        ids, features = health_features(as_of=as_of, events=events)
        facts = partner_facts(as_of=as_of, partner_ids=ids)
        n = len(ids)
        start, end = np.datetime64(as_of, "D"), np.datetime64(as_of + horizon, "D")
        later = is_activity & (events.day >= start) & (events.day < end)
        active = np.bincount(events.partner[later], minlength=n) > 0
        logins = events.kind == KINDS.index("login")
        recent = logins & (events.day >= start - np.timedelta64(30, "D")) & (events.day < start)
        before = logins & (events.day >= start - np.timedelta64(60, "D")) & (events.day < start - np.timedelta64(30, "D"))
        trend = (np.bincount(events.partner[recent], minlength=n) + 1) / (np.bincount(events.partner[before], minlength=n) + 1)
        frame = pd.DataFrame({name: getattr(features, name) for name in churn_feature_names(features)})
        frame.insert(0, "partner_id", ids)
        frame.insert(1, "as_of", pd.Timestamp(as_of))
        frame["days_since_registration"] = facts["days_since_registration"]
        frame["lapsed_90d"] = facts["lapsed_90d"]
        frame["login_trend"] = trend
        frame[LABEL] = np.where(as_of + horizon <= today, (~active).astype(np.float64), np.nan)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def churn_feature_names(features) -> list[str]:
    """The health features that make sense for churn (PSAT is left out until surveys exist)."""
    return [f.name for f in dataclasses.fields(features) if f.name != "psat"]
