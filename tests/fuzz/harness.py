"""Schemathesis against the API's own OpenAPI document, in process, as one identity at a time.

* The schema comes from drf-spectacular's generator (no file, no server); ``{tenant_slug}`` is fixed to
  the home tenant's slug, so every generated request targets a tenant that exists.
* Requests go to Django's WSGI application through schemathesis' WSGI transport, on the test's own
  database connection: each case runs in a savepoint that is rolled back, so a write never changes
  what the next case sees (the seeded world keeps its meaning for the whole run).
* Path ids are drawn from three pools: the home tenant's real ids of the resource (so details and
  actions run on real rows), the other tenant's ids of the same resource (must be "not found"), and
  schemathesis' own random values.
* Checks: no server error, and the response conforms to the document (status code, content type,
  headers, body); plus ``no_foreign_ids``: the body and headers never name an id the identity must
  not see (the other tenant's, and for a partner user, another partner's), unless the request named it.

Size: ``FUZZ_MAX_EXAMPLES`` examples per operation per generation mode (positive: valid input;
negative: invalid input), per identity. ``FUZZ_RANDOM=1`` draws new examples each run; by default the
examples are the same every run (a CI failure reproduces).
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import schemathesis
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.urls import Resolver404, resolve
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ecosystem.tenancy.context import tenant_context

TENANT_PREFIX = "/api/v1/t/{tenant_slug}/"
METHODS = ("get", "post", "put", "patch", "delete")
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def max_examples() -> int:
    return int(os.environ.get("FUZZ_MAX_EXAMPLES", "3"))


@dataclass
class Identity:
    """Who calls: the credentials sent with every request and the ids this caller must never be shown."""

    name: str
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    foreign_ids: frozenset[str] = frozenset()


@dataclass
class Finding:
    identity: str
    operation: str
    check: str
    status: int | None
    detail: str


@dataclass
class Report:
    identity: str
    operations: int = 0
    cases: int = 0
    statuses: Counter = field(default_factory=Counter)
    by_operation: dict[str, Counter] = field(default_factory=dict)
    failing: Counter = field(default_factory=Counter)  # failing cases per check (findings keep one per kind)
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        """Counts of failing cases; a 500 counts as a server error only (not also as an undocumented status)."""
        return {
            "identity": self.identity,
            "operations": self.operations,
            "cases": self.cases,
            "server_errors": self.failing["not_a_server_error"],
            "schema_violations": sum(
                n for check, n in self.failing.items() if check not in ("not_a_server_error", "no_foreign_ids", "exception")
            ),
            "foreign_id_hits": self.failing["no_foreign_ids"],
            "exceptions": self.failing["exception"],
            "statuses": dict(sorted(self.statuses.items())),
            "seconds": round(self.seconds, 1),
        }


# --- the schema ---------------------------------------------------------------------------------


def tenant_schema_document(tenant_slug: str) -> dict[str, Any]:
    """The OpenAPI document of the tenant API with ``{tenant_slug}`` fixed (the other paths left out)."""
    from drf_spectacular.generators import SchemaGenerator

    raw = SchemaGenerator().get_schema(request=None, public=True)
    raw = json.loads(json.dumps(raw, cls=DjangoJSONEncoder))
    paths = {}
    for path, item in raw["paths"].items():
        if not path.startswith(TENANT_PREFIX):
            continue
        for name, value in item.items():
            if name == "parameters" or name in METHODS:
                params = value if name == "parameters" else value.get("parameters", [])
                kept = [p for p in params if not (p.get("in") == "path" and p.get("name") == "tenant_slug")]
                if name == "parameters":
                    item[name] = kept
                else:
                    value["parameters"] = kept
        paths[path.replace("{tenant_slug}", tenant_slug)] = item
    raw["paths"] = paths
    return raw


def load_schema(tenant_slug: str):
    return schemathesis.openapi.from_dict(tenant_schema_document(tenant_slug))


# --- the custom check ---------------------------------------------------------------------------


def foreign_ids_check(identity: Identity):
    """A check that fails when the response names an id the identity must not see."""

    def no_foreign_ids(ctx, response, case) -> bool | None:
        sent = set(UUID_TEXT.findall(_request_text(response)))
        answered = response.text + " " + " ".join(f"{k}: {v}" for k, v in response.headers.items())
        leaked = sorted((set(UUID_TEXT.findall(answered)) & identity.foreign_ids) - sent)
        if leaked:
            raise AssertionError(f"the response names ids {identity.name} must not see: {leaked[:5]}")
        return None

    return no_foreign_ids


def _request_text(response) -> str:
    request = response.request
    body = request.body if isinstance(request.body, str) else (request.body or b"").decode("utf-8", "replace")
    return f"{request.url} {body}"


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# --- path ids -----------------------------------------------------------------------------------


def resource_ids(path: str, tenant_ids: Iterable[int]) -> list[str]:
    """The lookup values of the resource behind ``path`` (a detail or action route), in the given tenants."""
    params = re.findall(r"\{(\w+)\}", path)
    if not params:
        return []
    try:
        match = resolve(re.sub(r"\{\w+\}", str(uuid.uuid4()), path))
    except Resolver404:
        return []
    view = getattr(match.func, "cls", None)
    model = getattr(view, "model", None)
    lookup = getattr(view, "lookup_field", "public_id")
    if model is None or lookup not in {f.name for f in model._meta.fields}:
        return []
    values: list[str] = []
    for tenant_id in tenant_ids:
        with tenant_context(tenant_id):
            values += [str(v) for v in model.objects.order_by("pk").values_list(lookup, flat=True)[:20]]
    return values


# --- the run --------------------------------------------------------------------------------------


class _ErrorLog(logging.Handler):
    """Keeps the traceback of the last server error, so a finding shows where it broke."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.last: str = ""

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.last = logging.Formatter().formatException(record.exc_info)[-3000:]


