"""The API is complete: every list pages by cursor, orders and filters; every operation has examples that
validate against their schemas; every portal resource has an API counterpart.

The document is generated in-process, exactly as ``/api/v1/schema/`` serves it (postprocessing hooks
included). When a test here fails, its message says what to add and where.
"""

from __future__ import annotations

import datetime
import json
import re
from functools import cache
from typing import Any

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from ecosystem.api.tests.portal_coverage import API_GAPS, NOT_RESOURCES, PORTAL_TO_API, portal_url_names

_METHODS = ("get", "post", "put", "patch", "delete")
_PAGING = {"cursor", "page_size"}

# List operations that do not need cursor pagination, ordering or filters, each with its reason.
# Keys are "<METHOD> <path>" with the "/api/v1/t/{tenant_slug}" prefix left off.
LIST_ALLOWLIST: dict[str, str] = {
    # fixed, tiny lists: the whole list is one short answer, in its one meaningful order
    "GET /tiers/": "the tier ladder: a handful of rungs, ordered by rank",
    "GET /learning-paths/": "one learning path per track: three at most, in track order",
    "GET /product-lines/": "a program's product lines: a handful, by name",
    "GET /screening-lists/": "the denied-party lists uploaded: a handful, newest first",
    "GET /sla-definitions/": "one definition per SLA kind: a fixed handful",
    "GET /cosell-invitations/": "one partner's open co-sell invitations: a handful, unpaged on purpose",
    "GET /my-certifications/": "one person's certifications: a handful, unpaged on purpose",
    "GET /mapping-partnerships/": "one side's account-mapping partnerships: a handful, unpaged on purpose",
    "GET /my-solutions/invitations/": "one partner's open invitations to deliver a component: a handful, unpaged",
    "GET /mdf-budgets/{public_id}/allocations/": "one budget's allocations: one per tier and per partner, in ladder order",
    "GET /churn-models/": "a tenant's trained churn model versions: a handful, newest first",
    "GET /attribution-runs/{public_id}/credits/": "one run's credits per partner: one row per partner, totals order",
    "GET /mapping-partnerships/{public_id}/recommendations/": "a ranked top list; its order is the answer",
    "GET /mapping-partnerships/{public_id}/shared-list/": "what the other side shares: one population, fixed order",
}

# Lists still short of the rule, each with what is missing. The test fails when one of them becomes
# complete, so the entry is removed and the list stays covered from then on. Empty: every list pages by
# cursor, orders and filters.
LIST_KNOWN_GAPS: dict[str, str] = {}


@cache
def openapi() -> dict[str, Any]:
    """The OpenAPI document as JSON (lazy strings rendered), generated once per test session."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema, renderer_context={}))


def _operations():
    prefix = "/api/v1/t/{tenant_slug}"
    for path, item in openapi()["paths"].items():
        for method, operation in item.items():
            if method in _METHODS:
                yield f"{method.upper()} {path.removeprefix(prefix)}", method, operation


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    components = openapi()["components"]["schemas"]
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _success(operation: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    for code, response in operation["responses"].items():
        if code.startswith("2"):
            return code, response
    return None


def _is_list(method: str, operation: dict[str, Any]) -> bool:
    """A GET that answers an array, bare or as a page's ``results``."""
    success = _success(operation)
    if method != "get" or success is None:
        return False
    media = success[1].get("content", {}).get("application/json")
    if media is None:
        return False
    schema = _resolve(media["schema"])
    return schema.get("type") == "array" or _resolve(schema.get("properties", {}).get("results", {})).get("type") == "array"


def _list_problems(key: str, operation: dict[str, Any]) -> list[str]:
    names = {parameter["name"] for parameter in operation.get("parameters", []) if parameter["in"] == "query"}
    page = _resolve(_success(operation)[1]["content"]["application/json"]["schema"])
    problems = []
    if "cursor" not in names or not {"next", "previous"} <= set(page.get("properties", {})):
        problems.append("no cursor pagination (set a CursorPagination subclass whose ordering is unique and indexed)")
    if "count" in page.get("properties", {}):
        problems.append("the page has a count: a cursor page must not run COUNT")
    ordering = next((p for p in operation.get("parameters", []) if p["name"] == "ordering"), None)
    if ordering is None:
        problems.append("no ordering parameter (keep StrictOrderingFilter in filter_backends and set ordering_fields)")
    elif not re.match(r"Order by (?!nothing)", ordering.get("description", "")):
        problems.append("ordering accepts no field (set ordering_fields; the internal id is never one)")
    if not names - _PAGING - {"ordering"}:
        problems.append("no filter parameter (set filterset_class to a django-filter FilterSet)")
    return [f"{key}: {problem}" for problem in problems]


def test_every_list_pages_by_cursor_orders_and_filters():
    problems: list[str] = []
    fixed: list[str] = []
    seen = set()
    for key, method, operation in _operations():
        if not _is_list(method, operation):
            continue
        seen.add(key)
        found = _list_problems(key, operation)
        if key in LIST_KNOWN_GAPS and not found:
            fixed.append(key)
        elif key not in LIST_ALLOWLIST and key not in LIST_KNOWN_GAPS:
            problems.extend(found)
    stale = sorted((set(LIST_ALLOWLIST) | set(LIST_KNOWN_GAPS)) - seen)
    assert not problems, "Lists that are not complete (fix them, or allowlist with a reason):\n" + "\n".join(problems)
    assert not fixed, f"These lists are complete now: remove them from LIST_KNOWN_GAPS: {fixed}"
    assert not stale, f"LIST_ALLOWLIST/LIST_KNOWN_GAPS name operations that are not lists any more: {stale}"


