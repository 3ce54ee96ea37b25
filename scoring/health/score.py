"""The partner health score (0–100): six components, tenant-adjustable weights, deltas and top actions.

Everything is vectorised over the partners of a tenant: arrays in (:class:`HealthFeatures`, one
value per partner), arrays out (:class:`HealthScores`). Definitions for the partner manager, with the
same numbers, are in ``docs/health-score.md``.

Transforms (all absolute, so a partner's score does not move because other partners changed):

- ``saturating(x, m) = 100 · x / (x + m)``: 0 at x = 0, **50 at the midpoint m**, 75 at 3m, → 100.
  Each extra unit helps less than the one before (diminishing returns).
- ``shrinking(x, m) = 100 · m / (m + x)``: 100 at x = 0, 50 at x = m, 33 at 2m (for "bad" counts).
- ``recency(d, h) = 100 · 2^(−d / h)``: 100 today, 50 after the half-life h, 25 after 2h; NaN (never) → 0.
- ``smoothed_rate(k, n) = 100 · (k + s·p₀) / (n + s)``: a success rate pulled toward the prior p₀ by s
  pseudo-decisions (p₀ = 0.5, s = 2), so 0 decisions → 50, 1 of 1 → 67, 10 of 10 → 92.

Components (each 0–100; the parameters are fields of :class:`HealthParameters`):

- **engagement** = a·recency(days_since_login, login_half_life_days)
  + (1 − a)·saturating(logins_30d + portal_actions_30d, logins_midpoint), a = engagement_recency_share.
  Portal actions are what a partner does in the portal besides logging in and the things scored
  elsewhere: content downloads, MDF requests and MDF claims (:data:`PORTAL_ACTIONS`); each counts as
  much as a login.
- **enablement** = b·saturating(certified_people − (1 − expiring_certification_credit)·certifications_expiring,
  certified_midpoint) + (1 − b)·saturating(courses_completed_90d, courses_midpoint), b = enablement_certified_share.
  A certification expiring soon counts ``expiring_certification_credit`` (default ½) of a valid one; an
  expired one is no longer in ``certified_people`` and counts nothing.
- **pipeline** = weighted mean of volume = saturating(registrations_90d, registrations_midpoint) (weight 0.4),
  approval = smoothed_rate(registrations_approved, approved + rejected) (0.2),
  win = smoothed_rate(deals_won, won + lost) (0.2) and
  velocity = shrinking(days_to_close, velocity_midpoint_days) (0.2; left out, the others renormalised,
  when the partner has no closed-won deal to measure).
- **revenue** = c·saturating(revenue_recent + revenue_previous, revenue_midpoint)
  + (1 − c)·trend, trend = 100·(revenue_recent + r)/(revenue_recent + revenue_previous + 2r),
  r = revenue_trend_smoothing: the share of the last 12 months' closed-won that came in the last 6, 50 = flat.
- **satisfaction** = 25·(psat − 1) for a PSAT mean on the 1–5 scale; **missing (NaN) when the partner has
  no PSAT answer**, and then the component is left out of the total and the other weights renormalised.
- **compliance** = shrinking(open_security_items, security_items_midpoint): 100 with none open.

Total = Σ_c w_c·component_c / Σ_c w_c over the components present for that partner, with the tenant's
weights w (non-negative, validated, at least one positive among the always-present components so the
total is always defined). The weighted parts ``contributions`` sum exactly to the total.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from .aggregate import EngagementFeatures, EventKind

ENGAGEMENT = "engagement"
ENABLEMENT = "enablement"
PIPELINE = "pipeline"
REVENUE = "revenue"
SATISFACTION = "satisfaction"
COMPLIANCE = "compliance"
COMPONENTS = (ENGAGEMENT, ENABLEMENT, PIPELINE, REVENUE, SATISFACTION, COMPLIANCE)
OPTIONAL_COMPONENTS = frozenset({SATISFACTION})  # may be missing for a partner (NaN)

DEFAULT_WEIGHTS = {ENGAGEMENT: 25.0, ENABLEMENT: 20.0, PIPELINE: 20.0, REVENUE: 20.0, SATISFACTION: 10.0, COMPLIANCE: 5.0}
# Inside the pipeline component (fixed, documented): volume, approval rate, win rate, velocity.
PIPELINE_PARTS = (0.4, 0.2, 0.2, 0.2)
RATE_PRIOR = 0.5
RATE_PRIOR_STRENGTH = 2.0


# --- transforms -----------------------------------------------------------------------------------


def saturating(x: np.ndarray, midpoint: float) -> np.ndarray:
    """100·x/(x + m): 0 at 0, 50 at the midpoint, → 100. Negative x is treated as 0."""
    x = np.maximum(x, 0.0)
    return 100.0 * x / (x + midpoint)


def shrinking(x: np.ndarray, midpoint: float) -> np.ndarray:
    """100·m/(m + x): 100 at 0, 50 at the midpoint, → 0."""
    return 100.0 * midpoint / (midpoint + np.maximum(x, 0.0))


def recency(days: np.ndarray, half_life: float) -> np.ndarray:
    """100·2^(−d/h); NaN (never) → 0."""
    return np.where(np.isnan(days), 0.0, 100.0 * np.exp2(-np.nan_to_num(days, nan=0.0) / half_life))


def smoothed_rate(successes: np.ndarray, trials: np.ndarray) -> np.ndarray:
    """100·(k + s·p₀)/(n + s) with p₀ = 0.5, s = 2 (0 decisions → 50)."""
    return 100.0 * (successes + RATE_PRIOR_STRENGTH * RATE_PRIOR) / (trials + RATE_PRIOR_STRENGTH)


# --- inputs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HealthFeatures:
    """Per-partner inputs, one float64 array each, all the same length (one entry per partner).

    Windows are as of the scoring date, point in time (``aggregate.py`` states the window rule).
    """

    days_since_login: np.ndarray  # days since the last portal login; NaN = never
    logins_30d: np.ndarray  # portal logins in the last 30 days
    portal_actions_30d: np.ndarray  # content downloads, MDF requests and claims in the last 30 days
    certified_people: np.ndarray  # people with a currently valid certification (expired ones excluded)
    certifications_expiring: np.ndarray  # of those, certifications expiring in the next 60 days (≤ certified_people)
    courses_completed_90d: np.ndarray
    registrations_90d: np.ndarray  # deal registrations submitted in the last 90 days
    registrations_approved: np.ndarray  # registrations approved in the last 365 days
    registrations_rejected: np.ndarray  # registrations rejected in the last 365 days
    deals_won: np.ndarray  # registered deals closed-won in the last 365 days
    deals_lost: np.ndarray  # registered deals closed-lost in the last 365 days
    days_to_close: np.ndarray  # median days from registration to close-won, last 365 days; NaN = none
    revenue_recent: np.ndarray  # closed-won amount in the last 180 days (tenant currency)
    revenue_previous: np.ndarray  # closed-won amount 181–365 days ago
    psat: np.ndarray  # mean partner satisfaction answer on 1–5 in the last 365 days; NaN = none
    open_security_items: np.ndarray  # open compliance / security items

    def __post_init__(self) -> None:
        lengths = set()
        for f in dataclasses.fields(self):
            array = np.asarray(getattr(self, f.name), dtype=np.float64)
            if array.ndim != 1:
                raise ValueError(f"{f.name} must be one-dimensional (one value per partner)")
            if f.name not in ("days_since_login", "days_to_close", "psat") and np.isnan(array).any():
                raise ValueError(f"{f.name} must not be missing (NaN)")
            if (array < 0).any() or np.isinf(array).any():
                raise ValueError(f"{f.name} must not be negative or infinite")
            object.__setattr__(self, f.name, array)
            lengths.add(array.size)
        if len(lengths) > 1:
            raise ValueError("every feature must have one value per partner (same lengths)")
        if (self.certifications_expiring > self.certified_people).any():
            raise ValueError("certifications_expiring counts valid certifications, so it cannot exceed certified_people")
        psat = self.psat[~np.isnan(self.psat)]
        if ((psat < 1) | (psat > 5)).any():
            raise ValueError("psat is a mean on the 1–5 scale")

    @property
    def n_partners(self) -> int:
        return self.logins_30d.size

    def replace(self, **changes: np.ndarray) -> HealthFeatures:
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_columns(cls, columns: Mapping[str, object]) -> HealthFeatures:
        return cls(**{f.name: columns[f.name] for f in dataclasses.fields(cls)})


@dataclass(frozen=True)
class HealthParameters:
    """Tenant-adjustable parameters (defaults documented in ``docs/health-score.md``)."""

    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    login_half_life_days: float = 14.0
    logins_midpoint: float = 8.0
    engagement_recency_share: float = 0.5
    certified_midpoint: float = 2.0
    expiring_certification_credit: float = 0.5
    courses_midpoint: float = 4.0
    enablement_certified_share: float = 0.6
    registrations_midpoint: float = 3.0
    velocity_midpoint_days: float = 60.0
    revenue_midpoint: float = 100_000.0
    revenue_trend_smoothing: float = 10_000.0
    revenue_volume_share: float = 0.7
    security_items_midpoint: float = 1.0

    def __post_init__(self) -> None:
        unknown = set(self.weights) - set(COMPONENTS)
        if unknown:
            raise ValueError(f"unknown components in weights: {sorted(unknown)}")
        weights = {c: float(self.weights.get(c, 0.0)) for c in COMPONENTS}
        if any(not np.isfinite(w) or w < 0 for w in weights.values()):
            raise ValueError("weights must be finite and non-negative")
        if not any(w > 0 for c, w in weights.items() if c not in OPTIONAL_COMPONENTS):
            raise ValueError("at least one weight must be positive among components every partner has (not only satisfaction)")
        total = sum(weights.values())
        object.__setattr__(self, "weights", {c: w / total for c, w in weights.items()})  # normalised to sum 1
        for name in (
            "login_half_life_days",
            "logins_midpoint",
            "certified_midpoint",
            "courses_midpoint",
            "registrations_midpoint",
            "velocity_midpoint_days",
            "revenue_midpoint",
            "revenue_trend_smoothing",
            "security_items_midpoint",
        ):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive")
        for name in (
            "engagement_recency_share",
            "expiring_certification_credit",
            "enablement_certified_share",
            "revenue_volume_share",
        ):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must lie in [0, 1]")

    @classmethod
    def from_settings(cls, settings: Mapping[str, object] | None) -> HealthParameters:
        """From a tenant's stored settings (a JSON object); unknown keys are an error, not ignored."""
        settings = dict(settings or {})
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(settings) - known
        if unknown:
            raise ValueError(f"unknown health score settings: {sorted(unknown)}")
        return cls(**settings)  # type: ignore[arg-type]

    def weight_vector(self) -> np.ndarray:
        return np.array([self.weights[c] for c in COMPONENTS])


