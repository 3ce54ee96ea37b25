"""``PUT my-solutions/<id>/``: a managing partner edits its draft through the API, as on the partner portal."""

from __future__ import annotations

from ecosystem.tenancy.context import tenant_context
from partners.solutions.models import JointSolution

from .support import propose

MINE = "/api/v1/t/alpha/my-solutions/"


def body(world, **changes) -> dict:
    return {
        "name": "Retail cloud, managed",
        "summary": "Stores on the cloud, run for them.",
        "industries": ["Retail"],
        "regions": ["emea", "na"],
        "orchestrator_partner": str(world.a.partner1.public_id),
        **changes,
    }


def test_the_proposing_partners_admin_edits_its_draft(client, world):
    draft = propose(world.a)
    client.force_login(world.a.partner1_admin)
    response = client.put(f"{MINE}{draft.public_id}/", body(world), content_type="application/json")
    assert response.status_code == 200, response.content
    assert (response.json()["name"], response.json()["regions"]) == ("Retail cloud, managed", ["emea", "na"])


def test_a_rep_may_not_edit_and_another_partner_gets_404(client, world):
    draft = propose(world.a)
    client.force_login(world.a.partner1_rep)
    refused = client.put(f"{MINE}{draft.public_id}/", body(world), content_type="application/json")
    assert (refused.status_code, refused.json()["code"]) == (403, "role_forbidden")
    client.force_login(world.a.partner2_admin)
    assert client.put(f"{MINE}{draft.public_id}/", body(world), content_type="application/json").status_code == 404
    with tenant_context(world.a.tenant.pk):
        assert JointSolution.objects.get(pk=draft.pk).name == draft.name


def test_an_unknown_orchestrator_answers_400_on_its_field(client, world):
    draft = propose(world.a)
    client.force_login(world.a.partner1_admin)
    unknown = body(world, orchestrator_partner=str(world.b.partner1.public_id))
    response = client.put(f"{MINE}{draft.public_id}/", unknown, content_type="application/json")
    assert (response.status_code, response.json()["attr"]) == (400, "orchestrator_partner")