def _has_example(media: dict[str, Any]) -> bool:
    return bool(media.get("examples")) or "example" in media


def test_every_operation_has_examples_for_its_body_and_its_success_response():
    missing = []
    for key, _method, operation in _operations():
        for content_type, media in operation.get("requestBody", {}).get("content", {}).items():
            if not _has_example(media):
                missing.append(f"{key}: request body ({content_type})")
        success = _success(operation)
        for content_type, media in (success[1].get("content", {}) if success else {}).items():
            if not _has_example(media):
                missing.append(f"{key}: {success[0]} response ({content_type})")
    assert not missing, "Operations without examples (add an OpenApiExample to the view):\n" + "\n".join(missing)


# --- examples must validate against their schemas -------------------------------------------------


def _to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema objects to JSON Schema: ``nullable`` becomes a ``null`` alternative."""
    if isinstance(node, list):
        return [_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _to_json_schema(value) for key, value in node.items() if key not in ("nullable", "example")}
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


_FORMATS = jsonschema.FormatChecker()


@_FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    return not isinstance(value, str) or bool(datetime.datetime.fromisoformat(value.replace("Z", "+00:00")))


@_FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    return not isinstance(value, str) or bool(datetime.date.fromisoformat(value))


def _examples():
    for key, _method, operation in _operations():
        bodies = [("request", operation.get("requestBody", {}).get("content", {}))]
        bodies += [(code, response.get("content", {})) for code, response in operation["responses"].items()]
        for where, content in bodies:
            for content_type, media in content.items():
                if content_type != "application/json" or "schema" not in media:
                    continue  # multipart bodies carry files: their examples are descriptive
                for name, example in media.get("examples", {}).items():
                    if "value" in example:
                        yield f"{key} {where} example {name!r}", media["schema"], example["value"]


def test_every_example_validates_against_its_schema():
    components = _to_json_schema(openapi()["components"])
    failures = []
    for label, schema, value in _examples():
        validator = jsonschema.Draft202012Validator(
            {**_to_json_schema(schema), "components": components}, format_checker=_FORMATS
        )
        errors = sorted(validator.iter_errors(value), key=lambda error: list(error.absolute_path))
        if errors:
            where = "/".join(str(part) for part in errors[0].absolute_path)
            failures.append(f"{label}: at {where or '(root)'}: {errors[0].message[:200]}")
    assert not failures, "Examples that do not match their schema:\n" + "\n".join(failures)


# --- every portal resource has an API counterpart -------------------------------------------------


def test_every_portal_url_is_mapped_to_an_api_operation_or_listed_with_a_reason():
    names = portal_url_names()
    tables = {"PORTAL_TO_API": set(PORTAL_TO_API), "NOT_RESOURCES": set(NOT_RESOURCES), "API_GAPS": set(API_GAPS)}
    unknown = sorted(names - set().union(*tables.values()))
    assert not unknown, (
        f"New portal URL names with no entry in ecosystem/api/tests/portal_coverage.py: {unknown}. "
        "Add each to PORTAL_TO_API with the API operation that does the same thing (build the endpoint first, "
        "through the app's services and selectors, with the portal view's permission checks), or to "
        "NOT_RESOURCES with the reason it is not a resource."
    )
    for first, second in (("PORTAL_TO_API", "NOT_RESOURCES"), ("PORTAL_TO_API", "API_GAPS"), ("NOT_RESOURCES", "API_GAPS")):
        both = sorted(tables[first] & tables[second])
        assert not both, f"Listed in both {first} and {second}: {both}"
    stale = sorted(set().union(*tables.values()) - names)
    assert not stale, f"portal_coverage.py names portal URLs that no longer exist: {stale}"


@cache
def api_operations_by_name() -> dict[str, tuple[str, dict[str, Any]]]:
    """``"<METHOD> <api url name>"`` → (method, the operation) for every operation in the document."""
    from django.urls import get_resolver

    operations: dict[str, tuple[str, dict[str, Any]]] = {}
    paths = openapi()["paths"]

    def walk(resolver, prefix: str, namespace: str | None) -> None:
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if hasattr(pattern, "url_patterns"):
                walk(pattern, route, pattern.namespace or namespace)
            elif namespace == "api" and pattern.name:
                path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
                for method, operation in paths.get(path, {}).items():
                    if method in _METHODS:
                        operations[f"{method.upper()} {pattern.name}"] = (method, operation)

    walk(get_resolver(), "", None)
    return operations


def _api_operations() -> set[str]:
    return set(api_operations_by_name())


@pytest.mark.parametrize("portal_name", sorted(PORTAL_TO_API))
def test_the_api_counterpart_of_a_portal_resource_exists(portal_name):
    wanted = PORTAL_TO_API[portal_name]
    wanted = {wanted} if isinstance(wanted, str) else set(wanted)
    missing = sorted(wanted - _api_operations())
    assert not missing, f"{portal_name} maps to {missing}, which /api/v1/ does not have"


# --- the integrator guide lists every resource ------------------------------------------------------


def test_the_integrator_guide_lists_every_resource_as_the_schema_does():
    from ecosystem.api import resource_table

    block = resource_table.current_block(resource_table.doc_path().read_text())
    assert block is not None, "docs/integrator.md lost its api-resources block (see ecosystem/api/resource_table.py)"
    assert block == resource_table.render(openapi()), (
        "docs/integrator.md's resource table differs from the API: run `python manage.py api_resources --write`"
    )
