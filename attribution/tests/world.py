"""One hand-built month (March 2026) of outcomes and touches, shared by the loader and run tests.

Journeys the rule in ``attribution.journeys_loader`` must build, in outcome order:

1. ``expired``  (protection ended 03-12, conv 0): partner1 referral 03-11
2. ``lost``     (closed 03-15, conv 0):          partner2 cosell 03-05
3. ``won``      (closed 03-20, 5,000):           partner1 referral 03-01, partner2 cosell 03-10,
                                                 partner1 technical validation 03-20 (close day counts);
                                                 not partner2's 03-21 touch (after), nor a 2024 touch (past the look-back)
4. ``open``     (period end 03-31, conv 0):      partner1 implementation 03-30

Left out: a won deal whose account no partner touched (700), a rejected registration, a deal won in April.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from attribution.models import TouchpointType
from deals.models.registrations import DealStage, RegistrationStatus

from .support import account, registration, touch

START, END = datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)


def d(day: int, month: int = 3, year: int = 2026) -> datetime.date:
    return datetime.date(year, month, day)


@dataclass
class March:
    expired: object
    lost: object
    won: object
    open: object
    untouched: object


def build_march(a) -> March:
    t, p1, p2 = a.tenant, a.partner1, a.partner2
    x, y, z, w, e, v = (account(t) for _ in range(6))
    won = registration(
        t,
        p1,
        x,
        submitted=d(1, 2),
        stage=DealStage.CLOSED_WON,
        status=RegistrationStatus.WON,
        closed_on=d(20),
        closed_amount="5000",
        protected_until=d(1, 5),
    )
    touch(t, p1, x, d(1), TouchpointType.REFERRAL)
    touch(t, p2, x, d(10), TouchpointType.COSELL)
    touch(t, p1, x, d(20), TouchpointType.TECHNICAL_VALIDATION)
    touch(t, p2, x, d(21), TouchpointType.COSELL)
    touch(t, p2, x, d(1, 1, 2024), TouchpointType.COSELL)
    lost = registration(t, p2, y, submitted=d(1, 2), stage=DealStage.CLOSED_LOST, status=RegistrationStatus.LOST, closed_on=d(15))
    touch(t, p2, y, d(5), TouchpointType.COSELL)
    open_ = registration(t, p1, z, submitted=d(1, 2))
    touch(t, p1, z, d(30), TouchpointType.IMPLEMENTATION)
    untouched = registration(
        t,
        p2,
        w,
        submitted=d(1, 2),
        stage=DealStage.CLOSED_WON,
        status=RegistrationStatus.WON,
        closed_on=d(12),
        closed_amount="700",
    )
    expired = registration(t, p1, e, submitted=d(1, 1), status=RegistrationStatus.EXPIRED, protected_until=d(12))
    touch(t, p1, e, d(11), TouchpointType.REFERRAL)
    registration(t, p1, v, submitted=d(2), status=RegistrationStatus.REJECTED)
    touch(t, p1, v, d(3), TouchpointType.REFERRAL)
    # Submitted and won after the period: no outcome in March (one submitted in March and closed in
    # April would be open at March's end: test_open_at_the_end_of_a_past_period).
    registration(
        t,
        p1,
        x,
        submitted=d(1, 4),
        stage=DealStage.CLOSED_WON,
        status=RegistrationStatus.WON,
        closed_on=d(2, 4),
        closed_amount="9",
    )
    return March(expired=expired, lost=lost, won=won, open=open_, untouched=untouched)
