"""Per-partner facts as of a date, for the health score and the churn features: point in time.

:func:`partner_facts` returns arrays aligned with the tenant's sorted partner ids, each computed only
from what was recorded *before* ``as_of`` (midnight, server time zone), so a score or a prediction
for a past date never sees the future:

- registrations: ``registrations_90d`` (submitted in the 90 days before), ``registrations_approved``
  and ``registrations_rejected`` (decided in the 365 days before; approved = any decision but a
  rejection, since a decision's date is when it was taken), ``days_since_registration`` (since the
  last submission; NaN when none);
- closed deals (registered before ``as_of``, closed in the 365 days before): ``deals_won``,
  ``deals_lost``, ``days_to_close`` (median days from submission to close of the wins; NaN when none),
  ``revenue_recent`` (won value closed in the 180 days before) and ``revenue_previous`` (181–365 days
  before), in the program currency at the close-date rate (a win without a rate counts, with no value);
- certifications: ``certified_people`` (people holding a certification valid on ``as_of``: issued
  before, expiring on or after it, not revoked before it), ``certifications_expiring`` (of those,
  people whose every valid certification expires within 60 days) and ``lapsed_90d`` (people whose
  certification expired in the 90 days before and who hold no valid one);
- ``open_security_items``: the partner's security-review onboarding steps not done. There is no
  history of a step's status, so this one is the state *now*, whatever ``as_of`` says.

Four queries (registrations, closed deals, certifications, security steps) plus the rate table; sums
by ``np.bincount``, medians by one sort.
"""

from __future__ import annotations

import datetime

import numpy as np
from django.db.models import Count, Max, Q
from django.utils import timezone

from deals.currency import rate_table
from deals.models import DealRegistration
from deals.models.registrations import DealStage, RegistrationStatus
from onboarding.models.plans import OnboardingStep, StepKind, StepStatus
from onboarding.models.training import Certification
from partners.models import PartnerOrganization


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def partner_facts(*, as_of: datetime.date, partner_ids: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The facts above for every partner of the scope's tenant (or ``partner_ids``, sorted), as of ``as_of``."""
    only = {} if partner_ids is None else {"partner_id__in": [int(p) for p in partner_ids]}
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
        DealRegistration.objects.filter(submitted_at__lt=at, **only)
        .values("partner_id")
        .annotate(
            submitted=Count("id", filter=Q(submitted_at__gte=at - 90 * day)),
            approved=Count(
                "id",
                filter=Q(decided_at__gte=at - 365 * day, decided_at__lt=at) & ~Q(status=RegistrationStatus.REJECTED),
            ),
            rejected=Count("id", filter=Q(decided_at__gte=at - 365 * day, decided_at__lt=at, status=RegistrationStatus.REJECTED)),
            last=Max("submitted_at"),
        )
        .values_list("partner_id", "submitted", "approved", "rejected", "last")
    )
    last_days = [
        (row[0], (as_of - timezone.localtime(row[4]).date()).days if row[4] is not None else None) for row in registrations
    ]

    closed = list(
        DealRegistration.objects.filter(
            stage__in=(DealStage.CLOSED_WON, DealStage.CLOSED_LOST),
            closed_on__gte=as_of - 365 * day,
            closed_on__lt=as_of,
            submitted_at__lt=at,
            **only,
        ).values_list("partner_id", "stage", "closed_on", "closed_amount", "value", "currency", "submitted_at")
    )
    deals_won, deals_lost = np.zeros(n), np.zeros(n)
    revenue_recent, revenue_previous = np.zeros(n), np.zeros(n)
    days_to_close = np.full(n, np.nan)
    if closed:
        who = index([c[0] for c in closed])
        won = np.array([c[1] == DealStage.CLOSED_WON for c in closed]) & (who >= 0)
        lost = np.array([c[1] == DealStage.CLOSED_LOST for c in closed]) & (who >= 0)
        on = np.array([c[2] for c in closed], dtype="datetime64[D]")
        amounts = np.array([float(c[3] if c[3] is not None else c[4]) for c in closed])
        conversion = rate_table().convert(amounts, np.array([c[5] for c in closed], dtype=object), on)
        values = np.where(conversion.missing | ~won, 0.0, conversion.values)
        recent = on >= np.datetime64(as_of - 180 * day)
        deals_won = np.bincount(who[won], minlength=n).astype(np.float64)
        deals_lost = np.bincount(who[lost], minlength=n).astype(np.float64)
        revenue_recent = np.bincount(who[won & recent], weights=values[won & recent], minlength=n)
        revenue_previous = np.bincount(who[won & ~recent], weights=values[won & ~recent], minlength=n)
        submitted = np.array([timezone.localtime(c[6]).date() for c in closed], dtype="datetime64[D]")
        days_to_close = _medians(who[won], (on - submitted).astype(np.float64)[won], n)

    valid = Q(expires_on__gte=as_of) & (Q(revoked_at__isnull=True) | Q(revoked_at__gte=at))
    people = list(
        Certification.objects.filter(issued_at__lt=at, **only)
        .values("partner_id", "user_id")
        .annotate(
            valid=Count("id", filter=valid),
            valid_beyond_60=Count("id", filter=valid & Q(expires_on__gte=as_of + 60 * day)),
            lapsed=Count("id", filter=Q(expires_on__gte=as_of - 90 * day, expires_on__lt=as_of)),
        )
        .values_list("partner_id", "valid", "valid_beyond_60", "lapsed")
    )
    certified, expiring, lapsed = np.zeros(n), np.zeros(n), np.zeros(n)
    if people:
        who = index([p[0] for p in people])
        holds = np.array([p[1] > 0 for p in people])
        beyond = np.array([p[2] > 0 for p in people])
        lapsed_now = np.array([p[3] > 0 for p in people]) & ~holds
        ok = who >= 0
        certified = np.bincount(who[ok & holds], minlength=n).astype(np.float64)
        expiring = np.bincount(who[ok & holds & ~beyond], minlength=n).astype(np.float64)
        lapsed = np.bincount(who[ok & lapsed_now], minlength=n).astype(np.float64)

    security = list(
        OnboardingStep.objects.filter(kind=StepKind.SECURITY_REVIEW, **only)
        .exclude(status=StepStatus.DONE)
        .values("partner_id")
        .annotate(open=Count("id"))
        .values_list("partner_id", "open")
    )
    return {
        "partner_ids": partner_ids,
        "registrations_90d": spread(registrations, 1),
        "registrations_approved": spread(registrations, 2),
        "registrations_rejected": spread(registrations, 3),
        "days_since_registration": spread(last_days, 1, empty=np.nan),
        "deals_won": deals_won,
        "deals_lost": deals_lost,
        "days_to_close": days_to_close,
        "revenue_recent": revenue_recent,
        "revenue_previous": revenue_previous,
        "certified_people": certified,
        "certifications_expiring": expiring,
        "lapsed_90d": lapsed,
        "open_security_items": spread(security, 1),
    }


def _medians(group: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Per group 0 … n − 1, the median of its values (NaN for a group without any), with one sort."""
    out = np.full(n, np.nan)
    if not len(values):
        return out
    order = np.lexsort((values, group))
    group, values = group[order], values[order]
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    counts = np.diff(np.r_[starts, len(group)])
    low = starts + (counts - 1) // 2
    high = starts + counts // 2
    out[group[starts]] = (values[low] + values[high]) / 2
    return out
