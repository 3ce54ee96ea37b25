"""CRM imports and pipeline figures in the API: ``deal-imports/``, ``pipeline/``, ``my-pipeline/``."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from deals.api import import_views
from deals.models import CustomerAccount, DecisionAction, DirectOpportunity, ImportBatch, ImportMapping
from deals.pipeline import PipelineFilters, pipeline_figures
from ecosystem.api.services import api_key_create
from ecosystem.audit.models import AuditEntry
from ecosystem.jobs.models import Job, JobStatus
from ecosystem.tenancy.context import tenant_context

from .support import product_lines_for, rules_for
from .test_imports import SF_ACCOUNTS, SF_OPPORTUNITIES
from .test_pipeline import TODAY, at, history, registration

BASE = "/api/v1/t/alpha"
IMPORTS = f"{BASE}/deal-imports/"


@pytest.fixture(autouse=True)
def lines(world):
    product_lines_for(world.a.tenant)
    rules_for(world.a.tenant, currency="USD")


@pytest.fixture
def enqueued(monkeypatch) -> list[tuple]:
    """The jobs the API enqueued (after commit, which a test transaction never reaches): (task, tenant id, *args)."""
    calls: list[tuple] = []
    monkeypatch.setattr(import_views, "enqueue_on_commit", lambda task, tenant_id, *args: calls.append((task, tenant_id, *args)))
    return calls


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def upload(client: APIClient, text: str, *, name: str = "export.csv", url: str = IMPORTS, headers=None, **fields):
    data = {"file": SimpleUploadedFile(name, text.encode(), content_type="text/csv"), **fields}
    return client.post(url, data, format="multipart", headers=headers or {})


def run_enqueued(enqueued: list[tuple]) -> None:
    """Run the import job as the worker would: the task function itself."""
    while enqueued:
        task, tenant_id, *args = enqueued.pop(0)
        task(tenant_id, *args)


def counts(world) -> tuple[int, int, int, int]:
    with tenant_context(world.a.tenant.pk):
        return (
            CustomerAccount.objects.count(),
            DirectOpportunity.objects.count(),
            ImportBatch.objects.count(),
            Job.objects.filter(kind="deal_import").count(),
        )


# --- imports ---------------------------------------------------------------------------------------


def test_a_salesforce_export_is_accepted_and_its_job_writes_accounts_then_opportunities(world, enqueued):
    client = api(world.a.manager)

    started = upload(client, SF_ACCOUNTS, name="accounts.csv")

    assert started.status_code == 202, started.json()
    body = started.json()
    assert (body["replay"], body["kind"], body["source"]) == (False, "accounts", "salesforce_account")
    assert body["summary"] == {"rows": 2, "accounts": 2, "accounts_new": 2, "opportunities": 0, "opportunities_new": 0}
    assert counts(world) == (0, 0, 0, 1)  # checked and queued; nothing written until the job runs
    assert client.get(f"{IMPORTS}{body['batch']}/").status_code == 404  # the import does not exist yet

    run_enqueued(enqueued)

    job = client.get(f"{BASE}/jobs/{body['job']}/").json()  # progress is read where every job's is
    assert (job["status"], job["progress"], job["kind"]) == (JobStatus.SUCCEEDED, 100, "deal_import")
    assert job["result"]["batch"] == body["batch"] and job["result"]["created"] == 2
    detail = client.get(f"{IMPORTS}{body['batch']}/").json()
    assert (detail["file_name"], detail["rows"], detail["created"], detail["job"]) == ("accounts.csv", 2, 2, body["job"])
    assert detail["imported_by"] == world.a.manager.email
    with tenant_context(world.a.tenant.pk):
        assert set(CustomerAccount.objects.values_list("external_id", "root_domain")) == {
            ("001A", "initech.example"),
            ("001B", "globex.example"),
        }

    opportunities = upload(client, SF_OPPORTUNITIES, name="opportunities.csv")
    assert opportunities.status_code == 202 and opportunities.json()["source"] == "salesforce_opportunity"
    run_enqueued(enqueued)
    with tenant_context(world.a.tenant.pk):
        opps = {o.external_id: o for o in DirectOpportunity.objects.select_related("account")}
        assert opps["006A"].account.external_id == "001A" and opps["006A"].amount == Decimal("1234.56")
        assert opps["006B"].is_open is False
        assert AuditEntry.objects.filter(action="deals.import").count() == 2
    listed = client.get(IMPORTS).json()["results"]
    assert [r["file_name"] for r in listed] == ["opportunities.csv", "accounts.csv"]


def test_a_file_with_bad_rows_is_400_naming_each_row_and_column_and_nothing_is_written(world, enqueued):
    bad = SF_ACCOUNTS + "001C,,nope,,,\r\n" + "001D,Hooli,hooli.example,,,\r\n" + "001E,Copy,www.initech.example,,,\r\n"

    response = upload(api(world.a.manager), bad)

    assert response.status_code == 400
    body = response.json()
    assert (body["type"], body["code"], body["attr"]) == ("validation_error", "rows_invalid", "file")
    assert [(r["row"], r["column"], r["code"]) for r in body["rows"]] == [
        (4, "Account Name", "required"),
        (4, "Website", "invalid_domain"),
        (6, "Website", "duplicate_in_file"),
    ]
    assert all(r["message"] for r in body["rows"])
    assert len(body["errors"]) == 1 + len(body["rows"])  # the summary, then one per problem
    assert body["errors"][1]["detail"].startswith("Row 4, Account Name:")
    assert counts(world) == (0, 0, 0, 0) and enqueued == []


def test_the_same_file_again_is_a_replay_and_runs_nothing(world, enqueued):
    client = api(world.a.manager)
    first = upload(client, SF_ACCOUNTS).json()
    run_enqueued(enqueued)

    again = upload(client, SF_ACCOUNTS, name="renamed.csv")

    assert again.status_code == 200
    body = again.json()
    assert (body["replay"], body["batch"], body["job"], body["kind"]) == (True, first["batch"], first["job"], "accounts")
    assert body["imported_at"] and body["summary"] is None
    assert counts(world) == (2, 0, 1, 1) and enqueued == []


def test_other_columns_need_a_mapping_which_is_checked_used_and_saved(world, enqueued):
    client = api(world.a.owner)
    text = "Company,Web,CRM key\r\nInitech,initech.example,A-1\r\n"

    unknown = upload(client, text)
    assert unknown.status_code == 400
    assert (unknown.json()["code"], unknown.json()["attr"], unknown.json()["columns"]) == (
        "mapping_required",
        "mapping",
        ["Company", "Web", "CRM key"],
    )

    wrong = upload(client, text, kind="accounts", mapping='{"Company": "name", "Web": "name"}')
    assert wrong.status_code == 400 and (wrong.json()["code"], wrong.json()["attr"]) == ("duplicate_field", "mapping.Web")

    mapped = upload(client, text, kind="accounts", mapping='{"Company": "name", "Web": "domain", "CRM key": "external_id"}')
    assert mapped.status_code == 202 and mapped.json()["source"] == "mapping"
    run_enqueued(enqueued)
    with tenant_context(world.a.tenant.pk):
        assert list(CustomerAccount.objects.values_list("name", "root_domain", "external_id")) == [
            ("Initech", "initech.example", "A-1")
        ]
        assert ImportMapping.objects.count() == 1  # saved once (not by the refused attempt)

    # the next file with the same headers is recognised by the saved mapping
    later = upload(client, "Company,Web,CRM key\r\nGlobex,globex.example,A-2\r\n")
    assert later.status_code == 202 and later.json()["source"] == "saved"


def test_an_idempotency_key_replays_the_first_answer_and_starts_one_job(world, enqueued):
    client = api(world.a.manager)
    key = {"Idempotency-Key": "c0ffee-import-1"}

    first = upload(client, SF_ACCOUNTS, headers=key)
    again = upload(client, SF_ACCOUNTS, headers=key)

    assert first.status_code == again.status_code == 202
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert counts(world)[3] == 1 and len(enqueued) == 1


def test_the_same_key_with_another_file_of_the_same_name_is_422_not_a_replay(world, enqueued):
    client = api(world.a.manager)
    key = {"Idempotency-Key": "c0ffee-import-2"}

    first = upload(client, SF_ACCOUNTS, headers=key)
    other = upload(client, SF_ACCOUNTS + SF_ACCOUNTS.splitlines()[-1].replace("1", "7") + "\n", headers=key)

    assert first.status_code == 202
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert len(enqueued) == 1


def test_a_refused_file_under_a_key_is_400_not_remembered_and_the_corrected_retry_runs(world, enqueued):
    """The refusal rolls the request back (key row included): the answer is the 400, never a 500, and the
    same key then carries the corrected request (found by the fuzz once the header was documented)."""
    client = api(world.a.manager)
    key = {"Idempotency-Key": "c0ffee-import-3"}
    text = "Company,Web,CRM key\r\nInitech,initech.example,A-1\r\n"

    refused = upload(client, text, headers=key)
    corrected = upload(
        client, text, headers=key, kind="accounts", mapping='{"Company": "name", "Web": "domain", "CRM key": "external_id"}'
    )

    assert (refused.status_code, refused.json()["code"]) == (400, "mapping_required")
    assert corrected.status_code == 202 and "Idempotent-Replayed" not in corrected
    assert len(enqueued) == 1


def test_a_write_key_imports_and_the_audit_names_the_key(world, enqueued):
    with tenant_context(world.a.tenant.pk):
        issued = api_key_create(tenant=world.a.tenant, actor=world.a.owner, name="CRM sync", scope="write")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")

    started = upload(client, SF_ACCOUNTS)
    assert started.status_code == 202
    run_enqueued(enqueued)

    detail = client.get(f"{IMPORTS}{started.json()['batch']}/").json()
    assert (detail["created"], detail["imported_by"]) == (2, None)
    with tenant_context(world.a.tenant.pk):
        entry = AuditEntry.objects.get(action="deals.import")
    assert entry.actor_label.startswith("API key CRM sync")
    assert client.get(f"{BASE}/my-pipeline/").status_code == 404  # a key acts for the vendor: no pipeline of its own


def test_an_analyst_reads_imports_but_may_not_import(world, enqueued):
    manager = api(world.a.manager)
    upload(manager, SF_ACCOUNTS)
    run_enqueued(enqueued)

    refused = upload(api(world.a.analyst), SF_OPPORTUNITIES)

    assert refused.status_code == 403 and refused.json()["code"] == "role_forbidden"
    assert counts(world) == (2, 0, 1, 1) and enqueued == []
    assert len(api(world.a.analyst).get(IMPORTS).json()["results"]) == 1


def test_another_tenant_and_partner_users_get_404_and_write_nothing(world, enqueued):
    upload(api(world.a.manager), SF_ACCOUNTS)
    run_enqueued(enqueued)
    with tenant_context(world.a.tenant.pk):
        batch_id = ImportBatch.objects.get().public_id

    other = api(world.b.owner)
    assert other.get(f"{IMPORTS}{batch_id}/").status_code == 404
    assert other.get(f"/api/v1/t/beta/deal-imports/{batch_id}/").status_code == 404
    assert upload(other, SF_OPPORTUNITIES).status_code == 404

    partner = api(world.a.partner1_admin)
    assert partner.get(IMPORTS).status_code == 404
    assert partner.get(f"{IMPORTS}{batch_id}/").status_code == 404
    assert upload(partner, SF_OPPORTUNITIES).status_code == 404
    assert partner.get(f"{BASE}/pipeline/").status_code == 404
    assert counts(world) == (2, 0, 1, 1) and enqueued == []


# --- pipeline --------------------------------------------------------------------------------------

PERIOD = "start=2024-04-01&end=2024-06-30"


@pytest.fixture
def pipeline(world):
    """Partner 1 (reseller): open proposal 1000 and 500, EUR 300 in negotiation, won 750 in June; partner 2 (MSP):
    prospecting 200, qualification 100 (6 days in prospecting), lost 400 in June."""
    p1, p2 = world.a.partner1, world.a.partner2
    with tenant_context(world.a.tenant.pk):
        registration(world, p1, n=1, status="approved", stage="proposal", value="1000")
        registration(world, p1, n=2, status="pending", stage="proposal", value="500")
        registration(world, p2, n=3, status="under_review", stage="prospecting", value="200")
        registration(world, p1, n=4, status="approved", stage="negotiation", value="300", currency="EUR")
        registration(world, p1, n=5, status="rejected", stage="proposal", value="9999")
        won = registration(
            world,
            p1,
            n=7,
            status="won",
            stage="closed_won",
            value="800",
            closed_amount=Decimal("750"),
            closed_on=datetime.date(2024, 6, 20),
        )
        registration(world, p2, n=8, status="lost", stage="closed_lost", value="400", closed_on=datetime.date(2024, 6, 21))
        history(
            won,
            (DecisionAction.STAGE, "Stage: prospecting → qualification", at(5)),
            (DecisionAction.STAGE, "Stage: qualification → proposal", at(15)),
            (DecisionAction.WON, "Closed won on 2024-06-20.", at(20)),
        )
        moving = registration(world, p2, n=10, status="approved", stage="qualification", value="100", submitted_at=at(10))
        history(moving, (DecisionAction.STAGE, "Stage: prospecting → qualification", at(16)))
    return world


def expected(world, **values) -> dict:
    """The portal's selector, in the API's terms."""
    with tenant_context(world.a.tenant.pk):
        f = pipeline_figures(
            tenant=world.a.tenant, filters=PipelineFilters(start=datetime.date(2024, 4, 1), end=TODAY, **values), currency="USD"
        )
    return {
        "stages": [(s.stage, s.count, f"{s.total:.2f}", s.avg_days, s.stays) for s in f.stages],
        "open": (f.open_count, f"{f.open_total:.2f}"),
        "closed": (f.won_count, f"{f.won_total:.2f}", f.lost_count, f.win_rate),
        "other": [(o["stage"], o["currency"], o["count"], f"{o['total']:.2f}") for o in f.other_currencies],
    }


def as_figures(body: dict) -> dict:
    return {
        "stages": [(s["stage"], s["count"], s["total"], s["avg_days"], s["stays"]) for s in body["stages"]],
        "open": (body["open_count"], body["open_total"]),
        "closed": (body["won_count"], body["won_total"], body["lost_count"], body["win_rate"]),
        "other": [(o["stage"], o["currency"], o["count"], o["total"]) for o in body["other_currencies"]],
    }


def test_the_vendor_pipeline_equals_the_portal_selector_with_each_filter(pipeline):
    a = pipeline.a
    client = api(a.analyst)

    everything = client.get(f"{BASE}/pipeline/?{PERIOD}")
    assert everything.status_code == 200
    body = everything.json()
    assert as_figures(body) == expected(pipeline)
    assert (body["currency"], body["open_count"], body["open_total"]) == ("USD", 4, "1800.00")
    assert (body["won_total"], body["lost_count"], body["win_rate"]) == ("750.00", 1, 50.0)
    assert body["filters"] == {"start": "2024-04-01", "end": "2024-06-30", "partner_type": "", "tier": None, "partner": None}

    msp = client.get(f"{BASE}/pipeline/?{PERIOD}&partner_type=msp").json()
    assert as_figures(msp) == expected(pipeline, partner_type="msp") and msp["open_total"] == "300.00"
    assert (msp["closed"], msp["win_rate"]) == ([{"status": "lost", "currency": "USD", "count": 1, "total": "400.00"}], 0.0)
    one = client.get(f"{BASE}/pipeline/?{PERIOD}&partner={a.partner1.public_id}").json()
    assert as_figures(one) == expected(pipeline, partner_id=a.partner1.pk) and one["filters"]["partner"] == str(
        a.partner1.public_id
    )


def test_unknown_filters_are_400_naming_the_parameter(pipeline):
    client = api(pipeline.a.owner)
    response = client.get(f"{BASE}/pipeline/?partner={pipeline.b.partner1.public_id}")  # the other tenant's partner
    assert response.status_code == 400 and response.json()["attr"] == "partner"
    assert str(pipeline.b.partner1.public_id) not in response.content.decode()
    reversed_period = client.get(f"{BASE}/pipeline/?start=2024-06-30&end=2024-04-01")
    assert (reversed_period.status_code, reversed_period.json()["code"]) == (400, "invalid_period")
    assert client.get(f"{BASE}/pipeline/?partner_type=pirate").json()["attr"] == "partner_type"


def test_the_pipeline_reads_a_constant_number_of_queries(pipeline):
    client = api(pipeline.a.analyst)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"{BASE}/pipeline/?{PERIOD}").status_code == 200
    with tenant_context(pipeline.a.tenant.pk):
        for n in range(20, 40):
            registration(pipeline, pipeline.a.partner1, n=n, status="approved", stage="proposal", value="1")
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"{BASE}/pipeline/?{PERIOD}").status_code == 200
    assert len(few) == len(many)


def test_a_partner_user_sees_only_its_own_pipeline_and_staff_get_404(pipeline):
    a = pipeline.a

    mine = api(a.partner2_admin).get(f"{BASE}/my-pipeline/?{PERIOD}&partner={a.partner1.public_id}")

    assert mine.status_code == 200
    body = mine.json()
    assert as_figures(body) == expected(pipeline, partner_id=a.partner2.pk)  # the partner filter is not read
    assert (body["open_count"], body["open_total"], body["won_count"], body["lost_count"]) == (2, "300.00", 0, 1)
    assert body["filters"]["partner"] == str(a.partner2.public_id)
    assert str(a.partner1.public_id) not in mine.content.decode()
    theirs = api(a.partner1_rep).get(f"{BASE}/my-pipeline/?{PERIOD}").json()
    assert as_figures(theirs) == expected(pipeline, partner_id=a.partner1.pk) and theirs["open_total"] == "1500.00"

    assert api(a.owner).get(f"{BASE}/my-pipeline/").status_code == 404
    assert api(a.analyst).get(f"{BASE}/my-pipeline/").status_code == 404
