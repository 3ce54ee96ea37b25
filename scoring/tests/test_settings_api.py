"""Scoring settings and intervention outcomes in the API: staff read the settings in effect (defaults
until saved), editors replace them through the same service as the portal (audited, secret shown only to
them), bad input answers 400 with the envelope and changes nothing; analysts 403, partner users and the
other tenant 404."""

from __future__ import annotations

import datetime

import pytest

from ecosystem.audit.models import AuditEntry
from ecosystem.tenancy.context import tenant_context
from scoring.health import score as engine
from scoring.models import Intervention, ScoringSettings

pytestmark = pytest.mark.django_db
BASE = "/api/v1/t/alpha/"
SETTINGS = BASE + "scoring-settings/"


def _stored(a) -> ScoringSettings | None:
    with tenant_context(a.tenant.pk):
        return ScoringSettings.objects.filter(tenant=a.tenant).first()


def test_staff_read_the_defaults_before_anything_is_saved(client, world):
    client.force_login(world.a.analyst)
    body = client.get(SETTINGS).json()
    assert body["weights"] == engine.DEFAULT_WEIGHTS
    assert body["parameters"]["login_half_life_days"] == engine.HealthParameters().login_half_life_days
    assert (body["inactive_after_days"], body["at_risk_threshold"], body["alert_emails"]) == (90, 0.5, True)
    assert body["alert_webhook_secret"] == ""


def test_an_editor_replaces_the_settings_and_only_changed_parameters_are_stored(client, world):
    a = world.a
    client.force_login(a.manager)
    body = client.get(SETTINGS).json()
    body["weights"]["revenue"] = 40.0
    body["parameters"]["logins_midpoint"] = 12.0
    body.update(at_risk_threshold=0.4, partners_see_churn=True, alert_webhook_url="https://hooks.alpha.example/at-risk")
    response = client.put(SETTINGS, body, content_type="application/json")
    assert response.status_code == 200
    answer = response.json()
    assert answer["weights"]["revenue"] == 40.0 and answer["at_risk_threshold"] == 0.4 and answer["partners_see_churn"]
    assert len(answer["alert_webhook_secret"]) == 64
    stored = _stored(a)
    assert stored.parameters == {"logins_midpoint": 12.0}  # the defaults stay free to evolve
    assert stored.weights["revenue"] == 40.0 and stored.alert_webhook_url == "https://hooks.alpha.example/at-risk"
    with tenant_context(a.tenant.pk):
        assert AuditEntry.objects.filter(action="scoring.settings_update").exists()
    client.force_login(a.analyst)
    assert client.get(SETTINGS).json()["alert_webhook_secret"] == ""  # readers never see the signing key


def test_bad_settings_answer_400_with_the_envelope_and_change_nothing(client, world):
    a = world.a
    client.force_login(a.owner)
    body = client.get(SETTINGS).json()
    out_of_range = client.put(SETTINGS, {**body, "at_risk_threshold": 1.5}, content_type="application/json")
    assert out_of_range.status_code == 400
    assert out_of_range.json()["type"] == "validation_error" and out_of_range.json()["attr"] == "at_risk_threshold"
    all_zero = client.put(SETTINGS, {**body, "weights": dict.fromkeys(body["weights"], 0.0)}, content_type="application/json")
    assert all_zero.status_code == 400 and all_zero.json()["code"] == "scoring_settings_invalid"
    missing = client.put(SETTINGS, {"weights": body["weights"]}, content_type="application/json")
    assert missing.status_code == 400
    assert _stored(a) is None


def test_analysts_may_not_change_partner_users_and_the_other_tenant_get_404(client, world):
    a = world.a
    client.force_login(a.owner)
    body = client.get(SETTINGS).json()
    client.force_login(a.analyst)
    assert client.put(SETTINGS, body, content_type="application/json").status_code == 403
    for person in (a.partner1_admin, world.b.owner):
        client.force_login(person)
        assert client.get(SETTINGS).status_code == 404
        assert client.put(SETTINGS, body, content_type="application/json").status_code == 404
    assert _stored(a) is None


@pytest.fixture
def intervention(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        return Intervention.objects.create(tenant=a.tenant, partner=a.partner1, action="call", occurred_on=datetime.date.today())


def test_an_editor_records_an_interventions_outcome(client, world, intervention):
    a = world.a
    client.force_login(a.manager)
    response = client.post(
        BASE + f"churn-interventions/{intervention.public_id}/outcome/", {"outcome": "retained"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["id"] == str(intervention.public_id) and response.json()["outcome"] == "retained"
    with tenant_context(a.tenant.pk):
        intervention.refresh_from_db()
        assert intervention.outcome == "retained"
        assert AuditEntry.objects.filter(action="scoring.intervention_outcome").count() == 1


def test_a_bad_outcome_is_400_and_others_are_refused(client, world, intervention):
    a = world.a
    path = BASE + f"churn-interventions/{intervention.public_id}/outcome/"
    client.force_login(a.manager)
    bad = client.post(path, {"outcome": "prayed"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["attr"] == "outcome"
    client.force_login(a.analyst)
    assert client.post(path, {"outcome": "churned"}, content_type="application/json").status_code == 403
    for person in (a.partner1_admin, world.b.owner):
        client.force_login(person)
        assert client.post(path, {"outcome": "churned"}, content_type="application/json").status_code == 404
    client.force_login(world.b.owner)  # through the other tenant's own address: not theirs either
    other = f"/api/v1/t/beta/churn-interventions/{intervention.public_id}/outcome/"
    assert client.post(other, {"outcome": "churned"}, content_type="application/json").status_code == 404
    with tenant_context(a.tenant.pk):
        intervention.refresh_from_db()
        assert intervention.outcome == "pending"