# --- scores ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HealthScores:
    """Scores of every partner: ``components`` (n, 6) in the order of COMPONENTS, NaN = missing."""

    total: np.ndarray  # (n,), 0–100
    components: np.ndarray  # (n, 6), each 0–100 or NaN
    weights: np.ndarray  # (n, 6) effective weights after renormalisation (0 where missing), rows sum to 1

    @property
    def contributions(self) -> np.ndarray:
        """Points of the total from each component (n, 6); rows sum to ``total``."""
        return self.weights * np.nan_to_num(self.components, nan=0.0)

    def component(self, name: str) -> np.ndarray:
        return self.components[:, COMPONENTS.index(name)]


def component_scores(features: HealthFeatures, params: HealthParameters) -> np.ndarray:
    """The six components (n, 6), each 0–100, satisfaction NaN where the partner has no PSAT."""
    f, p = features, params
    a = p.engagement_recency_share
    activity = f.logins_30d + f.portal_actions_30d
    engagement = a * recency(f.days_since_login, p.login_half_life_days) + (1 - a) * saturating(activity, p.logins_midpoint)

    effective_certified = f.certified_people - (1 - p.expiring_certification_credit) * f.certifications_expiring
    b = p.enablement_certified_share
    enablement = b * saturating(effective_certified, p.certified_midpoint) + (1 - b) * saturating(
        f.courses_completed_90d, p.courses_midpoint
    )

    volume = saturating(f.registrations_90d, p.registrations_midpoint)
    approval = smoothed_rate(f.registrations_approved, f.registrations_approved + f.registrations_rejected)
    win = smoothed_rate(f.deals_won, f.deals_won + f.deals_lost)
    has_velocity = ~np.isnan(f.days_to_close)
    velocity = np.where(has_velocity, shrinking(np.nan_to_num(f.days_to_close, nan=0.0), p.velocity_midpoint_days), 0.0)
    wv, wa, ww, wvel = PIPELINE_PARTS
    pipeline = (wv * volume + wa * approval + ww * win + wvel * velocity) / (wv + wa + ww + wvel * has_velocity)

    won = f.revenue_recent + f.revenue_previous
    r = p.revenue_trend_smoothing
    trend = 100.0 * (f.revenue_recent + r) / (won + 2 * r)
    c = p.revenue_volume_share
    revenue = c * saturating(won, p.revenue_midpoint) + (1 - c) * trend

    satisfaction = 25.0 * (f.psat - 1.0)  # NaN stays NaN: missing
    compliance = shrinking(f.open_security_items, p.security_items_midpoint)
    return np.column_stack([engagement, enablement, pipeline, revenue, satisfaction, compliance])


