"""Attribution runs in the API (staff): list with progress, read with credits, idempotent create that queues
the worker, the error envelope, roles, and constant queries on the list."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from attribution.models import AttributionRun, ChannelDimension
from ecosystem.tenancy.context import tenant_context

from .test_views import finished_run

pytestmark = pytest.mark.django_db

BASE = "/api/v1/t/alpha/attribution-runs/"
BODY = {"period_start": "2026-03-01", "period_end": "2026-03-31", "dimension": "partner", "models": ["linear", "markov"]}


def send(client, method: str, path: str, body: dict | None = None, **headers):
    return client.generic(method, path, json.dumps(body or {}), content_type="application/json", headers=headers)


def test_list_and_retrieve_give_the_run_its_hash_and_credits(client, world):
    run = finished_run(world.a)
    client.force_login(world.a.analyst)
    listed = client.get(BASE).json()["results"]
    assert [r["public_id"] for r in listed] == [str(run.public_id)]
    assert listed[0]["progress"] == 100 and listed[0]["inputs_sha256"] == run.inputs_sha256
    detail = client.get(f"{BASE}{run.public_id}/").json()
    assert detail["code_version"] == run.code_version
    linear = [c for c in detail["credits"] if c["model"] == "linear"]
    assert sum(c["value"] for c in linear) == pytest.approx(5000)
    assert {c["partner"] for c in linear} == {str(world.a.partner1.public_id), str(world.a.partner2.public_id)}


def test_a_manager_queues_a_run_once_with_an_idempotency_key(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.a.manager)
    with django_capture_on_commit_callbacks() as callbacks:
        first = send(client, "POST", BASE, BODY, **{"Idempotency-Key": "run-1"})
        again = send(client, "POST", BASE, BODY, **{"Idempotency-Key": "run-1"})
    assert first.status_code == 201 and again.json()["public_id"] == first.json()["public_id"]
    assert first.json()["status"] == "queued" and first.json()["model_names"] == ["linear", "markov"]
    assert len(callbacks) >= 1  # the task is sent after commit
    with tenant_context(world.a.tenant.pk):
        assert AttributionRun.objects.count() == 1


def test_errors_come_in_the_envelope_and_analysts_cannot_create(client, world):
    client.force_login(world.a.manager)
    response = send(client, "POST", BASE, {**BODY, "parameters": {"position": [0.5, 0.5, 0.5]}})
    assert response.status_code == 400 and set(response.json()) >= {"type", "code", "detail", "attr"}
    assert (response.json()["code"], response.json()["attr"]) == ("attribution_position_invalid", "position")
    client.force_login(world.a.analyst)
    assert send(client, "POST", BASE, BODY).status_code == 403
    client.force_login(world.a.partner1_admin)
    assert client.get(BASE).status_code == 404
    with tenant_context(world.a.tenant.pk):
        assert not AttributionRun.objects.exists()


def test_the_list_costs_the_same_queries_for_one_run_and_many(client, world):
    finished_run(world.a)
    client.force_login(world.a.manager)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(BASE).status_code == 200
        return len(ctx.captured_queries)

    one = count()
    for _ in range(3):
        finished_run(world.a, dimension=ChannelDimension.TIER, build=False)
    assert count() == one
