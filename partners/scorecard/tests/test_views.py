"""The scorecard pages: the partner's own card and the same card for staff (linked from the partner's page),
the period picker and a period it does not offer, the definitions behind each card, the churn risk only
when allowed, ownership (another tenant's or a partner user's 404, no foreign id), exports, query budgets."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from partners.scorecard.definitions import DEFINITIONS

from .support import TODAY, build_partner

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr("partners.scorecard.views._today", lambda: TODAY)


def url(name: str, slug: str = "alpha", **kwargs) -> str:
    return reverse(name, kwargs={"tenant_slug": slug, **kwargs})


@pytest.fixture
def partner_admin(client, world):
    client.force_login(world.a.partner1_admin)
    return client


@pytest.fixture
def manager(client, world):
    client.force_login(world.a.manager)
    return client


def test_the_partner_sees_its_figures_for_the_quarter_beside_the_quarter_before(partner_admin, world):
    build_partner(world.a)

    response = partner_admin.get(url("partner_scorecard:mine"), {"period": "2026-Q3"})
    page = response.content.decode()

    assert response.status_code == 200
    assert "01 Jul 2026 – 30 Sep 2026, beside 01 Apr 2026 – 30 Jun 2026" in page
    assert 'data-testid="value-revenue_won">16,900.00 USD' in page
    assert 'data-testid="value-registrations_submitted">8' in page
    assert "▲ +11,900.00 USD" in page  # 16,900 − 5,000
    assert 'data-testid="value-mdf_ropi">4.00×' in page
    assert 'data-testid="value-health_score">73' in page  # 72.5 shown whole (rounded half up), as the health page does
    assert "Certify one more person." in page


def test_every_card_carries_its_definition(partner_admin, world):
    build_partner(world.a)

    page = partner_admin.get(url("partner_scorecard:mine"), {"period": "2026-Q3"}).content.decode()

    for key in ("revenue_won", "approval_rate", "sourced_revenue", "psat_mean", "mdf_ropi", "certified_people"):
        assert f'data-testid="definition-{key}">{escape(str(DEFINITIONS[key]["definition"]))}</span>' in page


def test_the_churn_risk_shows_only_when_the_program_allows_it(client, world):
    build_partner(world.a, partners_see_churn=False)
    client.force_login(world.a.partner1_admin)

    assert 'data-testid="card-churn_risk"' not in client.get(url("partner_scorecard:mine")).content.decode()

    from ecosystem.tenancy.context import tenant_context
    from scoring.models import ScoringSettings

    with tenant_context(world.a.tenant.pk):
        ScoringSettings.objects.filter(tenant=world.a.tenant).update(partners_see_churn=True)
    page = client.get(url("partner_scorecard:mine")).content.decode()
    assert 'data-testid="value-churn_risk">0.31' in page and "No login for 40 days." in page


def test_without_an_attribution_run_the_page_says_so(partner_admin, world):
    page = partner_admin.get(url("partner_scorecard:mine")).content.decode()

    assert 'data-testid="attribution-none"' in page and 'data-testid="value-sourced_revenue"' not in page
    assert 'data-testid="health-empty"' in page


def test_a_period_the_picker_does_not_offer_is_shown_with_its_error_over_the_default(partner_admin, world):
    response = partner_admin.get(url("partner_scorecard:mine"), {"period": "2019-Q9"})
    page = response.content.decode()

    assert response.status_code == 400
    assert 'data-testid="period-error"' in page and '<option value="2019-Q9" selected>' in page
    assert "01 Oct 2025 – 30 Sep 2026" in page  # the default: the last 4 full quarters


def test_the_picker_offers_the_last_four_quarters_this_quarter_and_twelve_months(partner_admin, world):
    page = partner_admin.get(url("partner_scorecard:mine")).content.decode()

    for key in ("4q", "qtd", "2026-Q3", "2026-Q2", "2026-Q1", "2025-Q4", "12m"):
        assert f'<option value="{key}"' in page


def test_staff_see_the_partners_card_from_its_page(manager, world):
    build_partner(world.a)

    detail = manager.get(url("partners:detail", partner_id=world.a.partner1.public_id)).content.decode()
    link = url("scorecard:partner", partner_id=world.a.partner1.public_id)
    page = manager.get(link, {"period": "2026-Q3"}).content.decode()

    assert f'href="{link}"' in detail
    assert "Scorecard of Alpha Reseller" in page and 'data-testid="value-revenue_won">16,900.00 USD' in page


def test_staff_see_the_churn_risk_only_as_the_partner_would(manager, world):
    build_partner(world.a, partners_see_churn=False)

    page = manager.get(url("scorecard:partner", partner_id=world.a.partner1.public_id)).content.decode()

    assert 'data-testid="card-churn_risk"' not in page


def test_another_tenants_partner_is_404_for_staff(manager, world):
    response = manager.get(url("scorecard:partner", partner_id=world.b.partner1.public_id))

    assert response.status_code == 404


def test_a_partner_user_gets_404_on_the_staff_page_even_for_its_own_organisation(partner_admin, world):
    for partner in (world.a.partner1, world.a.partner2):
        assert partner_admin.get(url("scorecard:partner", partner_id=partner.public_id)).status_code == 404


def test_the_partners_page_names_no_other_partner(client, world):
    build_partner(world.a)
    client.force_login(world.a.partner2_admin)

    page = client.get(url("partner_scorecard:mine"), {"period": "2026-Q3"}).content.decode()

    assert "Alpha Reseller" not in page and str(world.a.partner1.public_id) not in page
    assert 'data-testid="value-revenue_won">9,000.00 USD' in page  # its own r8 and r10


def test_the_figures_export_as_csv_and_xlsx(partner_admin, world):
    build_partner(world.a)

    csv = partner_admin.get(url("partner_scorecard:mine"), {"period": "2026-Q3", "export": "csv"})
    xlsx = partner_admin.get(url("partner_scorecard:mine"), {"period": "2026-Q3", "export": "xlsx"})

    body = b"".join(csv.streaming_content).decode() if csv.streaming else csv.content.decode()
    assert "revenue_won,Closed-won revenue,money,2026-07-01,2026-09-30,16900.00,5000.00" in body
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


# Every page opens and closes with 13 statements (see partners/mdf/tests/test_views.py), plus the set_config
# narrowing to the partner (1). The card then reads: the program currency (1); the registrations' counts (1); the
# rate table across partners (savepoint, set_config, select, release, set_config back: 5); the closed and open deals
# (1); the attribution run's header across partners (5) and, as a run exists, the won deals the partner registered
# or touched across partners (5) and its attributed revenue (1); PSAT responses and answers (2); MDF requests, claims
# and campaigns (3); certifications and completions (2); the latest health score (1); the churn setting and the
# prediction across partners (6); the tier ladder and evaluation (2) and, with no evaluation yet, the tier facts
# (certified people, currency, revenue, active registrations, health: 5).
PARTNER_QUERIES = 13 + 1 + 1 + 1 + 5 + 1 + 5 + 5 + 1 + 2 + 3 + 2 + 1 + 6 + 2 + 5


@pytest.mark.parametrize("more", [0, 5])
def test_the_partners_page_costs_the_same_queries_whatever_the_number_of_rows(
    partner_admin, world, more, django_assert_num_queries
):
    from ecosystem.tenancy.context import tenant_context

    from .support import registration

    build_partner(world.a)
    with tenant_context(world.a.tenant.pk):
        for n in range(more):
            registration(
                world.a.tenant,
                world.a.partner1,
                submitted=f"2026-08-0{n + 1}",
                status="won",
                stage="closed_won",
                decided="2026-08-09",
                closed="2026-09-01",
                amount="100",
            )
    partner_admin.get(url("partner_scorecard:mine"))  # warm the session
    with django_assert_num_queries(PARTNER_QUERIES):
        response = partner_admin.get(url("partner_scorecard:mine"), {"period": "2026-Q3"})
    assert f'data-testid="value-deals_won">{4 + more}<' in response.content.decode()


# The staff page: the same reads in the staff scope, where reading across partners costs no statement of its
# own: 13 + the partner by its id (1) + currency, registrations, rates, deals (4) + the run's header, the won deals
# the partner registered or touched, its attributed revenue (3) + PSAT (2) + MDF (3) + certifications and
# completions (2) + health (1) + churn setting and prediction (2) + tier ladder, evaluation and facts (2 + 5).
STAFF_QUERIES = 13 + 1 + 4 + 3 + 2 + 3 + 2 + 1 + 2 + 7


def test_the_staff_page_costs_a_fixed_number_of_queries(manager, world, django_assert_num_queries):
    build_partner(world.a)
    path = url("scorecard:partner", partner_id=world.a.partner1.public_id)
    manager.get(path)
    with django_assert_num_queries(STAFF_QUERIES):
        assert manager.get(path, {"period": "2026-Q3"}).status_code == 200
