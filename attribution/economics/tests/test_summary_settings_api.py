"""The weekly summary's settings in the API: staff read who receives it (every active owner and partner
manager, by their public id), owners and partner managers turn it off and choose recipients through the
same service as the portal (audited); an id that is not a candidate is 400 with the envelope and changes
nothing; analysts 403, partner users and the other tenant 404."""

from __future__ import annotations

import pytest

from attribution.economics import summary as weekly
from ecosystem.audit.models import AuditEntry
from ecosystem.tenancy.context import tenant_context

pytestmark = pytest.mark.django_db
PATH = "/api/v1/t/alpha/weekly-summary-settings/"


def _row(a):
    with tenant_context(a.tenant.pk):
        return weekly.WeeklySummarySettings.objects.filter(tenant=a.tenant).first()


def test_staff_read_the_defaults_every_manager_receives_it(client, world):
    a = world.a
    client.force_login(a.analyst)
    body = client.get(PATH).json()
    assert body["enabled"] is True and body["updated_at"] is None
    assert {(r["id"], r["receives"]) for r in body["recipients"]} == {
        (str(a.owner.public_id), True),
        (str(a.manager.public_id), True),
    }


def test_an_owner_turns_it_off_and_chooses_recipients(client, world):
    a = world.a
    client.force_login(a.owner)
    response = client.put(PATH, {"enabled": False, "recipients": [str(a.owner.public_id)]}, content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["enabled"] is False and body["updated_at"]
    assert {r["id"]: r["receives"] for r in body["recipients"]} == {
        str(a.owner.public_id): True,
        str(a.manager.public_id): False,
    }
    row = _row(a)
    assert (row.enabled, row.opted_out) == (False, [a.manager.pk])
    with tenant_context(a.tenant.pk):
        assert AuditEntry.objects.filter(action="economics.weekly_summary_settings").count() == 1


def test_a_recipient_who_is_not_a_manager_is_400_and_nothing_changes(client, world):
    a = world.a
    client.force_login(a.manager)
    for stranger in (a.analyst, world.b.owner):  # staff without the role; the other tenant's owner
        response = client.put(PATH, {"enabled": True, "recipients": [str(stranger.public_id)]}, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["code"] == "not_a_recipient" and response.json()["attr"] == "recipients"
        assert str(stranger.public_id) not in response.content.decode()
    malformed = client.put(PATH, {"enabled": True, "recipients": ["not-an-id"]}, content_type="application/json")
    assert malformed.status_code == 400 and malformed.json()["type"] == "validation_error"
    assert _row(a) is None


def test_analysts_may_not_change_it_partner_users_and_the_other_tenant_get_404(client, world):
    a = world.a
    body = {"enabled": False, "recipients": []}
    client.force_login(a.analyst)
    assert client.put(PATH, body, content_type="application/json").status_code == 403
    for person in (a.partner1_admin, world.b.owner):
        client.force_login(person)
        assert client.get(PATH).status_code == 404
        assert client.put(PATH, body, content_type="application/json").status_code == 404
    assert _row(a) is None
