"""A synthetic tenant whose churn mechanism is known: the yardstick for the churn model.

What is simulated (seeded, deterministic; numpy only). Time runs on a grid of 30-day months: month
``m`` covers days ``[30·m, 30·m + 30)``. The first ``WARMUP_MONTHS`` (12) months are history only, so
every 365-day window of the first snapshot is complete; snapshots are taken at the start of each of the
next ``n_months`` months. A row (partner-month) is one partner at one snapshot date ``as_of``; a
partner's rows are consecutive months.

Events, per partner ``p``:

- **Engagement state** ``x_p(m)``: an AR(1) process, ``x(m) = 0.8·x(m−1) + N(0, 0.25²)``, plus decline
  episodes: each month a partner starts one with probability 0.05, and for three months ``x`` falls by a
  further 0.6 a month (then reverts). The state is latent: it is never a feature.
- **Portal logins**: a count per day, Poisson with mean ``exp(μ_p + x_p(m)) / 30``, ``μ_p ~ N(log 6, 0.5²)``
  (about six logins a month for a typical partner).
- **Certifications**: ``1 + Poisson(1.5)`` slots (at most 5) per partner. A certification is valid for 360
  days. At expiry it is renewed the same day with probability ``σ(1.5 + 2·x_p(m))`` (disengaged partners
  let them lapse); a lapsed slot is re-certified with probability 0.1 a month. Each validity period is one
  record (partner, slot, start day, end day); a renewal is a record whose start equals the previous end.
- **Deal registrations**: ``Poisson(exp(μʳ_p + 0.7·x_p(m)))`` a month, ``μʳ_p ~ N(0, 0.4²)``, on uniform days;
  each is decided 15–60 days later and won with a partner-level probability ``~ U(0.15, 0.45)``.
- **Noise signals**, independent of everything above: region and size (constant per partner), profile
  completeness (constant), monthly newsletter opens, support tickets, webinar attendance and MDF claims
  (Poisson), and an unrelated AR(1) "activity index".

Features of a row (:data:`FEATURES`, 32 columns) are computed by :func:`features_at` from the events
**strictly before** ``as_of`` (day < as_of day), so nothing after the prediction date leaks in; the tests
perturb every event on or after ``as_of`` and check the features do not move. Windows are
``[as_of − w, as_of)`` in days. "Days since" features are capped at 365 (also when there was never one).

The label, ``inactive_next_90d``, is drawn from a planted logistic mechanism on three features and
nothing else (:class:`Mechanism`)::

    logit P(inactive) = β₀ + β_trend · login_trend_log + β_days · days_since_last_login + β_lapsed · certs_lapsed_90d

declining logins (a negative ``login_trend_log``, many days without a login) and lapsing certifications
cause churn; every other column, including the noise signals, has no effect given these three. Labels
are drawn independently per row given the features: ``y ~ Bernoulli(true_probability)``. The generator
does not simulate what happens after a partner churns (its later rows keep their own draws); that keeps
the ceiling exact: ``true_probability`` is the Bayes-optimal score, so its ROC AUC on any set of rows is
the best any model can reach there in expectation, and its expected calibration error is zero up to
sampling noise.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

DAYS_PER_MONTH = 30
WARMUP_MONTHS = 12
DAYS_CAP = 365
CERT_VALIDITY_DAYS = 360
FIRST_SNAPSHOT = pd.Timestamp("2024-01-01")

LOGIN_FEATURES = [
    "logins_30d",
    "logins_60d",
    "logins_90d",
    "logins_180d",
    "logins_prior_60d",  # days [as_of − 90, as_of − 30)
    "login_trend_log",  # log((logins_30d + 1) / (logins_prior_60d / 2 + 1)): 0 = steady, −1.2 ≈ down 70 %
    "days_since_last_login",
    "login_days_30d",  # distinct days with a login
    "login_days_90d",
]
CERTIFICATION_FEATURES = [
    "certs_active",  # valid on as_of
    "certs_expiring_90d",  # valid on as_of, ending within 90 days (the end date is known in advance)
    "certs_lapsed_90d",  # ended in the last 90 days and not renewed on the day
    "certs_lapsed_365d",
    "certs_renewed_365d",
    "days_since_last_cert_lapse",
    "certs_ever",
]
REGISTRATION_FEATURES = [
    "registrations_90d",
    "registrations_180d",
    "registrations_365d",
    "days_since_last_registration",
    "decided_365d",  # registrations decided in the last 365 days
    "wins_365d",
    "win_rate_365d",  # (wins + 1) / (decided + 2): smoothed, 0.5 with no decisions
    "tenure_months",
]
NOISE_FEATURES = [
    "noise_region_code",
    "noise_partner_size_log",
    "noise_profile_completeness",
    "noise_newsletter_opens_90d",
    "noise_support_tickets_90d",
    "noise_webinars_180d",
    "noise_mdf_claims_365d",
    "noise_activity_index",
]
FEATURES = LOGIN_FEATURES + CERTIFICATION_FEATURES + REGISTRATION_FEATURES + NOISE_FEATURES
PLANTED = ["login_trend_log", "days_since_last_login", "certs_lapsed_90d"]
LABEL = "inactive_next_90d"
TIME = "as_of"
PARTNER = "partner_id"


@dataclass(frozen=True)
class Mechanism:
    """The planted logit. Coefficients per unit of the feature (days, counts, log-ratio)."""

    intercept: float = -2.6
    login_trend_log: float = -1.4
    days_since_last_login: float = 0.025
    certs_lapsed_90d: float = 0.9

    def probability(self, table: pd.DataFrame) -> np.ndarray:
        logit = (
            self.intercept
            + self.login_trend_log * table["login_trend_log"].to_numpy(dtype=np.float64)
            + self.days_since_last_login * table["days_since_last_login"].to_numpy(dtype=np.float64)
            + self.certs_lapsed_90d * table["certs_lapsed_90d"].to_numpy(dtype=np.float64)
        )
        return 1.0 / (1.0 + np.exp(-logit))


@dataclass
class Events:
    """Everything that happened, as arrays. Days are integers from the start of the warm-up."""

    n_partners: int
    n_months_total: int
    join_month: np.ndarray  # (partners,) month the partner joined (≤ 0: before the simulation)
    logins: np.ndarray  # (partners, days) login count per day
    cert_partner: np.ndarray
    cert_slot: np.ndarray
    cert_start: np.ndarray
    cert_end: np.ndarray
    reg_partner: np.ndarray
    reg_day: np.ndarray
    reg_decided_day: np.ndarray
    reg_won: np.ndarray
    noise_constant: dict[str, np.ndarray] = field(default_factory=dict)  # (partners,)
    noise_monthly: dict[str, np.ndarray] = field(default_factory=dict)  # (partners, months) value per month

    @property
    def n_days(self) -> int:
        return self.n_months_total * DAYS_PER_MONTH

    def copy(self) -> Events:
        return replace(
            self,
            logins=self.logins.copy(),
            noise_constant={k: v.copy() for k, v in self.noise_constant.items()},
            noise_monthly={k: v.copy() for k, v in self.noise_monthly.items()},
        )


@dataclass
class SyntheticTenant:
    table: pd.DataFrame  # partner_id, as_of, month, FEATURES…, inactive_next_90d, true_probability
    events: Events
    mechanism: Mechanism
    features: list[str]
    planted: list[str]
    noise: list[str]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def simulate_events(n_partners: int, n_months: int, rng: np.random.Generator) -> Events:
    """The event history described in the module docstring, for ``WARMUP_MONTHS + n_months`` months."""
    months = WARMUP_MONTHS + n_months
    # Engagement state: AR(1) with decline episodes.
    x = np.zeros((n_partners, months))
    decline_left = np.zeros(n_partners, dtype=np.int64)
    state = rng.normal(0.0, 0.25 / np.sqrt(1 - 0.64), size=n_partners)
    for m in range(months):
        start = (decline_left == 0) & (rng.random(n_partners) < 0.05)
        decline_left[start] = 3
        shock = rng.normal(0.0, 0.25, size=n_partners) - 0.6 * (decline_left > 0)
        state = 0.8 * state + shock
        decline_left = np.maximum(decline_left - 1, 0)
        x[:, m] = state
    mu = rng.normal(np.log(6.0), 0.5, size=n_partners)

    # Logins per day.
    daily_rate = np.repeat(np.exp(mu[:, None] + x) / DAYS_PER_MONTH, DAYS_PER_MONTH, axis=1)
    logins = rng.poisson(daily_rate).astype(np.int32)

    # Certifications: one record per validity period.
    slots = np.minimum(1 + rng.poisson(1.5, size=n_partners), 5)
    n_days = months * DAYS_PER_MONTH
    cp, cs, cst, cen = [], [], [], []
    renew_u = rng.random((n_partners, 64))
    recert_u = rng.random((n_partners, 5, months))
    for p in range(n_partners):
        draw = 0
        for s in range(int(slots[p])):
            start = int(rng.integers(-CERT_VALIDITY_DAYS + 1, DAYS_PER_MONTH * 6))
            while start < n_days:
                end = start + CERT_VALIDITY_DAYS
                cp.append(p), cs.append(s), cst.append(start), cen.append(end)
                if end >= n_days:
                    break
                m_end = end // DAYS_PER_MONTH
                renewed = renew_u[p, draw % 64] < _sigmoid(1.5 + 2.0 * x[p, m_end])
                draw += 1
                if renewed:
                    start = end
                    continue
                later = np.flatnonzero(recert_u[p, s, m_end + 1 :] < 0.1)
                if not len(later):
                    break
                start = (m_end + 1 + int(later[0])) * DAYS_PER_MONTH + int(rng.integers(0, DAYS_PER_MONTH))
    cert = [np.asarray(a, dtype=np.int64) for a in (cp, cs, cst, cen)]

    # Deal registrations.
    mu_r = rng.normal(0.0, 0.4, size=n_partners)
    counts = rng.poisson(np.exp(mu_r[:, None] + 0.7 * x))
    reg_partner = np.repeat(np.repeat(np.arange(n_partners), months), counts.ravel())
    reg_month = np.repeat(np.tile(np.arange(months), n_partners), counts.ravel())
    reg_day = reg_month * DAYS_PER_MONTH + rng.integers(0, DAYS_PER_MONTH, size=len(reg_month))
    reg_decided_day = reg_day + rng.integers(15, 61, size=len(reg_day))
    win_p = rng.uniform(0.15, 0.45, size=n_partners)
    reg_won = rng.random(len(reg_day)) < win_p[reg_partner]

    # Noise, independent of the engagement state.
    activity = np.zeros((n_partners, months))
    a = rng.normal(0.0, 1.0, size=n_partners)
    for m in range(months):
        a = 0.9 * a + rng.normal(0.0, np.sqrt(1 - 0.81), size=n_partners)
        activity[:, m] = a
    noise_constant = {
        "noise_region_code": rng.integers(0, 6, size=n_partners).astype(np.float64),
        "noise_partner_size_log": rng.normal(3.5, 1.2, size=n_partners),
        "noise_profile_completeness": np.round(rng.uniform(0.2, 1.0, size=n_partners), 2),
    }
    noise_monthly = {
        "newsletter_opens": rng.poisson(rng.gamma(2.0, 1.5, size=(n_partners, 1)), size=(n_partners, months)).astype(np.float64),
        "support_tickets": rng.poisson(0.4, size=(n_partners, months)).astype(np.float64),
        "webinars": rng.poisson(0.3, size=(n_partners, months)).astype(np.float64),
        "mdf_claims": rng.poisson(0.15, size=(n_partners, months)).astype(np.float64),
        "activity_index": activity,
    }
    join_month = -rng.integers(0, 48, size=n_partners)
    return Events(
        n_partners=n_partners,
        n_months_total=months,
        join_month=join_month,
        logins=logins,
        cert_partner=cert[0],
        cert_slot=cert[1],
        cert_start=cert[2],
        cert_end=cert[3],
        reg_partner=reg_partner.astype(np.int64),
        reg_day=reg_day.astype(np.int64),
        reg_decided_day=reg_decided_day.astype(np.int64),
        reg_won=reg_won,
        noise_constant=noise_constant,
        noise_monthly=noise_monthly,
    )


def _days_since(last_day: np.ndarray, as_of_day: int) -> np.ndarray:
    """``as_of − last`` capped at DAYS_CAP; ``last < 0`` means never (→ the cap)."""
    return np.where(last_day >= 0, np.minimum(as_of_day - last_day, DAYS_CAP), DAYS_CAP).astype(np.float64)


def features_at(events: Events, month: int) -> dict[str, np.ndarray]:
    """Every feature of every partner at the start of ``month`` (day ``30·month``), from events before it.

    Only events with a day strictly below the as-of day are read: login counts of earlier days,
    certification records that started earlier, registrations submitted earlier (outcomes only when
    decided earlier), noise values of earlier months.
    """
    n = events.n_partners
    a = month * DAYS_PER_MONTH
    past = events.logins[:, :a]  # a view: nothing at or after as_of is touched

    def window(values: np.ndarray, days: int) -> np.ndarray:
        return values[:, max(a - days, 0) : a].sum(axis=1).astype(np.float64)

    f: dict[str, np.ndarray] = {}
    f["logins_30d"] = window(past, 30)
    f["logins_60d"] = window(past, 60)
    f["logins_90d"] = window(past, 90)
    f["logins_180d"] = window(past, 180)
    f["logins_prior_60d"] = f["logins_90d"] - f["logins_30d"]
    f["login_trend_log"] = np.log((f["logins_30d"] + 1.0) / (f["logins_prior_60d"] / 2.0 + 1.0))
    active = past > 0
    any_login = active.any(axis=1)
    last = np.where(any_login, a - 1 - np.argmax(active[:, ::-1], axis=1), -1)
    f["days_since_last_login"] = _days_since(last, a)
    f["login_days_30d"] = window(active, 30)
    f["login_days_90d"] = window(active, 90)

    # Certifications known at as_of: records that started before it.
    known = events.cert_start < a
    partner, slot = events.cert_partner[known], events.cert_slot[known]
    start, end = events.cert_start[known], events.cert_end[known]
    key = partner * 8 + slot
    starts = key * 1_000_000 + start
    renewed = np.isin(key * 1_000_000 + end, starts)  # a known record of the same slot starts on the end day
    lapsed = (end < a) & ~renewed

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(partner[mask], minlength=n).astype(np.float64)

    valid = end >= a
    f["certs_active"] = count(valid)
    f["certs_expiring_90d"] = count(valid & (end < a + 90))
    f["certs_lapsed_90d"] = count(lapsed & (end >= a - 90))
    f["certs_lapsed_365d"] = count(lapsed & (end >= a - 365))
    f["certs_renewed_365d"] = count(renewed & (end < a) & (end >= a - 365))
    last_lapse = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last_lapse, partner[lapsed], end[lapsed])
    f["days_since_last_cert_lapse"] = _days_since(last_lapse, a)
    f["certs_ever"] = count(np.ones(len(partner), dtype=bool))

    # Registrations submitted before as_of; outcomes only if decided before as_of.
    submitted = events.reg_day < a
    rp, rd = events.reg_partner[submitted], events.reg_day[submitted]
    decided_day, won = events.reg_decided_day[submitted], events.reg_won[submitted]

    def reg_count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(rp[mask], minlength=n).astype(np.float64)

    f["registrations_90d"] = reg_count(rd >= a - 90)
    f["registrations_180d"] = reg_count(rd >= a - 180)
    f["registrations_365d"] = reg_count(rd >= a - 365)
    last_reg = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last_reg, rp, rd)
    f["days_since_last_registration"] = _days_since(last_reg, a)
    decided = (decided_day < a) & (decided_day >= a - 365)
    f["decided_365d"] = reg_count(decided)
    f["wins_365d"] = reg_count(decided & won)
    f["win_rate_365d"] = (f["wins_365d"] + 1.0) / (f["decided_365d"] + 2.0)
    f["tenure_months"] = (month - events.join_month).astype(np.float64)

    for name, values in events.noise_constant.items():
        f[name] = values.astype(np.float64)
    monthly = {k: v[:, :month] for k, v in events.noise_monthly.items()}  # months before as_of only
    f["noise_newsletter_opens_90d"] = monthly["newsletter_opens"][:, -3:].sum(axis=1)
    f["noise_support_tickets_90d"] = monthly["support_tickets"][:, -3:].sum(axis=1)
    f["noise_webinars_180d"] = monthly["webinars"][:, -6:].sum(axis=1)
    f["noise_mdf_claims_365d"] = monthly["mdf_claims"][:, -12:].sum(axis=1)
    f["noise_activity_index"] = monthly["activity_index"][:, -1].copy()
    return {name: f[name] for name in FEATURES}


def feature_table(events: Events, months: range | list[int]) -> pd.DataFrame:
    """Partner-months for the given snapshot months (absolute month indices ≥ WARMUP_MONTHS)."""
    frames = []
    for month in months:
        f = features_at(events, month)
        frame = pd.DataFrame(f)
        frame.insert(0, "month", month - WARMUP_MONTHS)
        frame.insert(0, TIME, FIRST_SNAPSHOT + pd.DateOffset(months=month - WARMUP_MONTHS))
        frame.insert(0, PARTNER, np.arange(events.n_partners))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def synthetic_tenant(
    n_partners: int = 4000, n_months: int = 24, *, seed: int = 7, mechanism: Mechanism | None = None
) -> SyntheticTenant:
    """``n_partners × n_months`` partner-months with features, the planted label and its true probability.

    Rows are ordered by ``as_of`` then ``partner_id``. Same arguments, same table (bit for bit).
    """
    mechanism = mechanism or Mechanism()
    rng = np.random.default_rng(seed)
    events = simulate_events(n_partners, n_months, rng)
    table = feature_table(events, range(WARMUP_MONTHS, WARMUP_MONTHS + n_months))
    p = mechanism.probability(table)
    label_rng = np.random.default_rng([seed, 1])  # a separate stream: labels never shift the events
    table[LABEL] = (label_rng.random(len(table)) < p).astype(np.int64)
    table["true_probability"] = p
    return SyntheticTenant(
        table=table,
        events=events,
        mechanism=mechanism,
        features=list(FEATURES),
        planted=list(PLANTED),
        noise=list(NOISE_FEATURES),
    )
