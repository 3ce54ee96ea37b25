"""The operator reads every tenant's joint solutions in the admin; membership and lifecycle stay read-only there."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import UserFactory

from .support import in_market, propose

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "platform"])


@pytest.fixture
def operator_client(committed_world) -> Client:
    client = Client()
    client.force_login(UserFactory(email="operator@platform.example", is_staff=True, is_superuser=True))
    return client


def test_the_operator_lists_solutions_of_every_tenant_and_opens_one_with_its_components(operator_client, committed_world):
    solution = in_market(committed_world.a, name="Alpha retail cloud")
    propose(committed_world.b, name="Beta draft")

    listing = operator_client.get("/admin/solutions/jointsolution/").content.decode()
    page = operator_client.get(f"/admin/solutions/jointsolution/{solution.pk}/change/")

    assert "Alpha retail cloud" in listing and "Beta draft" in listing
    assert page.status_code == 200 and "Alpha MSP" in page.content.decode()


def test_components_cannot_be_changed_or_solutions_deleted_in_the_admin(operator_client, committed_world):
    solution = in_market(committed_world.a)
    assert operator_client.post(f"/admin/solutions/jointsolution/{solution.pk}/delete/", {"post": "yes"}).status_code == 403
    assert operator_client.get("/admin/solutions/solutioncomponent/add/").status_code == 403
