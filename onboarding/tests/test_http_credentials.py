"""Outside certifications checked with their issuer's verification service, from the partner's step page.

The issuer is a loopback HTTP server (as in ``ecosystem/tests/test_outbound.py``) that checks the
request signature; 127.0.0.1 is reachable only through ``outbound._allow_addresses_for_tests``.
"""

from __future__ import annotations

import html
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError

from ecosystem import outbound
from ecosystem.audit.models import AuditEntry
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import tenant_context
from onboarding import issuers
from onboarding.models import CredentialCheck, CredentialIssuer, OnboardingTemplate, OnboardingTemplateStep
from onboarding.services import plan_create_for_partner
from onboarding.training_tasks import external_credential_verify_task

SECRET = "aws-shared-secret-1234"
ANSWERS = {
    "AWS-OK": (200, {"valid": True, "holder_name": "Ada Lovelace", "expires_on": "2099-12-31"}),
    "AWS-NOPE": (200, {"valid": False, "holder_name": None, "expires_on": None}),
    "AWS-OTHER": (200, {"valid": True, "holder_name": "Grace Hopper", "expires_on": None}),
    "AWS-500": (500, {"error": "database unavailable"}),
}


def text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


class IssuerHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        signed = outbound.verify_signature(
            body, secret=SECRET, timestamp=self.headers.get("X-PRM-Timestamp"), signature=self.headers.get("X-PRM-Signature")
        )
        request = json.loads(body)
        self.server.received.append(request)
        status, answer = ANSWERS[request["credential_number"]] if signed else (401, {"error": "bad signature"})
        raw = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, format, *args) -> None:
        pass


@pytest.fixture
def issuer_server(settings) -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), IssuerHandler)
    httpd.received = []
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    settings.OUTBOUND_ALLOW_HTTP = True
    settings.OUTBOUND_ALLOWED_PORTS = {80, 443, httpd.server_address[1]}
    with outbound._allow_addresses_for_tests("127.0.0.1"):
        yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def aws(world, issuer_server) -> CredentialIssuer:
    with tenant_context(world.a.tenant.pk):
        return issuers.credential_issuer_save(
            tenant=world.a.tenant,
            actor=None,
            name="AWS Certification",
            endpoint_url=f"http://127.0.0.1:{issuer_server.server_address[1]}/verify",
            secret=SECRET,
        )


@pytest.fixture
def enqueued(monkeypatch) -> list[tuple]:
    """Tasks queued after commit, as (task, tenant id, *ids), instead of being sent."""
    calls: list[tuple] = []
    monkeypatch.setattr(issuers, "enqueue_on_commit", lambda task, tenant_id, *args: calls.append((task, tenant_id, *args)))
    return calls


def external_step_for(tenant_world, partner):
    with tenant_context(tenant_world.tenant.pk):
        template = OnboardingTemplate.objects.create(tenant=tenant_world.tenant, name="Certs", partner_type=partner.partner_type)
        OnboardingTemplateStep.objects.create(
            tenant=tenant_world.tenant, template=template, position=1, kind="certification", title="AWS certified"
        )
        plan = plan_create_for_partner(tenant=tenant_world.tenant, actor=None, partner=partner)
        return plan.steps.get()


def step_url(step) -> str:
    return f"/p/alpha/onboarding/steps/{step.public_id}/"


def submit(client, step, number: str, holder: str = "Ada Lovelace", issuer: str = "aws-certification"):
    return client.post(step_url(step), {"issuer": issuer, "credential_number": number, "holder_name": holder})


def run_queued(enqueued) -> list[str | None]:
    return [task(tenant_id, *args) for task, tenant_id, *args in enqueued]


def reload(world, obj):
    with tenant_context(world.a.tenant.pk):
        obj.refresh_from_db()
    return obj


def checks_of(world, step) -> list[CredentialCheck]:
    with tenant_context(world.a.tenant.pk):
        return list(CredentialCheck.objects.filter(step=step).order_by("id"))


