"""The partner portal's Attribution pages: the partner's own credit, its journeys, one journey's touches
anonymised unless co-sold, 404 on deals it did not touch, the empty state, and the pages' queries.

Figures: March by partner (test_partner_selectors.py has them worked out).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ecosystem.tenancy.context import tenant_context

from .test_partner_selectors import co_sell, run_by
from .world import build_march

pytestmark = pytest.mark.django_db


def overview(slug="alpha") -> str:
    return reverse("partner_attribution:overview", kwargs={"tenant_slug": slug})


def journey(registration, slug="alpha") -> str:
    return reverse("partner_attribution:journey", kwargs={"tenant_slug": slug, "registration_id": registration.public_id})


@pytest.fixture
def march(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        built = build_march(a)
        run = run_by(a)
    return built, run


def _ids(world, built, *registrations) -> set[str]:
    a = world.a
    return {str(a.partner1.public_id), *(str(r.public_id) for r in registrations)}


def test_without_a_run_the_page_says_so(client, world):
    client.force_login(world.a.partner1_rep)
    response = client.get(overview())
    assert response.status_code == 200
    assert 'data-testid="attribution-empty"' in response.content.decode()


def test_the_page_shows_the_partners_own_credit_per_model_and_its_journeys(client, world, march):
    a = world.a
    built, run = march
    client.force_login(a.partner1_rep)
    page = client.get(overview()).content.decode()
    assert "2026-03-01 to 2026-03-31" in page and 'data-testid="model-definitions"' in page
    assert str(run.public_id) not in page  # nothing needs the run's id in the portal
    # first touch 1 / 5,000; linear 2/3 → 3,333.33; position-based 0.8 → 4,000; Markov 0.8 → 4,000
    for model, conv, value in [
        ("first_touch", "1.00", "5,000.00"),
        ("linear", "0.67", "3,333.33"),
        ("position_based", "0.80", "4,000.00"),
        ("markov", "0.80", "4,000.00"),
        ("shapley_counts", "0.50", "2,500.00"),
    ]:
        row = page.split(f'data-testid="credit-{model}"')[1].split("</tr>")[0]
        assert f">{conv}<" in row and f">{value}<" in row, model
    assert page.count('data-testid="journey-row"') == 3
    for deal in (built.open, built.won, built.expired):
        assert journey(deal) in page and deal.customer_name in page
    assert "1,666.67" not in page  # partner 2's linear credit


def test_the_share_follows_the_chosen_model(client, world, march):
    client.force_login(world.a.partner1_rep)
    linear = client.get(overview()).content.decode()
    assert "Your share (Linear)" in linear and ">67 %<" in linear and ">3,333.33<" in linear
    decay = client.get(overview() + "?model=first_touch").content.decode()
    assert "Your share (First touch)" in decay and ">100 %<" in decay
    unknown = client.get(overview() + "?model=markov").content.decode()  # no per-deal split: linear
    assert "Your share (Linear)" in unknown


def test_another_partners_deal_is_a_customer_account_without_names_or_ids(client, world, march):
    a = world.a
    built, _run = march
    client.force_login(a.partner2_admin)
    page = client.get(overview()).content.decode()
    assert page.count('data-testid="journey-row"') == 2  # the won deal (partner 1's) and its own lost deal
    assert "a customer account" in page and built.won.customer_name not in page
    assert built.lost.customer_name in page
    assert a.partner1.name not in page and str(a.partner1.public_id) not in page
    detail = client.get(journey(built.won)).content.decode()
    assert detail.count("Another partner") == 2 and a.partner2.name in detail
    assert a.partner1.name not in detail and built.won.customer_name not in detail
    assert str(a.partner1.public_id) not in detail
    # partner 2's credit on the deal: linear 1/3 → 1,666.67; position-based 0.2 → 1,000.00
    assert ">1,666.67<" in detail and ">1,000.00<" in detail


def test_a_co_seller_sees_its_team_mate_and_the_customer(client, world, march):
    a = world.a
    built, _run = march
    with tenant_context(a.tenant.pk):
        co_sell(a, built.won, a.partner2)
    client.force_login(a.partner2_admin)
    detail = client.get(journey(built.won)).content.decode()
    assert "Another partner" not in detail and a.partner1.name in detail and built.won.customer_name in detail
    assert str(a.partner1.public_id) not in detail
    client.force_login(a.partner1_rep)
    mine = client.get(journey(built.won)).content.decode()
    assert a.partner2.name in mine and "Another partner" not in mine


def test_the_partners_own_journey_names_it_and_gives_its_credit_per_model(client, world, march):
    a = world.a
    built, _run = march
    client.force_login(a.partner1_rep)
    page = client.get(journey(built.won) + "?model=position_based").content.decode()
    assert page.count('data-testid="touch-row"') == 3
    rows = page.split('data-testid="touch-row"')[1:]
    assert [("40 %" in r.split("</tr>")[0], "20 %" in r.split("</tr>")[0]) for r in rows] == [
        (True, False),
        (False, True),
        (True, False),
    ]
    assert [a.partner1.name in r.split("</tr>")[0] for r in rows] == [True, False, True]
    credits = page.split('data-testid="journey-credits"')[1]
    assert 'data-testid="journey-credit-position_based"' in credits and ">4,000.00<" in credits
    assert "journey-credit-markov" not in credits  # no per-deal split


@pytest.mark.parametrize("deal", ["expired", "open", "untouched"])
def test_a_deal_the_partner_did_not_touch_is_404(client, world, march, deal):
    built, _run = march
    client.force_login(world.a.partner2_admin)
    response = client.get(journey(getattr(built, deal)))
    assert response.status_code == 404
    assert getattr(built, deal).customer_name not in response.content.decode()


def test_the_journey_is_404_without_a_run_and_in_another_tenant(client, world):
    a = world.a
    with tenant_context(a.tenant.pk):
        built = build_march(a)
    client.force_login(a.partner1_rep)
    assert client.get(journey(built.won)).status_code == 404
    with tenant_context(a.tenant.pk):
        run_by(a)
    client.force_login(world.b.partner1_admin)
    assert client.get(journey(built.won, slug="beta")).status_code == 404


def test_staff_have_no_partner_attribution_page(client, world, march):
    client.force_login(world.a.manager)
    assert client.get(overview()).status_code == 404


def test_the_menu_links_the_page(client, world):
    client.force_login(world.a.partner1_rep)
    assert overview() in client.get(overview()).content.decode()


# Both pages: 7 queries before the view (session, user, tenant; the tenant scope's savepoint and
# settings, the membership, the partner's settings) and 7 after it (the base template's program
# switcher: savepoint, settings, memberships, settings back, release; the request's release and reset).
FRAMEWORK = 7 + 7
ACROSS = 4  # across_partners: savepoint, wide settings, release, the partner's settings back


def test_the_pages_run_a_fixed_number_of_queries(client, world, march):
    built, _run = march
    client.force_login(world.a.partner1_rep)
    client.get(overview())  # warm the session
    with CaptureQueriesContext(connection) as listed:
        assert client.get(overview()).status_code == 200
    # the run's header (across); the journeys' count and page; the page's registrations and their
    # accepted participants (across); the partner's credits
    assert len(listed) == FRAMEWORK + (ACROSS + 1) + 2 + (ACROSS + 2) + 1
    with CaptureQueriesContext(connection) as detail:
        assert client.get(journey(built.won)).status_code == 200
    # the run's header (across); then, across: the registration, the journey's touches, its accepted
    # participants, the named partners, the touchpoints' types
    assert len(detail) == FRAMEWORK + (ACROSS + 1) + (ACROSS + 5)


def test_the_list_queries_do_not_grow_with_the_journeys(client, world, march):
    from .support import account, registration, touch
    from .world import d

    a = world.a
    client.force_login(a.partner1_rep)
    with CaptureQueriesContext(connection) as before:
        client.get(overview())
    with tenant_context(a.tenant.pk):
        for _ in range(4):
            customer = account(a.tenant)
            registration(a.tenant, a.partner1, customer, submitted=d(2))
            touch(a.tenant, a.partner1, customer, d(3))
        run_by(a)
    with CaptureQueriesContext(connection) as after:
        page = client.get(overview()).content.decode()
    assert page.count('data-testid="journey-row"') == 7
    assert len(after) == len(before)


def test_the_export_lists_the_partners_journeys_with_its_share_and_credit_per_model(client, world, march):
    import csv
    import io

    a = world.a
    built, _run = march
    client.force_login(a.partner2_admin)
    response = client.get(reverse("partner_attribution:export", kwargs={"tenant_slug": "alpha"}))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_deal = {r["deal"]: r for r in rows}
    assert set(by_deal) == {str(built.won.public_id), str(built.lost.public_id)}
    won = by_deal[str(built.won.public_id)]
    # partner 2 touched partner 1's won deal (a co-sell touch) without being on its team: the customer stays anonymous;
    # its one touch of three: linear 1/3 → 1,666.67, position-based 0.2 → 1,000, Shapley (counts) ½ → 2,500
    assert won["customer"] == "a customer account" and won["touches"] == "3" and won["your_touches"] == "1"
    assert won["linear_value"] == "1666.67" and won["position_based_value"] == "1000.0"
    assert won["shapley_counts_value"] == "2500.0" and won["first_touch_value"] == "0.0"
    body = response.content.decode()
    assert a.partner1.name not in body and str(a.partner1.public_id) not in body and built.won.customer_name not in body


def test_the_export_is_404_without_a_run(client, world):
    client.force_login(world.a.partner1_rep)
    assert client.get(reverse("partner_attribution:export", kwargs={"tenant_slug": "alpha"})).status_code == 404
