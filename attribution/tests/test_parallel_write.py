"""Large runs write their per-touch detail from two sessions at once: the rows are the same as the
one-session write, and a failing slice fails the run and leaves no row behind.

Committed data (``transaction=True``): the slices are written by other connections.
"""

from __future__ import annotations

import pytest

from attribution import services
from attribution.models import AttributionRun, AttributionTouch, ChannelDimension, RunStatus
from attribution.services import attribution_run_create, run_attribution
from attribution.tasks import attribution_run_task
from ecosystem.tenancy.context import tenant_context

from .world import END, START, build_march

pytestmark = pytest.mark.django_db(transaction=True)
FIELDS = ("registration_id", "position", "partner_id", "touchpoint_id", "linear", "time_decay", "shapley_counts", "value")


def _run(a):
    with tenant_context(a.tenant.pk):
        run = attribution_run_create(
            tenant=a.tenant,
            actor=a.manager,
            period_start=START,
            period_end=END,
            dimension=ChannelDimension.PARTNER,
            enqueue=False,
        )
    with tenant_context(a.tenant.pk, atomic=False):
        return run_attribution(tenant=a.tenant, actor=a.manager, run=run)


def _rows(run):
    return list(AttributionTouch.objects.filter(run_id=run.pk).order_by("registration_id", "position").values_list(*FIELDS))


def test_the_parallel_write_gives_the_same_rows_as_one_session(committed_world, monkeypatch):
    a = committed_world.a
    with tenant_context(a.tenant.pk):
        build_march(a)
    one = _run(a)
    monkeypatch.setattr(services, "PARALLEL_MIN_TOUCHES", 0)
    calls = []
    original = services._write_touches
    monkeypatch.setattr(services, "_write_touches", lambda arrays: calls.append(len(arrays["position"])) or original(arrays))
    two = _run(a)
    assert len(calls) == 2 and sum(calls) == 6  # two slices, ending on journey boundaries
    with tenant_context(a.tenant.pk):
        assert _rows(two) == _rows(one) and len(_rows(one)) == 6
        assert AttributionRun.objects.get(pk=two.pk).details_kept


def test_a_failing_slice_fails_the_run_and_leaves_no_row(committed_world, monkeypatch):
    a = committed_world.a
    with tenant_context(a.tenant.pk):
        build_march(a)
        run = attribution_run_create(
            tenant=a.tenant,
            actor=a.manager,
            period_start=START,
            period_end=END,
            dimension=ChannelDimension.PARTNER,
            enqueue=False,
        )
    monkeypatch.setattr(services, "PARALLEL_MIN_TOUCHES", 0)
    original = services._write_touches

    def second_slice_breaks(arrays):
        if arrays["position"][0] == 0 and len(calls) == 1:
            calls.append(1)
            raise RuntimeError("disk full")
        calls.append(0)
        return original(arrays)

    calls: list[int] = []
    monkeypatch.setattr(services, "_write_touches", second_slice_breaks)
    with pytest.raises(RuntimeError, match="disk full"):
        attribution_run_task(a.tenant.pk, run.pk)
    with tenant_context(a.tenant.pk):
        failed = AttributionRun.objects.get(pk=run.pk)
        assert failed.status == RunStatus.FAILED and "disk full" in failed.summary["error"]
        assert not AttributionTouch.objects.filter(run_id=run.pk).exists()
