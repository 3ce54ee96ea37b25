"""The churn training table from the platform, point in time: a partner-month's features never see
its future (a planted later event changes only the label), the label is "no activity in the horizon",
and it is left empty while the horizon has not ended."""

from __future__ import annotations

import datetime

import numpy as np
import pytest

from attribution.tests.support import at
from ecosystem.tenancy.context import tenant_context
from partners.models import EngagementKind, PartnerOrganization, PartnerStatus, PartnerStatusChange
from partners.services import engagement_record
from scoring.churn.rules import DEFAULT_RULES
from scoring.churn.training import DEFAULT_DRIVER_SENTENCES
from scoring.churn_features import FEATURES, LABEL, partner_month_table
from scoring.models import Intervention, InterventionAction

pytestmark = pytest.mark.django_db
D = datetime.date


def test_features_before_the_date_label_after_it(world):
    a = world.a
    months = [D(2026, 3, 1), D(2026, 4, 1)]
    today = D(2026, 6, 15)
    with tenant_context(a.tenant.pk):
        PartnerOrganization.objects.update(created_at=at(D(2025, 6, 1)))
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
    assert march_before["logins_30d"] == 2 and march_before["login_trend_log"] == pytest.approx(np.log((2 + 1) / (1 + 1)))
    assert march_before[LABEL] == 1 and march_after[LABEL] == 0  # it only made March's partner active
    assert row(after, a.partner2, months[0])[LABEL] == 1  # never active
    assert row(after, a.partner1, months[1])["logins_30d"] == 1  # April sees the March login
    assert late[LABEL].isna().all()  # June + 60 days has not ended: no label yet


def test_only_partners_in_the_program_on_the_date(world):
    """Not yet created (and no earlier event), or retired on the date: no row. Imported history counts."""
    a = world.a
    today = D(2026, 9, 1)
    with tenant_context(a.tenant.pk):
        PartnerOrganization.objects.filter(pk=a.partner1.pk).update(created_at=at(D(2026, 4, 10)))
        PartnerOrganization.objects.filter(pk=a.partner2.pk).update(created_at=at(D(2026, 8, 1)))
        # partner 2 was created in August but brought its history: a login in February
        engagement_record(tenant=a.tenant, partner_id=a.partner2.pk, kind=EngagementKind.LOGIN, at=at(D(2026, 2, 3)))
        retired = PartnerStatusChange.objects.create(
            tenant=a.tenant, partner=a.partner1, from_status=PartnerStatus.ACTIVE, to_status=PartnerStatus.RETIRED
        )
        PartnerStatusChange.objects.filter(pk=retired.pk).update(changed_at=at(D(2026, 6, 20)))
        table = partner_month_table(
            as_of_dates=[D(2026, 2, 1), D(2026, 3, 1), D(2026, 5, 1), D(2026, 7, 1)], horizon_days=30, today=today
        )
    rows = {(int(r.partner_id), r.as_of.date()) for r in table.itertuples()}
    p1, p2 = a.partner1.pk, a.partner2.pk
    assert (p1, D(2026, 3, 1)) not in rows and (p1, D(2026, 5, 1)) in rows  # created 10 April
    assert (p1, D(2026, 7, 1)) not in rows  # retired on 20 June
    assert (p2, D(2026, 2, 1)) not in rows and (p2, D(2026, 3, 1)) in rows  # its first event, 3 February


def test_interventions_are_a_feature_and_the_names_fit_the_rules(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        PartnerOrganization.objects.update(created_at=at(D(2025, 6, 1)))
        for day in (D(2026, 1, 5), D(2026, 2, 20), D(2026, 3, 2)):
            Intervention.objects.create(tenant=a.tenant, partner=a.partner1, action=InterventionAction.CALL, occurred_on=day)
        table = partner_month_table(as_of_dates=[D(2026, 3, 1)], horizon_days=30, today=D(2026, 9, 1))
    counts = dict(zip(table["partner_id"], table["interventions_90d"], strict=True))
    assert counts[a.partner1.pk] == 2 and counts[a.partner2.pk] == 0  # 2 March is on the date: not before it
    assert list(table.columns) == ["partner_id", "as_of", *FEATURES, LABEL]
    assert {rule.feature for rule in DEFAULT_RULES} <= set(FEATURES)
    assert {"days_since_last_login", "login_trend_log", "certs_lapsed_90d", "days_since_last_registration"} <= set(
        DEFAULT_DRIVER_SENTENCES
    )