def test_the_step_page_offers_the_active_issuers_and_the_users_name(client, world, aws):
    step = external_step_for(world.a, world.a.partner1)
    client.force_login(world.a.partner1_admin)

    body = text(client.get(step_url(step)))

    assert "AWS Certification" in body and "Check the certification" in body
    assert world.a.partner1_admin.get_full_name() in body
    assert SECRET not in body and "Mark as done" not in body


def test_a_verified_credential_finishes_the_step_with_evidence(client, world, aws, issuer_server, enqueued):
    step = external_step_for(world.a, world.a.partner1)
    client.force_login(world.a.partner1_admin)

    response = submit(client, step, " AWS-OK ")
    pending_page = text(client.get(step_url(step)))
    statuses = run_queued(enqueued)

    assert response.status_code == 302
    assert "Checking:" in pending_page
    assert statuses == ["verified"]
    [check] = checks_of(world, step)
    assert (check.status, check.kind, check.credential_number, check.issuer) == (
        "verified",
        "http",
        "AWS-OK",
        "AWS Certification",
    )
    assert check.evidence["endpoint_host"] == "127.0.0.1" and check.evidence["status_code"] == 200
    assert check.evidence["answer"]["holder_name"] == "Ada Lovelace"
    assert issuer_server.received == [
        {
            "credential_number": "AWS-OK",
            "holder_name": "Ada Lovelace",
            "holder_email": world.a.partner1_admin.email,
            "issuer": "AWS Certification",
        }
    ]
    step = reload(world, step)
    assert step.status == "done" and step.result["check"] == str(check.public_id)
    assert "AWS Certification confirmed credential AWS-OK for Ada Lovelace." in text(client.get(step_url(step)))


def test_a_number_the_issuer_does_not_know_leaves_the_step_open(client, world, aws, enqueued):
    step = external_step_for(world.a, world.a.partner1)
    client.force_login(world.a.partner1_admin)

    submit(client, step, "AWS-NOPE")

    assert run_queued(enqueued) == ["not_found"]
    assert reload(world, step).status != "done"
    assert "has no valid credential AWS-NOPE" in text(client.get(step_url(step)))


def test_another_holder_is_a_mismatch(client, world, aws, enqueued):
    step = external_step_for(world.a, world.a.partner1)
    client.force_login(world.a.partner1_admin)

    submit(client, step, "AWS-OTHER")

    assert run_queued(enqueued) == ["mismatch"]
    assert reload(world, step).status != "done"


def test_an_issuer_error_is_recorded_as_an_error(client, world, aws, enqueued):
    step = external_step_for(world.a, world.a.partner1)
    client.force_login(world.a.partner1_admin)

    submit(client, step, "AWS-500")

    assert run_queued(enqueued) == ["error"]
    [check] = checks_of(world, step)
    assert check.evidence["error_code"] == "unexpected_status" and check.evidence["status_code"] == 500
    assert reload(world, step).status != "done"
    assert "We could not get an answer from AWS Certification" in text(client.get(step_url(step)))


def test_the_task_is_idempotent(client, world, aws, issuer_server, enqueued):
    step = external_step_for(world.a, world.a.partner1)
    client.force_login(world.a.partner1_admin)
    submit(client, step, "AWS-OK")
    run_queued(enqueued)
    completed_at = reload(world, step).completed_at
    with tenant_context(world.a.tenant.pk):
        audits = AuditEntry.objects.count()

    again = run_queued(enqueued)

    assert again == [None]
    assert len(issuer_server.received) == 1
    assert len(checks_of(world, step)) == 1
    assert reload(world, step).completed_at == completed_at
    with tenant_context(world.a.tenant.pk):
        assert AuditEntry.objects.count() == audits


def test_bad_input_keeps_what_was_typed(client, world, aws, enqueued):
    step = external_step_for(world.a, world.a.partner1)
    client.force_login(world.a.partner1_admin)

    response = submit(client, step, "", holder="Ada Typed Lovelace")

    assert response.status_code == 400
    assert 'value="Ada Typed Lovelace"' in response.content.decode()
    assert '<option value="aws-certification" selected>' in response.content.decode()
    assert enqueued == [] and checks_of(world, step) == []


