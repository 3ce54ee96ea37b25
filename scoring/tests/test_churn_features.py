"""The churn training table from the platform, point in time: a partner-month's features never see
its future (a planted later event changes only the label), the label is "no activity in the horizon",
and it is left empty while the horizon has not ended."""

from __future__ import annotations

import datetime

import numpy as np
import pytest

from attribution.tests.support import at
from ecosystem.tenancy.context import tenant_context
from partners.models import EngagementKind
from partners.services import engagement_record
from scoring.churn_features import LABEL, partner_month_table

pytestmark = pytest.mark.django_db
D = datetime.date


def test_features_before_the_date_label_after_it(world):
    a = world.a
    months = [D(2026, 3, 1), D(2026, 4, 1)]
    today = D(2026, 6, 15)
    with tenant_context(a.tenant.pk):
        for day in (D(2026, 2, 10), D(2026, 2, 20), D(2026, 1, 15)):
            engagement_record(tenant=a.tenant, partner_id=a.partner1.pk, kind=EngagementKind.LOGIN, at=at(day))
        before = partner_month_table(as_of_dates=months, horizon_days=60, today=today)
        # planted on 2026-03-20: inside March's horizon, after March's as_of
        engagement_record(tenant=a.tenant, partner_id=a.partner1.pk, kind=EngagementKind.LOGIN, at=at(D(2026, 3, 20)))
        after = partner_month_table(as_of_dates=months, horizon_days=60, today=today)
        late = partner_month_table(as_of_dates=[D(2026, 6, 1)], horizon_days=60, today=today)

    def row(table, partner, month):
        return table[(table["partner_id"] == partner.pk) & (table["as_of"] == np.datetime64(month))].iloc[0]

    march_before, march_after = row(before, a.partner1, months[0]), row(after, a.partner1, months[0])
    features = [c for c in before.columns if c not in ("partner_id", "as_of", LABEL)]
    assert march_before[features].equals(march_after[features])  # the future login changed no feature
    assert march_before["logins_30d"] == 2 and march_before["login_trend"] == (2 + 1) / (1 + 1)
    assert march_before[LABEL] == 1 and march_after[LABEL] == 0  # it only made March's partner active
    assert row(after, a.partner2, months[0])[LABEL] == 1  # never active
    assert row(after, a.partner1, months[1])["logins_30d"] == 1  # April sees the March login
    assert late[LABEL].isna().all()  # June + 60 days has not ended: no label yet
