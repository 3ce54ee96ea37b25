"""SLA pages in both portals, the SLA cards on the dashboards and the scorecard, and what each page costs."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deals.models import EngagementRules
from deals.sla.models import SlaDefinition
from deals.sla.services import sla_definitions_ensure
from ecosystem.audit.models import AuditEntry
from ecosystem.tenancy.context import tenant_context

from .support import HOUR, lead_offer, registration


def url(name: str, **kwargs) -> str:
    return reverse(name, kwargs={"tenant_slug": "alpha", **kwargs})


def definitions(world) -> dict[str, SlaDefinition]:
    with tenant_context(world.a.tenant.pk):
        return {d.kind: d for d in sla_definitions_ensure(tenant=world.a.tenant)}


@pytest.fixture
def seeded(world):
    """partner1: a registration waiting 60 h (vendor breach) and a lead answered in 2 h (met);
    partner2: a lead offer open for 30 h (its own breach)."""
    now = timezone.now()
    a = world.a
    late = registration(a.tenant, a.partner1, submitted_at=now - 60 * HOUR)
    lead_offer(a.tenant, a.partner1, offered_at=now - 10 * HOUR, status="accepted", responded_at=now - 8 * HOUR)
    offer = lead_offer(a.tenant, a.partner2, offered_at=now - 30 * HOUR)
    return {"late": late, "offer": offer}


def test_the_overview_shows_each_sla_with_target_attainment_and_breaches(client, world, seeded):
    client.force_login(world.a.analyst)
    response = client.get(url("sla:overview"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Vendor decides a deal registration" in body and "Partner accepts or declines an offered lead" in body
    assert "50.0 %" in body  # leads: 1 met of 2 decided or overdue
    assert 'name="' not in body.split('data-testid="sla-overview"')[1].split("</table>")[0]  # an analyst edits nothing
    assert world.a.partner1.name in body and world.a.partner2.name in body  # by partner


def test_a_manager_changes_a_target_and_the_rule_of_engagement_follows(client, world):
    d = definitions(world)["registration_decision"]
    client.force_login(world.a.manager)
    prefix = str(d.public_id)
    response = client.post(url("sla:edit", sla_id=d.public_id), {f"{prefix}-target_hours": "24", f"{prefix}-is_active": "on"})
    assert response.status_code == 302
    with tenant_context(world.a.tenant.pk):
        assert SlaDefinition.objects.get(pk=d.pk).target_hours == 24
        assert EngagementRules.objects.get().approval_sla_hours == 24
        assert AuditEntry.objects.filter(action="sla.definition_update").count() == 1


def test_a_target_out_of_range_is_shown_next_to_the_field_and_nothing_changes(client, world):
    d = definitions(world)["cosell_answer"]
    client.force_login(world.a.manager)
    prefix = str(d.public_id)
    response = client.post(url("sla:edit", sla_id=d.public_id), {f"{prefix}-target_hours": "900"})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="target-error"' in body and 'value="900"' in body
    with tenant_context(world.a.tenant.pk):
        assert SlaDefinition.objects.get(pk=d.pk).target_hours == 72


def test_an_analyst_may_not_change_a_target(client, world):
    d = definitions(world)["lead_answer"]
    client.force_login(world.a.analyst)
    response = client.post(url("sla:edit", sla_id=d.public_id), {f"{d.public_id}-target_hours": "5"})
    assert response.status_code == 403
    with tenant_context(world.a.tenant.pk):
        assert SlaDefinition.objects.get(pk=d.pk).target_hours == 24


def test_turning_an_sla_off_stops_measuring_it(client, world, seeded):
    d = definitions(world)["lead_answer"]
    client.force_login(world.a.manager)
    client.post(url("sla:edit", sla_id=d.public_id), {f"{d.public_id}-target_hours": "24"})  # unchecked: off
    body = client.get(url("sla:breaches")).content.decode()
    assert seeded["late"].customer_name in body and "Prospect" not in body


def test_the_breaches_list_filters_links_and_exports(client, world, seeded):
    client.force_login(world.a.manager)
    body = client.get(url("sla:breaches")).content.decode()
    assert reverse("deals:registration", kwargs={"tenant_slug": "alpha", "registration_id": seeded["late"].public_id}) in body
    with tenant_context(world.a.tenant.pk):
        lead = seeded["offer"].lead
    assert reverse("leads:detail", kwargs={"tenant_slug": "alpha", "lead_id": lead.public_id}) in body

    only_p2 = client.get(url("sla:breaches"), {"partner": str(world.a.partner2.public_id)}).content.decode()
    assert lead.company_name in only_p2 and seeded["late"].customer_name not in only_p2
    only_leads = client.get(url("sla:breaches"), {"sla": "lead_answer"}).content.decode()
    assert lead.company_name in only_leads and seeded["late"].customer_name not in only_leads

    export = client.get(url("sla:breaches"), {"sla": "registration_decision", "export": "csv"})
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert [(r["sla"], r["partner"], r["registration_id"], r["status"]) for r in rows] == [
        ("registration_decision", world.a.partner1.name, str(seeded["late"].public_id), "open_overdue")
    ]


def test_a_period_that_ends_before_it_starts_is_shown_as_an_error(client, world):
    client.force_login(world.a.manager)
    body = client.get(url("sla:breaches"), {"start": "2026-05-01", "end": "2026-04-01"}).content.decode()
    assert "The period starts after it ends." in body


def test_the_per_partner_page_shows_only_that_partners_figures(client, world, seeded):
    client.force_login(world.a.manager)
    body = client.get(url("sla:partner", partner_id=world.a.partner2.public_id)).content.decode()
    assert "Prospect" in body and seeded["late"].customer_name not in body


def test_a_partner_sees_its_own_figures_and_breaches_only(client, world, seeded):
    client.force_login(world.a.partner2_admin)
    response = client.get(url("partner_sla:mine"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Prospect" in body and seeded["late"].customer_name not in body
    assert str(seeded["late"].public_id) not in body and world.a.partner1.name not in body
    client.force_login(world.a.partner1_admin)
    body = client.get(url("partner_sla:mine")).content.decode()
    assert seeded["late"].customer_name in body  # what the vendor owes partner 1
    rows = list(csv.DictReader(io.StringIO(client.get(url("partner_sla:mine"), {"export": "csv"}).content.decode())))
    assert {r["partner"] for r in rows} == {world.a.partner1.name}


def test_the_cards_show_the_program_the_scorecard_and_the_partner_home(client, world, seeded):
    client.force_login(world.a.manager)
    assert 'data-testid="sla-card"' in client.get(url("portal:dashboard")).content.decode()
    scorecard = client.get(url("partners:detail", partner_id=world.a.partner1.public_id)).content.decode()
    assert 'data-testid="sla-card"' in scorecard and url("sla:partner", partner_id=world.a.partner1.public_id) in scorecard
    client.force_login(world.a.partner2_admin)
    home = client.get(url("partner_portal:dashboard")).content.decode()
    assert 'data-testid="sla-card"' in home and url("partner_sla:mine") in home


# --- what the pages cost ------------------------------------------------------------------------


def _queries(client, path: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params or {})
    assert response.status_code == 200
    return len(queries)


def _more_rows(world, n: int = 10) -> None:
    now = timezone.now()
    for i in range(n):
        registration(world.a.tenant, world.a.partner1 if i % 2 else world.a.partner2, submitted_at=now - (50 + i) * HOUR)
        lead_offer(world.a.tenant, world.a.partner1, offered_at=now - (30 + i) * HOUR)


def test_the_overview_costs_the_same_queries_for_1_and_many_items(client, world, seeded):
    definitions(world)
    client.force_login(world.a.manager)
    one = _queries(client, url("sla:overview"))
    _more_rows(world)
    # 1 session, 2 user, 3 tenant, 4 savepoint, 5 set_config, 6 membership, 7 the SLAs, 8 the rules of
    # engagement, 9 every figure (one statement), 10-14 the program switcher in base.html, 15 release,
    # 16 clear the settings
    assert one == _queries(client, url("sla:overview")) == 16


def test_the_breaches_list_costs_the_same_queries_for_1_and_many_breaches(client, world, seeded):
    definitions(world)
    client.force_login(world.a.manager)
    one = _queries(client, url("sla:breaches"))
    _more_rows(world)
    # 1-6 as the overview, 7 the partners for the filter, 8 the SLAs, 9 the rules, 10 the count,
    # 11 the page, 12-16 the program switcher, 17 release, 18 clear the settings
    assert one == _queries(client, url("sla:breaches")) == 18


def test_the_partner_sla_page_costs_the_same_queries_for_1_and_many(client, world, seeded):
    definitions(world)
    client.force_login(world.a.partner1_admin)
    one = _queries(client, url("partner_sla:mine"))
    _more_rows(world)
    # 1-6 as the overview, 7 set_config (partner scope), 8 the rules, 9 the SLAs, 10 the figures,
    # 11 the breaches count, 12 the page, 13-17 the program switcher, 18 release, 19 clear the settings
    assert one == _queries(client, url("partner_sla:mine")) == 19


def test_the_per_partner_page_costs_the_same_queries_for_1_and_many(client, world, seeded):
    definitions(world)
    client.force_login(world.a.manager)
    path = url("sla:partner", partner_id=world.a.partner1.public_id)
    one = _queries(client, path)
    _more_rows(world)
    # 1-6 as the overview, 7 the partner, 8 the rules, 9 the SLAs, 10 the figures, 11 the breaches
    # count, 12 the page, 13-17 the program switcher, 18 release, 19 clear the settings
    assert one == _queries(client, path) == 19


# Exact budgets of the three pages that show an SLA card. The card adds three queries to each page,
# wherever the template reads it: the rules of engagement (the registration and lead targets), the
# SLAs, and every figure in one statement. The rest is the page's own:
# * program dashboard, 23: 1 session, 2 user, 3 tenant, 4 savepoint, 5 set_config, 6 membership, 7-8 partners
#   by status and by type, 9 dashboard metrics, 10 last job, 11-12 time to value, 13 applications waiting,
#   14-16 the SLA card, 17-21 the program switcher in base.html, 22 release, 23 clear the settings;
# * partner scorecard, 22: 1-6 as above, 7 the partner, 8-10 the SLA card, 11-15 the program switcher,
#   16 tiers, 17 members, 18 invitations, 19 status history, 20 contacts, 21 release, 22 clear the settings;
# * partner home, 20: 1-6 as above, 7 set_config (partner scope), 8 team size, 9 invitations waiting,
#   10 the sales gate, 11-13 the SLA card, 14-18 the program switcher, 19 release, 20 clear the settings.
@pytest.mark.parametrize(
    ("name", "user", "kwargs", "budget"),
    [
        ("portal:dashboard", "manager", {}, 23),
        ("partners:detail", "manager", {"partner_id": "partner1"}, 22),
        ("partner_portal:dashboard", "partner1_admin", {}, 20),
    ],
)
def test_the_pages_with_an_sla_card_cost_the_same_queries_whatever_the_number_of_items(
    client, world, seeded, name, user, kwargs, budget
):
    definitions(world)
    client.force_login(getattr(world.a, user))
    path = url(name, **{k: getattr(world.a, v).public_id for k, v in kwargs.items()})
    client.get(path)  # first visit: nothing left to create
    before = _queries(client, path)
    _more_rows(world)
    assert before == _queries(client, path) == budget


def test_the_overview_filtered_to_one_sla_measures_only_that_one(client, world, seeded):
    client.force_login(world.a.manager)
    body = client.get(url("sla:overview"), {"sla": "registration_decision"}).content.decode()
    by_partner = body.split('data-testid="sla-by-partner"')[1].split("</table>")[0]
    assert world.a.partner1.name in by_partner and world.a.partner2.name not in by_partner  # partner 2 has leads only