def test_an_unknown_issuer_is_refused(client, world, aws, enqueued):
    step = external_step_for(world.a, world.a.partner1)
    client.force_login(world.a.partner1_admin)

    response = submit(client, step, "AWS-OK", issuer="gcp")

    assert response.status_code == 400 and enqueued == []


def test_a_second_request_waits_for_the_running_check(client, world, aws, enqueued):
    step = external_step_for(world.a, world.a.partner1)
    client.force_login(world.a.partner1_admin)

    submit(client, step, "AWS-OK")
    again = submit(client, step, "AWS-OK")

    assert again.status_code == 400 and "A check is already running" in text(again)
    assert len(enqueued) == 1


def test_partner_2_cannot_submit_on_partner_1s_step(client, world, aws, enqueued):
    step = external_step_for(world.a, world.a.partner1)
    client.force_login(world.a.partner2_admin)

    assert client.get(step_url(step)).status_code == 404
    assert submit(client, step, "AWS-OK").status_code == 404
    assert enqueued == [] and checks_of(world, step) == []


def test_partner_users_read_issuer_names_but_never_the_secrets(world, aws):
    from django.db import connection

    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk):
        assert [slug for _id, slug, _name in issuers.issuer_choices(tenant=world.a.tenant)] == ["aws-certification"]
        assert aws.secret == ""  # the secret table is staff-only
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM onboarding_credentialissuersecret")
            assert cursor.fetchone()[0] == 0
    with tenant_context(world.a.tenant.pk):
        assert aws.secret == SECRET


def test_an_issuer_at_a_private_address_is_refused_when_saved(world):
    for url in ("https://10.1.2.3/verify", "https://169.254.169.254/latest", "https://[::1]/verify", "ftp://issuer.example/"):
        with tenant_context(world.a.tenant.pk), pytest.raises(ApplicationError) as refused:
            issuers.credential_issuer_save(tenant=world.a.tenant, actor=None, name="Bad", endpoint_url=url, secret="s3cret")
        assert refused.value.field == "endpoint_url", url
    with tenant_context(world.a.tenant.pk):
        assert not CredentialIssuer.objects.exists()
        with pytest.raises(ValidationError) as invalid:
            CredentialIssuer(tenant=world.a.tenant, name="Bad", slug="bad", endpoint_url="https://192.168.1.1/").full_clean()
    assert "This address is not allowed for outbound calls." in invalid.value.message_dict["endpoint_url"]


def test_the_secret_shows_only_its_last_four_characters(world, aws):
    with tenant_context(world.a.tenant.pk):
        assert aws.masked_secret == "…1234"


def test_a_disabled_issuer_records_an_error_for_a_pending_check(client, world, aws, issuer_server, enqueued):
    step = external_step_for(world.a, world.a.partner1)
    client.force_login(world.a.partner1_admin)
    submit(client, step, "AWS-OK")
    with tenant_context(world.a.tenant.pk):
        CredentialIssuer.objects.filter(pk=aws.pk).update(is_active=False)

    assert run_queued(enqueued) == ["error"]
    assert checks_of(world, step)[0].evidence["error_code"] == "not_configured"
    assert issuer_server.received == []


def test_the_task_runs_as_a_tenant_task(world):
    assert external_credential_verify_task.is_tenant_task


def test_without_an_issuer_the_step_explains_and_cannot_be_ticked_off(client, world):
    step = external_step_for(world.a, world.a.partner1)
    client.force_login(world.a.partner1_admin)

    page = text(client.get(step_url(step)))
    ticked = client.post(step_url(step), {})

    assert "has not set up a verification service" in page and "Mark as done" not in page
    assert ticked.status_code == 400 and "done when the credential is verified" in text(ticked)
    assert reload(world, step).status == "todo" and checks_of(world, step) == []


def test_the_service_never_ticks_off_a_certification_step(world, aws):
    from onboarding.services import step_complete

    step = external_step_for(world.a, world.a.partner1)

    with tenant_context(world.a.tenant.pk), pytest.raises(ApplicationError) as refused:
        step_complete(tenant=world.a.tenant, actor=world.a.partner1_admin, step=step)

    assert refused.value.code == "needs_verified_credential"
    assert reload(world, step).status == "todo"
