"""The OpenAPI document: the project's AutoSchema, and a post-processing hook for the error answers.

``AutoSchema`` (``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``) describes output fields as they are sent:

* a read-only field of a model ``CharField`` with ``blank=True`` may be ``""`` (DRF drops
  ``allow_blank`` from read-only model fields, so drf-spectacular would promise an email, a URL or
  one of the choices where the API sends an empty string);
* a ``DateField`` with a custom format (``"%Y-%m"``: a month) is a string of that shape, not a date.

``document_error_responses``: every tenant operation documents the error answers the API base can give.

The views document their success answers (and the odd special 400 with row errors); the answers
that come from ``TenantViewSet`` and the settings rather than from one view are added here, all
with the one error envelope of ``ecosystem.api.errors``:

* ``401`` no or a bad credential; ``403`` a read-only key, a role or a kind of caller that may not do
  this; ``404`` an unknown tenant, no membership, a foreign or missing id, or a malformed cursor;
  ``429`` a throttle, with ``Retry-After`` — on every operation;
* ``400`` a validation error — on every write and on reads that take query parameters (filters);
* ``409`` a business conflict — on writes; ``415`` a body in a media type the operation does not
  read — on operations that take a body;
* on operations that honour ``Idempotency-Key`` (``ecosystem.api.idempotency``, described by
  ``AutoSchema`` as a header parameter): ``422`` the key reused with another body, and the
  ``Idempotent-Replayed`` header on the success answer.

A code a view documents itself is left as the view wrote it.
"""

from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiParameter
from rest_framework import ISO_8601, serializers

TENANT_PATH_PREFIX = "/api/v1/t/"
_WRITES = ("post", "put", "patch", "delete")
_READS = ("get",)

_ERROR_ITEM = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "description": "Stable, machine-readable."},
        "detail": {"type": "string", "description": "For people."},
        "attr": {"type": "string", "nullable": True, "description": "The input the problem belongs to, if any."},
    },
    "required": ["code", "detail", "attr"],
}
_ERROR = {
    "type": "object",
    "description": "The one error envelope. `errors` lists every problem of a validation error; the top level repeats the first.",
    "properties": {
        "type": {"type": "string", "enum": ["validation_error", "client_error", "server_error"]},
        **_ERROR_ITEM["properties"],
        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ErrorItem"}},
    },
    "required": ["type", "code", "detail", "attr"],
}
_DESCRIPTIONS = {
    "400": "Validation error: `errors` names every problem.",
    "401": "No credential, or a malformed, unknown or revoked API key.",
    "403": "A read-only API key, or a role or kind of caller that may not do this.",
    "404": "Not found: an unknown tenant, no membership, a foreign or missing id, or a malformed cursor.",
    "409": "A business conflict (for example a competing registration, under review).",
    "415": "The body's Content-Type is not one the operation reads (see its request body).",
    "422": "This `Idempotency-Key` was used with another body or path: use a new key for a new request.",
    "429": "Too many requests: wait `Retry-After` seconds.",
}
IDEMPOTENCY_HEADER = "Idempotency-Key"
_IDEMPOTENCY_DESCRIPTION = (
    "Optional, 1–255 printable characters (a UUID is a good key). Remembered for 24 hours per caller: "
    "the same key with the same body answers the first answer again (header `Idempotent-Replayed: true`) "
    "and creates nothing twice; the same key with another body answers 422 `idempotency_key_reused`. "
    "Error answers are not remembered."
)


def _error_codes(method: str, operation: dict[str, Any]) -> list[str]:
    codes = ["401", "403", "404", "429"]
    if method in _WRITES:
        codes += ["400", "409"]
    if "requestBody" in operation:
        codes.append("415")
    if _takes_idempotency_key(operation):
        codes.append("422")
    elif any(parameter.get("in") == "query" for parameter in operation.get("parameters", [])):
        codes.append("400")
    return sorted(codes)


def _takes_idempotency_key(operation: dict[str, Any]) -> bool:
    return any(p.get("in") == "header" and p.get("name") == IDEMPOTENCY_HEADER for p in operation.get("parameters", []))


def document_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular ``POSTPROCESSING_HOOKS`` entry: add the envelope's error answers to tenant operations."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ErrorItem", copy.deepcopy(_ERROR_ITEM))
    schemas.setdefault("Error", copy.deepcopy(_ERROR))
    for path, item in result.get("paths", {}).items():
        if not path.startswith(TENANT_PATH_PREFIX):
            continue
        for method, operation in item.items():
            if method not in _WRITES + _READS:
                continue
            responses = operation.setdefault("responses", {})
            for code in _error_codes(method, operation):
                # a new dict each time: the YAML renderer would write shared objects as anchors
                answer = {
                    "description": _DESCRIPTIONS[code],
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
                if code == "429":
                    answer["headers"] = {
                        "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before retrying."}
                    }
                responses.setdefault(code, answer)
            if _takes_idempotency_key(operation):
                for code, answer in responses.items():
                    if code.startswith("2"):
                        answer.setdefault("headers", {})["Idempotent-Replayed"] = {
                            "schema": {"type": "string", "enum": ["true"]},
                            "description": "Present on a replay: this is the first answer to this Idempotency-Key.",
                        }
    return result


class AutoSchema(openapi.AutoSchema):
    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        handler = getattr(self.view, getattr(self.view, "action", None) or self.method.lower(), None)
        if getattr(handler, "idempotent", False):
            parameters.append(
                OpenApiParameter(
                    IDEMPOTENCY_HEADER,
                    location=OpenApiParameter.HEADER,
                    required=False,
                    description=_IDEMPOTENCY_DESCRIPTION,
                    # printable, as the API checks: a header cannot carry control characters anyway
                    type={"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"^[\x21-\x7e][\x20-\x7e]*$"},
                )
            )
        return parameters

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if field.read_only and getattr(field, "allow_blank", True) is False and _model_field_allows_blank(field):
            field.allow_blank = True  # a schema-time instance: requests never see it
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            isinstance(field, serializers.DateField)
            and not isinstance(field, serializers.DateTimeField)
            and getattr(field, "format", ISO_8601) not in (None, ISO_8601)
        ):
            schema.pop("format", None)
            if field.format == "%Y-%m":
                schema["pattern"] = r"^\d{4}-\d{2}$"
        return schema


def _model_field_allows_blank(field) -> bool:
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source or field.source == "*":
        return False
    try:
        model_field = model._meta.get_field(field.source)
    except FieldDoesNotExist:
        return False
    return isinstance(model_field, models.CharField | models.TextField) and model_field.blank
