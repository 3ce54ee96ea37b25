"""Attribution runs: credits per model, reproducibility (same data → same hash and numbers), the job."""

from __future__ import annotations

import pytest

from attribution.models import (
    AttributionCredit,
    AttributionRun,
    AttributionTouch,
    ChannelDimension,
    RunStatus,
    Touchpoint,
    TouchpointType,
)
from attribution.services import (
    DETAILS_KEPT_RUNS,
    MODELS,
    PER_TOUCH_MODELS,
    attribution_details_prune,
    attribution_run_create,
    run_attribution,
)
from attribution.tasks import attribution_nightly, attribution_run_task
from attribution.version import ENGINE_VERSION
from ecosystem.audit.models import AuditEntry
from ecosystem.errors import ApplicationError, ConflictError
from ecosystem.jobs.models import Job, JobStatus
from ecosystem.tenancy.context import tenant_context

from .support import touch
from .world import END, START, build_march, d

pytestmark = pytest.mark.django_db


def _run(a, **kwargs):
    values = {"period_start": START, "period_end": END, "dimension": ChannelDimension.PARTNER, "enqueue": False, **kwargs}
    run = attribution_run_create(tenant=a.tenant, actor=a.manager, **values)
    return run_attribution(tenant=a.tenant, actor=a.manager, run=run)


def _credits(run):
    return {
        (m, p): (c, v)
        for m, p, c, v in AttributionCredit.objects.filter(run=run).values_list("model", "partner_id", "conversions", "value")
    }


def test_every_model_conserves_and_rule_based_figures_match_the_definitions(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        build_march(a)
        run = _run(a)
        credits = _credits(run)
    assert run.status == RunStatus.SUCCEEDED and run.code_version == ENGINE_VERSION and len(run.inputs_sha256) == 64
    assert run.summary["journeys"] == 4 and run.summary["conversions"] == 1 and run.summary["value"] == 5000
    assert run.summary["left_out_without_touch"] == 1
    p1, p2 = a.partner1.pk, a.partner2.pk
    for model in MODELS:
        assert credits[(model, p1)][0] + credits[(model, p2)][0] == pytest.approx(1, abs=1e-12), model
        assert credits[(model, p1)][1] + credits[(model, p2)][1] == pytest.approx(5000, abs=1e-9), model
    # the won journey is partner1 → partner2 → partner1 (19, 10 and 0 days before the close)
    assert credits[("first_touch", p1)] == (1, 5000)
    assert credits[("last_touch", p1)] == (1, 5000)
    assert credits[("linear", p2)][1] == pytest.approx(5000 / 3)
    assert credits[("position_based", p2)][1] == pytest.approx(0.2 * 5000)
    weights = [2 ** (-19 / 7), 2 ** (-10 / 7), 1.0]
    assert credits[("time_decay", p2)][1] == pytest.approx(5000 * weights[1] / sum(weights))
    assert credits[("shapley_counts", p1)][1] == pytest.approx(2500)
    assert "removal_effects" in run.summary["details"]["markov"]


def test_same_data_same_hash_and_numbers_and_changed_data_changes_the_hash(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        build_march(a)
        first, second = _run(a), _run(a)
        assert first.inputs_sha256 == second.inputs_sha256
        assert _credits(first) == _credits(second)
        other_parameters = _run(a, parameters={"half_life_days": 14})
        assert other_parameters.inputs_sha256 != first.inputs_sha256
        won_account = Touchpoint.objects.filter(touch_type=TouchpointType.TECHNICAL_VALIDATION).get().account
        touch(a.tenant, a.partner2, won_account, d(19), TouchpointType.RENEWAL_SUPPORT)
        changed = _run(a)
        assert changed.inputs_sha256 != first.inputs_sha256
        assert _credits(changed)[("last_touch", a.partner1.pk)] == (1, 5000)


def test_a_run_is_computed_once_and_audited(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        build_march(a)
        run = _run(a, models=["linear"])
        assert set(AttributionCredit.objects.filter(run=run).values_list("model", flat=True)) == {"linear"}
        with pytest.raises(ConflictError):
            run_attribution(tenant=a.tenant, actor=a.manager, run=run)
        assert AuditEntry.objects.filter(action="attribution.run").count() == 1
        assert AuditEntry.objects.filter(action="attribution.run_create").count() == 1


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"models": ["nope"]}, "attribution_model_invalid"),
        ({"dimension": "region"}, "attribution_dimension_invalid"),
        ({"period_end": START.replace(month=2)}, "attribution_period_invalid"),
        ({"parameters": {"position": [0.5, 0.5, 0.5]}}, "attribution_position_invalid"),
        ({"parameters": {"half_life": 3}}, "attribution_parameter_unknown"),
        ({"parameters": {"half_life_days": 0}}, "attribution_parameter_invalid"),
    ],
)
def test_invalid_runs_are_refused(world, values, code):
    a = world.a
    with tenant_context(a.tenant.pk), pytest.raises(ApplicationError) as error:
        _run(a, **values)
    assert error.value.code == code


