"""Examples for every operation of the OpenAPI document.

The main resources carry hand-written ``OpenApiExample``s next to their views. This postprocessing
hook (``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``) gives every other request body and success
response one example built from its component schema: realistic values by format (uuid, date-time,
email, uri, decimal), an enum's first choice, lengths and bounds respected. Hand-written examples are
never replaced. ``ecosystem/api/tests/test_api_completeness.py`` validates every example in the
document against its schema, so an example cannot drift from what the API answers.
"""

from __future__ import annotations

import re
from typing import Any

_EXAMPLE_ID = "3f6c8a52-1c1e-4b7a-9d0a-5b2f1e7c4d21"
_FORMATS: dict[str, Any] = {
    "uuid": _EXAMPLE_ID,
    "date-time": "2026-03-02T09:30:00Z",
    "date": "2026-03-02",
    "email": "alex.morgan@northwind.example",
    "uri": "https://northwind.example/",
    "binary": "(binary file)",
}
# Realistic strings for the field names an integrator reads most; anything else falls back to a
# readable placeholder that still respects the field's length and pattern.
_BY_NAME = {
    "name": "Northwind Traders",
    "title": "Q3 joint campaign",
    "description": "Joint webinar series with the partner's customers.",
    "reason": "Budget reallocated to the partner's Q3 campaign.",
    "note": "Discussed on the weekly partner call.",
    "comment": "Looks good.",
    "country": "DE",
    "currency": "EUR",
    "website_domain": "northwind.example",
    "domain": "northwind.example",
    "slug": "northwind",
    "code": "invalid",
    "detail": "This field is required.",
    "company_name": "Contoso GmbH",
    "account_name": "Contoso GmbH",
    "first_name": "Alex",
    "last_name": "Morgan",
    "phone": "+49 30 1234567",
}
# for a field with its own pattern (a month "2026-03", a slug, a currency): the first candidate that matches
_PATTERN_CANDIDATES = ("2026-03", "2026-03-02", "northwind", "EUR", "DE", "1250", "Q3", "AB12")
_DECIMAL_PATTERN = re.compile(r"^\^-\?\\d\{0,(\d+)\}\(\?:\\\.\\d\{0,(\d+)\}\)\?\$$")


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _string(schema: dict[str, Any], name: str | None) -> str:
    pattern = schema.get("pattern")
    if schema.get("format") in _FORMATS:
        value = _FORMATS[schema["format"]]
    elif schema.get("format") == "decimal" or (pattern and _DECIMAL_PATTERN.match(pattern)):
        match = _DECIMAL_PATTERN.match(pattern or "")
        digits, places = (int(match.group(1)), int(match.group(2))) if match else (4, 2)
        value = ("1250"[:digits] or "0") + ("." + "0" * places if places else "")
    elif name and name in _BY_NAME:
        value = _BY_NAME[name]
    elif name and name.endswith("_url"):
        value = _FORMATS["uri"]
    elif name and name.endswith("email"):
        value = _FORMATS["email"]
    elif pattern == "^[-a-zA-Z0-9_]+$":
        value = "northwind"
    else:
        value = (name or "example").replace("_", " ").capitalize()
    if pattern and not re.search(pattern, value):
        value = next((candidate for candidate in _PATTERN_CANDIDATES if re.search(pattern, candidate)), value)
    max_length = schema.get("maxLength")
    if max_length is not None and len(value) > max_length:
        value = value[:max_length]
    min_length = schema.get("minLength", 0)
    if len(value) < min_length:
        value = value + "x" * (min_length - len(value))
    return value


def _number(schema: dict[str, Any], *, integer: bool) -> int | float:
    value: int | float = 3 if integer else 0.75
    if "minimum" in schema and value < schema["minimum"]:
        value = schema["minimum"]
    if (
        "exclusiveMinimum" in schema
        and isinstance(schema["exclusiveMinimum"], (int, float))
        and value <= schema["exclusiveMinimum"]
    ):
        value = schema["exclusiveMinimum"] + 1
    if "maximum" in schema and value > schema["maximum"]:
        value = schema["maximum"]
    return int(value) if integer else value


def example_for(
    schema: dict[str, Any], components: dict[str, Any], *, name: str | None = None, refs: tuple[str, ...] = ()
) -> Any:
    """A value that validates against ``schema`` (an OpenAPI 3.0 schema object).

    ``refs`` are the components being built around this one: a component met again inside itself
    (a recursive schema) gets an empty value instead of looping.
    """
    if "example" in schema:
        return schema["example"]
    if "$ref" in schema:
        if schema["$ref"] in refs:
            return [] if _resolve(schema, components).get("type") == "array" else None
        return example_for(_resolve(schema, components), components, name=name, refs=(*refs, schema["$ref"]))
    if "enum" in schema:
        choices = [choice for choice in schema["enum"] if choice not in (None, "")]
        return choices[0] if choices else schema["enum"][0]
    for combinator in ("allOf", "oneOf", "anyOf"):
        if schema.get(combinator):
            options = [option for option in schema[combinator] if _resolve(option, components).get("enum") != [None]]
            options = [option for option in options if _resolve(option, components).get("enum") != [""]] or options
            return example_for(options[0], components, name=name, refs=refs)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        value = {
            key: example_for(sub, components, name=key, refs=refs)
            for key, sub in properties.items()
            if not sub.get("writeOnly") or key in schema.get("required", ())
        }
        extra = schema.get("additionalProperties")
        if not properties and isinstance(extra, dict) and extra:
            value = {"key": example_for(extra, components, refs=refs)}
        return value
    if kind == "array":
        item = example_for(schema.get("items", {}), components, name=name, refs=refs)
        return [item] * max(1, schema.get("minItems", 1))
    if kind == "string":
        return _string(schema, name)
    if kind == "integer":
        return _number(schema, integer=True)
    if kind == "number":
        return _number(schema, integer=False)
    if kind == "boolean":
        return True
    return None if schema.get("nullable") else "example"


def _give_example(content: dict[str, Any], components: dict[str, Any]) -> None:
    for media in content.values():
        if "schema" not in media or media.get("examples") or "example" in media:
            continue
        media["examples"] = {
            "Example": {"value": example_for(media["schema"], components), "summary": "An example (generated from the schema)"}
        }


def add_examples(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    """Postprocessing hook: every request body and success response with content gets an example."""
    components = result.get("components", {}).get("schemas", {})
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            if "requestBody" in operation:
                _give_example(operation["requestBody"].get("content", {}), components)
            for code, response in operation.get("responses", {}).items():
                if str(code).startswith("2"):
                    _give_example(response.get("content", {}), components)
    return result
