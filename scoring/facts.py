"""Per-partner facts as of a date, for the health score and the churn features: point in time.

:func:`partner_facts` returns arrays aligned with the tenant's sorted partner ids, each computed only
from what was recorded *before* ``as_of`` (midnight, server time zone), so a score or a prediction
for a past date never sees the future:

- registrations: ``registrations_90d`` (submitted in the 90 days before), ``decided_180d`` and
  ``approved_180d`` (decided in the 180 days before; approved = any decision but a rejection, since a
  decision's date is when it was taken), ``days_since_registration`` (since the last submission;
  NaN when none);
- wins: ``wins_365d`` and ``won_value_365d`` (closed won in the 365 days before, in the program
  currency at the close-date rate; deals without a rate count as wins with no value),
  ``won_value_prev_365d`` (the 365 days before those), ``velocity_days`` (mean days from submission
  to close of those wins; NaN when none);
- certifications: ``certified_people`` (people holding a certification valid on ``as_of``: issued
  before, expiring on or after it, not revoked before it), ``expiring_60d`` (of those, people whose
  every valid certification expires within 60 days) and ``lapsed_90d`` (people whose certification
  expired in the 90 days before and who hold no valid one).

Three queries (registrations, wins, certifications) plus the rate table; sums by ``np.bincount``.
"""

from __future__ import annotations

import datetime

import numpy as np
from django.db.models import Count, Max, Q
from django.utils import timezone

from deals.currency import rate_table
from deals.models import DealRegistration
from deals.models.registrations import DealStage, RegistrationStatus
from onboarding.models.training import Certification
from partners.models import PartnerOrganization


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def partner_facts(*, as_of: datetime.date, partner_ids: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The facts above for every partner of the scope's tenant (or ``partner_ids``, sorted), as of ``as_of``."""
    if partner_ids is None:
        partner_ids = np.array(sorted(PartnerOrganization.objects.values_list("pk", flat=True)), dtype=np.int64)
    n = len(partner_ids)
    at = _midnight(as_of)
    day = datetime.timedelta(days=1)

    def index(ids) -> np.ndarray:
        ids = np.asarray(ids, dtype=np.int64)
        found = np.searchsorted(partner_ids, ids)
        return found if not len(ids) else np.where((found < n) & (partner_ids[np.minimum(found, n - 1)] == ids), found, -1)

    def spread(rows, column: int, dtype=np.float64, empty=0.0) -> np.ndarray:
        out = np.full(n, empty, dtype=dtype)
        if rows:
            at_ = index([r[0] for r in rows])
            keep = at_ >= 0
            values = np.array([r[column] if r[column] is not None else empty for r in rows], dtype=dtype)
            out[at_[keep]] = values[keep]
        return out

    registrations = list(
        DealRegistration.objects.filter(submitted_at__lt=at)
        .values("partner_id")
        .annotate(
            submitted=Count("id", filter=Q(submitted_at__gte=at - 90 * day)),
            decided=Count("id", filter=Q(decided_at__gte=at - 180 * day, decided_at__lt=at)),
            approved=Count(
                "id",
                filter=Q(decided_at__gte=at - 180 * day, decided_at__lt=at) & ~Q(status=RegistrationStatus.REJECTED),
            ),
            last=Max("submitted_at"),
        )
        .values_list("partner_id", "submitted", "decided", "approved", "last")
    )
    last_days = [
        (row[0], (as_of - timezone.localtime(row[4]).date()).days if row[4] is not None else None) for row in registrations
    ]

    wins = list(
        DealRegistration.objects.filter(
            stage=DealStage.CLOSED_WON, closed_on__gte=as_of - 730 * day, closed_on__lt=as_of, submitted_at__lt=at
        ).values_list("partner_id", "closed_on", "closed_amount", "value", "currency", "submitted_at")
    )
    won_value = np.zeros(n)
    won_prev = np.zeros(n)
    win_count = np.zeros(n)
    velocity_sum = np.zeros(n)
    if wins:
        who = index([w[0] for w in wins])
        closed = np.array([w[1] for w in wins], dtype="datetime64[D]")
        amounts = np.array([float(w[2] if w[2] is not None else w[3]) for w in wins])
        currencies = np.array([w[4] for w in wins], dtype=object)
        conversion = rate_table().convert(amounts, currencies, closed)
        values = np.where(conversion.missing, 0.0, conversion.values)
        recent = closed >= np.datetime64(as_of - 365 * day)
        days_to_close = (closed - np.array([timezone.localtime(w[5]).date() for w in wins], dtype="datetime64[D]")).astype(
            np.float64
        )
        ok = who >= 0
        won_value = np.bincount(who[ok & recent], weights=values[ok & recent], minlength=n)
        won_prev = np.bincount(who[ok & ~recent], weights=values[ok & ~recent], minlength=n)
        win_count = np.bincount(who[ok & recent], minlength=n).astype(np.float64)
        velocity_sum = np.bincount(who[ok & recent], weights=days_to_close[ok & recent], minlength=n)

    valid = Q(expires_on__gte=as_of) & (Q(revoked_at__isnull=True) | Q(revoked_at__gte=at))
    people = list(
        Certification.objects.filter(issued_at__lt=at)
        .values("partner_id", "user_id")
        .annotate(
            valid=Count("id", filter=valid),
            valid_beyond_60=Count("id", filter=valid & Q(expires_on__gte=as_of + 60 * day)),
            lapsed=Count("id", filter=Q(expires_on__gte=as_of - 90 * day, expires_on__lt=as_of)),
        )
        .values_list("partner_id", "valid", "valid_beyond_60", "lapsed")
    )
    certified = np.zeros(n)
    expiring = np.zeros(n)
    lapsed = np.zeros(n)
    if people:
        who = index([p[0] for p in people])
        holds = np.array([p[1] > 0 for p in people])
        beyond = np.array([p[2] > 0 for p in people])
        lapsed_now = np.array([p[3] > 0 for p in people]) & ~holds
        ok = who >= 0
        certified = np.bincount(who[ok & holds], minlength=n).astype(np.float64)
        expiring = np.bincount(who[ok & holds & ~beyond], minlength=n).astype(np.float64)
        lapsed = np.bincount(who[ok & lapsed_now], minlength=n).astype(np.float64)

    with np.errstate(invalid="ignore", divide="ignore"):
        velocity = np.where(win_count > 0, velocity_sum / np.maximum(win_count, 1), np.nan)
    return {
        "partner_ids": partner_ids,
        "registrations_90d": spread(registrations, 1),
        "decided_180d": spread(registrations, 2),
        "approved_180d": spread(registrations, 3),
        "days_since_registration": spread(last_days, 1, empty=np.nan),
        "wins_365d": win_count,
        "won_value_365d": won_value,
        "won_value_prev_365d": won_prev,
        "velocity_days": velocity,
        "certified_people": certified,
        "expiring_60d": expiring,
        "lapsed_90d": lapsed,
    }
