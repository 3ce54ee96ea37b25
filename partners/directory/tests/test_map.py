"""The ecosystem map: nodes, sizes and edge weights from seeded deals, solutions and collaborations."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from deals.cosell import cosell_assign
from deals.models import DealRegistration
from deals.tests.support import product_lines_for, submit_as
from ecosystem.tenancy.context import tenant_context
from partners.directory import selectors
from partners.directory.models import CollaborationRequest
from partners.models import PartnerOrganization
from partners.solutions.models import JointSolution, SolutionComponent

from .support import third_partner

pytestmark = pytest.mark.django_db


def _registration(tenant_world, partner, name: str):
    return submit_as(
        tenant_world.tenant, partner, tenant_world.owner, customer_name=name, customer_domain=f"{name.lower()}.example"
    ).registration


def _won(tenant_world, partner, name: str, amount: str, *, days_ago: int, currency: str = "USD") -> None:
    registration = _registration(tenant_world, partner, name)
    with tenant_context(tenant_world.tenant.pk):
        DealRegistration.objects.filter(pk=registration.pk).update(
            stage="closed_won",
            status="won",
            closed_amount=Decimal(amount),
            closed_on=timezone.localdate() - datetime.timedelta(days=days_ago),
            currency=currency,
        )


def _solution(tenant_world, name: str, accepted: list, invited: list = ()) -> None:
    with tenant_context(tenant_world.tenant.pk):
        team = [p.pk for p in (*accepted, *invited)]
        solution = JointSolution.objects.create(tenant=tenant_world.tenant, name=name, status="in_market", team_partner_ids=team)
        for partner, status in [*((p, "accepted") for p in accepted), *((p, "invited") for p in invited)]:
            SolutionComponent.objects.create(
                tenant=tenant_world.tenant,
                solution=solution,
                partner=partner,
                role="consulting",
                status=status,
                team_partner_ids=team,
            )


def _collaboration(tenant_world, sender, receiver, status: str) -> None:
    with tenant_context(tenant_world.tenant.pk):
        CollaborationRequest.objects.create(
            tenant=tenant_world.tenant,
            from_partner=sender,
            to_partner=receiver,
            subject_kind="general",
            status=status,
            team_partner_ids=[sender.pk, receiver.pk],
        )


@pytest.fixture
def ecosystem(world):
    """Alpha: partner 1 (reseller), partner 2 (MSP), partner 3 (SI, North America), and a retired partner 4."""
    a = world.a
    product_lines_for(a.tenant)
    p1, p2 = a.partner1, a.partner2
    p3, _ = third_partner(a, with_admin=False)
    p4, _ = third_partner(a, name="Retired Co", partner_type="isv", with_admin=False)
    with tenant_context(a.tenant.pk):
        PartnerOrganization.objects.filter(pk=p3.pk).update(regions=["na"])
        PartnerOrganization.objects.filter(pk=p1.pk).update(regions=["emea"])
    # revenue: p1 100,000 in the window (and 50,000 too old, 9,000 in EUR); p2 25,000; p3 none
    _won(a, p1, "Won1", "100000", days_ago=10)
    _won(a, p1, "Old1", "50000", days_ago=400)
    _won(a, p1, "Euro1", "9000", days_ago=5, currency="EUR")
    _won(a, p2, "Won2", "25000", days_ago=30)
    # co-selling: deal A (p1's) with p2 and p3 on the team; deal B (p2's) with p1; deal C (p1's) with p4, retired later
    deal_a = _registration(a, p1, "DealA")
    deal_b = _registration(a, p2, "DealB")
    deal_c = _registration(a, p1, "DealC")
    with tenant_context(a.tenant.pk):
        cosell_assign(tenant=a.tenant, actor=a.owner, registration=deal_a, partner=p2, role="influencing")
        cosell_assign(tenant=a.tenant, actor=a.owner, registration=deal_a, partner=p3, role="implementation")
        cosell_assign(tenant=a.tenant, actor=a.owner, registration=deal_b, partner=p1, role="referral")
        cosell_assign(tenant=a.tenant, actor=a.owner, registration=deal_c, partner=p4, role="referral")
        PartnerOrganization.objects.filter(pk=p4.pk).update(status="retired")
    # solutions: S1 (p1, p3 accepted; p2 only invited), S2 (p1, p3)
    _solution(a, "S1", accepted=[p1, p3], invited=[p2])
    _solution(a, "S2", accepted=[p1, p3])
    # collaborations: p2 -> p3 accepted; p1 -> p3 pending, p3 -> p1 declined (neither counts)
    _collaboration(a, p2, p3, "accepted")
    _collaboration(a, p1, p3, "pending")
    _collaboration(a, p3, p1, "declined")
    return p1, p2, p3


def _graph(world, **data):
    with tenant_context(world.a.tenant.pk):
        return selectors.ecosystem_graph(tenant=world.a.tenant, filters=selectors.MapFilters.from_data(data))


def _edges(graph) -> set[tuple[str, str, str, int]]:
    return {(e["kind"], e["source_label"], e["target_label"], e["weight"]) for e in graph["edges"]}


def test_nodes_are_active_and_onboarding_partners_sized_by_twelve_months_closed_won_revenue(world, ecosystem):
    graph = _graph(world)
    nodes = {n["label"]: (n["revenue"], n["size"], n["type"], n["color"]) for n in graph["nodes"]}
    assert nodes == {
        "Alpha Reseller": (100000.0, 80.0, "reseller", "#3d5a98"),  # the top partner: the largest circle
        "Alpha MSP": (25000.0, 50.0, "msp", "#2a9d8f"),  # 20 + 60 x sqrt(25,000 / 100,000)
        "Alpha Integrator": (0.0, 20.0, "si", "#8e44ad"),  # no revenue: the smallest circle
    }
    assert graph["currency"] == "USD"


def test_edges_count_co_sold_deals_shared_solutions_and_accepted_collaborations(world, ecosystem):
    assert _edges(_graph(world)) == {
        ("cosell", "Alpha Reseller", "Alpha MSP", 2),  # deals A and B
        ("cosell", "Alpha Reseller", "Alpha Integrator", 1),  # deal A
        ("cosell", "Alpha MSP", "Alpha Integrator", 1),  # deal A
        ("solution", "Alpha Reseller", "Alpha Integrator", 2),  # S1 and S2 (p2 only invited to S1)
        ("collaboration", "Alpha MSP", "Alpha Integrator", 1),  # the accepted one only
    }


def test_filters_narrow_nodes_and_edge_kinds_on_the_server(world, ecosystem):
    assert [n["label"] for n in _graph(world, partner_type="msp")["nodes"]] == ["Alpha MSP"]
    assert _graph(world, partner_type="msp")["edges"] == []
    assert [n["label"] for n in _graph(world, region="na")["nodes"]] == ["Alpha Integrator"]
    only_solutions = _graph(world, edge=["solution"])
    assert _edges(only_solutions) == {("solution", "Alpha Reseller", "Alpha Integrator", 2)}
    assert len(only_solutions["nodes"]) == 3
    linked = _graph(world, edge=["solution"], linked="1")
    assert [n["label"] for n in linked["nodes"]] == ["Alpha Integrator", "Alpha Reseller"]  # the MSP has no solution link


def test_top_connections_rank_pairs_by_all_their_links(world, ecosystem):
    [first, *_rest] = selectors.top_connections(_graph(world))
    assert (first["source"], first["target"], first["cosell"], first["solution"], first["total"]) == (
        "Alpha Reseller",
        "Alpha Integrator",
        1,
        2,
        3,
    )


def test_the_graph_costs_six_queries_whatever_its_size(world, ecosystem, django_assert_num_queries):
    # partners, program currency, revenue, co-sell teams, solution components, collaborations
    with tenant_context(world.a.tenant.pk), django_assert_num_queries(6):
        selectors.ecosystem_graph(tenant=world.a.tenant, filters=selectors.MapFilters())
    for index in range(3):
        extra, _ = third_partner(
            world.a, name=f"Extra {index}", partner_type=["isv", "gsi", "distributor"][index], with_admin=False
        )
        _solution(world.a, f"Extra S{index}", accepted=[extra, world.a.partner1])
    with tenant_context(world.a.tenant.pk), django_assert_num_queries(6):
        graph = selectors.ecosystem_graph(tenant=world.a.tenant, filters=selectors.MapFilters())
    assert len(graph["nodes"]) == 6


def test_map_page_renders_for_staff_with_data_for_the_script_and_is_404_to_partners(client, world, ecosystem):
    client.force_login(world.a.manager)
    response = client.get(reverse("directory:ecosystem_map", kwargs={"tenant_slug": "alpha"}))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="ecosystem-data"' in body
    assert "vendor/cytoscape-3.35.0/cytoscape.min.js" in body
    assert "directory/ecosystem-map.js" in body
    assert "<script>" not in body  # no inline script: the data goes through json_script
    assert reverse("partners:detail", kwargs={"tenant_slug": "alpha", "partner_id": world.a.partner1.public_id}) in body
    client.force_login(world.a.partner1_admin)
    assert client.get(reverse("directory:ecosystem_map", kwargs={"tenant_slug": "alpha"})).status_code == 404