def test_empty_period_succeeds_with_no_credits(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        run = _run(a)
    assert run.status == RunStatus.SUCCEEDED and run.summary["journeys"] == 0
    with tenant_context(a.tenant.pk):
        assert not AttributionCredit.objects.filter(run=run).exists()


def test_the_task_derives_touchpoints_runs_and_finishes_the_job(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        build_march(a)
        Touchpoint.objects.all().delete()  # only the registrations remain: the task derives their touches
        run = attribution_run_create(
            tenant=a.tenant, actor=a.manager, period_start=START, period_end=END, dimension=ChannelDimension.TOUCHPOINT_TYPE
        )
    attribution_run_task(a.tenant.pk, run.pk)
    attribution_run_task(a.tenant.pk, run.pk)  # delivered twice: nothing more happens
    with tenant_context(a.tenant.pk):
        run = AttributionRun.objects.get(pk=run.pk)
        job = Job.objects.get(pk=run.job_id)
        assert run.status == RunStatus.SUCCEEDED
        assert job.status == JobStatus.SUCCEEDED and job.progress == 100
        assert job.result["inputs_sha256"] == run.inputs_sha256
        assert job.result["touchpoints_created"] > 0
        # every touch is now a registration touch, so the registrations earn all the won revenue: the
        # 5,000 deal and the 700 one that no imported touch reached (its own registration now does)
        assert AttributionCredit.objects.get(run=run, model="first_touch", channel_key="registration").value == 5700
        assert run.summary["left_out_without_touch"] == 0


def test_partner_users_read_only_their_own_credits_and_touches_and_no_run(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        build_march(a)
        by_partner = _run(a)
        by_type = _run(a, dimension=ChannelDimension.PARTNER_TYPE)
        assert AttributionTouch.objects.filter(run=by_partner, partner=a.partner2).exists()
        assert AttributionCredit.objects.filter(run=by_type).exists()
    with tenant_context(a.tenant.pk, partner_id=a.partner1.pk):
        assert not AttributionRun.objects.exists()
        assert set(AttributionCredit.objects.values_list("run_id", "partner_id").distinct()) == {(by_partner.pk, a.partner1.pk)}
        assert set(AttributionTouch.objects.values_list("partner_id", flat=True).distinct()) == {a.partner1.pk}


def test_per_touch_detail_matches_the_channel_credit_and_older_runs_are_pruned(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        build_march(a)
        runs = [_run(a) for _ in range(DETAILS_KEPT_RUNS + 1)]
        touches = list(AttributionTouch.objects.filter(run=runs[0]).order_by("outcome_on", "registration_id", "position"))
        # the won deal (03-20): referral p1 03-01, co-sell p2 03-10, technical validation p1 03-20, 5000
        won = [t for t in touches if t.conv == 1]
        assert [(t.partner_id, t.position, t.length, t.days) for t in won] == [
            (a.partner1.pk, 0, 3, 19),
            (a.partner2.pk, 1, 3, 10),
            (a.partner1.pk, 2, 3, 0),
        ]
        assert [t.position_based for t in won] == pytest.approx([0.4, 0.2, 0.4])
        assert [t.linear for t in won] == pytest.approx([1 / 3] * 3)
        assert [t.shapley_counts for t in won] == pytest.approx([1 / 4, 1 / 2, 1 / 4])
        assert all(t.value == 5000 and t.rate == 1 for t in won)
        # per-touch shares × value, summed per partner, are the channel credit of each per-touch model
        for model in PER_TOUCH_MODELS:
            by_partner = {}
            for t in touches:
                by_partner[t.partner_id] = by_partner.get(t.partner_id, 0) + getattr(t, model) * t.value
            credit = dict(AttributionCredit.objects.filter(run=runs[0], model=model).values_list("partner_id", "value"))
            assert by_partner == pytest.approx(credit), model
        assert attribution_details_prune(tenant=a.tenant) == len(touches)
        kept = dict(AttributionRun.objects.values_list("pk", "details_kept"))
        assert kept == {runs[0].pk: False, **{r.pk: True for r in runs[1:]}}
        assert not AttributionTouch.objects.filter(run=runs[0]).exists()
        assert AttributionCredit.objects.filter(run=runs[0]).exists()


def test_a_failing_run_marks_the_run_and_the_job_failed(world, monkeypatch):
    a = world.a
    with tenant_context(a.tenant.pk):
        build_march(a)
        run = attribution_run_create(tenant=a.tenant, actor=a.manager, period_start=START, period_end=END, dimension="partner")

    def broken(*args, **kwargs):
        raise ValueError("engine broke")

    monkeypatch.setattr("attribution.services.compute_credits", broken)
    with pytest.raises(ValueError):
        attribution_run_task(a.tenant.pk, run.pk)
    with tenant_context(a.tenant.pk):
        run = AttributionRun.objects.get(pk=run.pk)
        assert run.status == RunStatus.FAILED and "engine broke" in run.summary["error"]
        assert Job.objects.get(pk=run.job_id).status == JobStatus.FAILED
        assert not AttributionCredit.objects.filter(run=run).exists()


def test_the_nightly_task_queues_a_trailing_year_run_by_partner(world, django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr(attribution_run_task, "apply_async", lambda args: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        attribution_nightly(world.a.tenant.pk)
    with tenant_context(world.a.tenant.pk):
        run = AttributionRun.objects.get()
    assert run.dimension == ChannelDimension.PARTNER and run.model_names == list(MODELS)
    assert (run.period_end - run.period_start).days == 364 and run.status == RunStatus.QUEUED
    assert sent == [[world.a.tenant.pk, run.pk]]


def test_a_second_computation_of_the_same_run_at_once_is_refused_and_changes_nothing(world):
    from django.db import connections

    a = world.a
    with tenant_context(a.tenant.pk):
        build_march(a)
        run = attribution_run_create(
            tenant=a.tenant, actor=a.manager, period_start=START, period_end=END, dimension="partner", enqueue=False
        )
    other = connections.create_connection("default")  # another worker holding the run's lock
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", [f"attribution_run:{run.pk}"])
        with tenant_context(a.tenant.pk):
            with pytest.raises(ConflictError) as refused:
                run_attribution(tenant=a.tenant, actor=a.manager, run=run)
            assert refused.value.code == "attribution_run_busy"
            assert AttributionRun.objects.get(pk=run.pk).status == RunStatus.QUEUED
        attribution_run_task(a.tenant.pk, run.pk)  # a duplicate delivery: returns quietly, fails nothing
        with tenant_context(a.tenant.pk):
            assert AttributionRun.objects.get(pk=run.pk).status == RunStatus.QUEUED
    finally:
        with other.cursor() as cursor:  # released before the close: the server ends a closed session a moment later
            cursor.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [f"attribution_run:{run.pk}"])
        other.close()
    with tenant_context(a.tenant.pk):
        assert run_attribution(tenant=a.tenant, actor=a.manager, run=run).status == RunStatus.SUCCEEDED