def score(features: HealthFeatures, params: HealthParameters | None = None) -> HealthScores:
    """Health scores of every partner (definitions in the module docstring)."""
    params = params or HealthParameters()
    components = component_scores(features, params)
    present = ~np.isnan(components)
    weights = params.weight_vector()[None, :] * present
    weights = weights / weights.sum(axis=1, keepdims=True)  # > 0: validated in HealthParameters
    total = (weights * np.nan_to_num(components, nan=0.0)).sum(axis=1)
    return HealthScores(total=np.clip(total, 0.0, 100.0), components=components, weights=weights)


# --- what moved since last time -------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreDelta:
    """``current − previous`` for the same partners (same order).

    ``contributions`` (n, 6) is the change in points of the total from each component (it includes the
    effect of renormalisation when satisfaction appears or disappears) and sums to ``total``;
    ``components`` (n, 6) is the change of each component's own 0–100 score (NaN where it is missing in
    either score).
    """

    total: np.ndarray
    components: np.ndarray
    contributions: np.ndarray

    def moved(self, partner: int, k: int = 3, *, min_points: float = 0.05) -> list[tuple[str, float]]:
        """The k components that moved the total most for one partner: (name, signed points),
        largest |points| first (ties in COMPONENTS order); changes under ``min_points`` are left out."""
        row = self.contributions[partner]
        order = np.argsort(-np.abs(row), kind="stable")
        return [(COMPONENTS[i], float(row[i])) for i in order[:k] if abs(row[i]) >= min_points]

    def sentences(self, partner: int, k: int = 3) -> list[str]:
        return [f"{name.capitalize()} {points:+.1f} points" for name, points in self.moved(partner, k)]