def run(
    identity: Identity,
    *,
    tenant_ids: tuple[int, int],
    only: str | None = None,
    examples: int | None = None,
) -> Report:
    """Fuzz every tenant operation as ``identity``; ``tenant_ids`` is (home, other)."""
    from ecosystem.tenancy.models import Tenant

    home_slug = Tenant.objects.get(pk=tenant_ids[0]).slug
    schema = load_schema(home_slug)
    app = get_wsgi_application()
    examples = examples or max_examples()
    report = Report(identity.name)
    extra_check = foreign_ids_check(identity)
    errors = _ErrorLog()
    for logger_name in ("ecosystem.api.errors", "django.request"):
        logging.getLogger(logger_name).addHandler(errors)
    # the WSGI handler closes the connection when a request ends; the test's transaction lives on it
    # (Django's test client does the same for the same reason)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    settings = hypothesis.settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=os.environ.get("FUZZ_RANDOM") != "1",
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.generate],
        verbosity=hypothesis.Verbosity.quiet,
    )
    started = time.monotonic()
    try:
        for result in schema.get_all_operations():
            operation = result.ok()
            label = f"{operation.method.upper()} {operation.path}"
            if only and not re.search(only, label):
                continue
            report.operations += 1
            id_pool = resource_ids(operation.path, tenant_ids)
            path_names = [p.name for p in operation.path_parameters]
            seen: set[tuple[str, int | None]] = set()
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                strategy = st.tuples(
                    operation.as_strategy(generation_mode=mode),
                    st.sampled_from(id_pool) if id_pool else st.none(),
                    st.booleans(),
                )

                def one(drawn, label=label, path_names=path_names, seen=seen) -> None:
                    case, real_id, use_real = drawn
                    if real_id is not None and use_real and path_names:
                        case.path_parameters = {**(case.path_parameters or {}), path_names[0]: real_id}
                    _one_case(case, identity, app, extra_check, report, label, seen, errors)

                settings(hypothesis.given(strategy)(_calls(one)))()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        for logger_name in ("ecosystem.api.errors", "django.request"):
            logging.getLogger(logger_name).removeHandler(errors)
    report.seconds = time.monotonic() - started
    return report


def _calls(function):
    """A one-argument function without defaults, as @given wants it."""

    def call(drawn) -> None:
        function(drawn)

    return call


def _one_case(case, identity, app, extra_check, report, label, seen, errors) -> None:
    report.cases += 1
    errors.last = ""
    if identity.cookies and case.headers:
        # a generated Authorization header would win over the session (a bad key is a 401), and the
        # partner user would spend a third of the run on 401s instead of reaching the views
        case.headers = {k: v for k, v in case.headers.items() if k.lower() != "authorization"}
    try:
        with transaction.atomic():
            response = case.call(app=app, headers=identity.headers, cookies=identity.cookies)
            transaction.set_rollback(True)  # every case starts from the seeded world
    except Exception as exc:  # the transport or the app blew up outside Django's handler
        report.failing["exception"] += 1
        _record(report, seen, label, "exception", None, f"{type(exc).__name__}: {exc}\n{errors.last}")
        return
    report.statuses[response.status_code] += 1
    report.by_operation.setdefault(label, Counter())[response.status_code] += 1
    try:
        case.validate_response(response, checks=CHECKS, additional_checks=[extra_check])
    except (Exception, BaseExceptionGroup) as group:  # schemathesis' FailureGroup is a BaseExceptionGroup
        failures = getattr(group, "exceptions", [group])
        failed = set()
        for failure in failures:
            check = _check_name(failure)
            if check == "status_code_conformance" and response.status_code >= 500:
                check = "not_a_server_error"  # one failure, reported once
            if check not in failed:
                failed.add(check)
                report.failing[check] += 1
            detail = f"{getattr(failure, 'title', '')}: {getattr(failure, 'message', str(failure))}"
            detail += f"\n  request: {case.method} {response.request.url} body={str(response.request.body)[:300]}"
            detail += f"\n  response: {response.text[:500]}"
            if check == "not_a_server_error" and errors.last:
                detail += f"\n{errors.last}"
            _record(report, seen, label, check, response.status_code, detail)


def _check_name(failure: Exception) -> str:
    name = type(failure).__name__
    return {
        "ServerError": "not_a_server_error",
        "UndefinedStatusCode": "status_code_conformance",
        "UndefinedContentType": "content_type_conformance",
        "MalformedMediaType": "content_type_conformance",
        "MissingHeaders": "response_headers_conformance",
        "JsonSchemaError": "response_schema_conformance",
        "MissingContentType": "content_type_conformance",
        "MalformedJson": "response_schema_conformance",
        "ContentDeserializationError": "response_schema_conformance",
        "CustomFailure": "no_foreign_ids",  # the only custom check
    }.get(name, name)


def _record(report: Report, seen: set, label: str, check: str, status: int | None, detail: str) -> None:
    key = (check, status)
    if key in seen:  # one finding per operation, check and status is enough to fix it
        return
    seen.add(key)
    report.findings.append(Finding(report.identity, label, check, status, detail))


def format_findings(findings: list[Finding], limit: int = 60) -> str:
    lines = [f"{f.identity} | {f.operation} | {f.check} | {f.status}\n    {f.detail}" for f in findings[:limit]]
    if len(findings) > limit:
        lines.append(f"... and {len(findings) - limit} more")
    return "\n".join(lines)