def delta(previous: HealthScores, current: HealthScores) -> ScoreDelta:
    """What moved between two scores of the same partners ("what moved since last time")."""
    if previous.total.shape != current.total.shape:
        raise ValueError("the two scores must cover the same partners in the same order")
    return ScoreDelta(
        total=current.total - previous.total,
        components=current.components - previous.components,
        contributions=current.contributions - previous.contributions,
    )


# --- top actions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """A what-if: ``change`` returns the features after one plausible unit of the action (for every
    partner; unchanged where the action does not apply, e.g. no open security item to resolve)."""

    code: str
    sentence: str
    change: Callable[[HealthFeatures], HealthFeatures]


def _log_in(f: HealthFeatures) -> HealthFeatures:
    return f.replace(days_since_login=np.zeros_like(f.logins_30d), logins_30d=f.logins_30d + 1)


ACTIONS: tuple[Action, ...] = (
    Action("log_in", "Log in this week", _log_in),
    Action("certify_person", "Certify one more person", lambda f: f.replace(certified_people=f.certified_people + 1)),
    Action(
        "renew_certification",
        "Renew a certification that is about to expire",
        lambda f: f.replace(certifications_expiring=np.maximum(f.certifications_expiring - 1, 0)),
    ),
    Action("complete_course", "Complete a course", lambda f: f.replace(courses_completed_90d=f.courses_completed_90d + 1)),
    Action("register_deal", "Register a deal", lambda f: f.replace(registrations_90d=f.registrations_90d + 1)),
    Action("win_deal", "Win one of your registered deals", lambda f: f.replace(deals_won=f.deals_won + 1)),
    Action(
        "resolve_security_item",
        "Resolve an open security item",
        lambda f: f.replace(open_security_items=np.maximum(f.open_security_items - 1, 0)),
    ),
)


@dataclass(frozen=True)
class TopActions:
    """Per partner the k actions with the largest positive gain, largest first.

    ``action`` (n, k) indexes ACTIONS (−1 = no further action raises the score); ``gain`` (n, k) is the
    rescored total minus the current total, in points (NaN where ``action`` is −1).
    """

    action: np.ndarray
    gain: np.ndarray

    def for_partner(self, partner: int) -> list[tuple[str, float]]:
        return [(ACTIONS[a].code, float(g)) for a, g in zip(self.action[partner], self.gain[partner], strict=True) if a >= 0]

    def sentences(self, partner: int) -> list[str]:
        """Plain sentences, e.g. "Certify one more person: +6" (one decimal under one point)."""
        out = []
        for a, g in zip(self.action[partner], self.gain[partner], strict=True):
            if a >= 0:
                points = f"+{g:.0f}" if g >= 0.95 else f"+{g:.1f}"
                out.append(f"{ACTIONS[a].sentence}: {points}")
        return out


def action_gains(features: HealthFeatures, params: HealthParameters | None = None) -> np.ndarray:
    """(n, len(ACTIONS)): the total after each action minus the current total (rescored exactly)."""
    params = params or HealthParameters()
    base = score(features, params).total
    return np.column_stack([score(action.change(features), params).total - base for action in ACTIONS])


def top_actions(
    features: HealthFeatures, params: HealthParameters | None = None, k: int = 3, *, min_gain: float = 0.05
) -> TopActions:
    """The k actions that would raise each partner's score most (gain ≥ ``min_gain`` points).

    Deterministic: sorted by gain, largest first; equal gains keep the order of ACTIONS.
    """
    gains = action_gains(features, params)
    order = np.argsort(-gains, axis=1, kind="stable")[:, :k]
    top = np.take_along_axis(gains, order, axis=1)
    useful = top >= min_gain
    return TopActions(action=np.where(useful, order, -1), gain=np.where(useful, top, np.nan))


# --- from aggregated events -----------------------------------------------------------------------

# Event codes counted as portal actions in the engagement component.
PORTAL_ACTIONS = (EventKind.CONTENT_VIEW, EventKind.MDF_REQUEST, EventKind.MDF_CLAIM)


def portal_actions(engagement: EngagementFeatures) -> np.ndarray:
    """Portal actions (:data:`PORTAL_ACTIONS`) per partner in the last 30 days, float64."""
    return sum(engagement.count(30, kind) for kind in PORTAL_ACTIONS).astype(np.float64)


def event_columns(engagement: EngagementFeatures) -> dict[str, np.ndarray]:
    """The features that come from engagement events, from :func:`.aggregate.aggregate_engagement`
    run with windows including 30, 90 and 365 days and the :class:`.aggregate.EventKind` codes.

    The rest (certified people, revenue, PSAT, security items, days to close) are state read from
    their own tables; merge both into :meth:`HealthFeatures.from_columns`.
    """
    missing = {30, 90, 365} - set(engagement.windows)
    if missing:
        raise ValueError(f"the aggregation needs the windows {sorted(missing)} too")
    return {
        "days_since_login": engagement.days_since_last[:, EventKind.LOGIN].copy(),
        "logins_30d": engagement.count(30, EventKind.LOGIN).astype(np.float64),
        "portal_actions_30d": portal_actions(engagement),
        "courses_completed_90d": engagement.count(90, EventKind.COURSE_COMPLETED).astype(np.float64),
        "registrations_90d": engagement.count(90, EventKind.REGISTRATION_SUBMITTED).astype(np.float64),
        "registrations_approved": engagement.count(365, EventKind.REGISTRATION_APPROVED).astype(np.float64),
        "registrations_rejected": engagement.count(365, EventKind.REGISTRATION_REJECTED).astype(np.float64),
        "deals_won": engagement.count(365, EventKind.DEAL_WON).astype(np.float64),
        "deals_lost": engagement.count(365, EventKind.DEAL_LOST).astype(np.float64),
    }
