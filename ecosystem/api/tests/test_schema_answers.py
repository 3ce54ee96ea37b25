"""The OpenAPI document describes what the API answers: its error envelope, and output fields as sent.

Found by the API fuzz (tests/fuzz/): undocumented 401/403/404 answers, empty strings where the
document promised an email, a URL or a choice, a month where it promised a date, a null it did not allow.
"""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from ecosystem.api.schema import TENANT_PATH_PREFIX


@pytest.fixture(scope="module")
def document():
    return SchemaGenerator().get_schema(request=None, public=True)


def _properties(document, name):
    return document["components"]["schemas"][name]["properties"]


def test_every_tenant_operation_documents_the_error_envelope_answers(document):
    operations = [
        (path, method, operation)
        for path, item in document["paths"].items()
        if path.startswith(TENANT_PATH_PREFIX)
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    assert len(operations) > 100
    for path, method, operation in operations:
        responses = operation["responses"]
        expected = {"401", "403", "404", "429"} | ({"400", "409"} if method != "get" else set())
        expected |= {"415"} if "requestBody" in operation else set()
        assert expected <= set(responses), f"{method.upper()} {path} documents {sorted(responses)}"
        assert responses["401"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_the_error_envelope_has_type_code_detail_and_attr(document):
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["type", "code", "detail", "attr"]
    assert error["properties"]["type"]["enum"] == ["validation_error", "client_error", "server_error"]
    assert error["properties"]["attr"]["nullable"] is True


def test_a_list_with_filters_documents_its_validation_error_and_the_throttles_retry_after(document):
    responses = document["paths"]["/api/v1/t/{tenant_slug}/partners/"]["get"]["responses"]
    assert "400" in responses
    assert "Retry-After" in responses["429"]["headers"]


def test_a_blank_url_of_a_read_only_model_field_may_be_an_empty_string(document):
    video_url = _properties(document, "CourseModuleOutput")["video_url"]
    assert {"type": "string", "maxLength": 0} in video_url["oneOf"]
    assert {"type": "string", "format": "uri"} in video_url["oneOf"]


def test_a_blank_choice_of_a_read_only_model_field_may_be_an_empty_string(document):
    partner_type = _properties(document, "LeadOutput")["partner_type"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in partner_type["oneOf"]


def test_a_month_is_a_year_and_month_not_a_date(document):
    month = _properties(document, "CustomerRevenueOutput")["month"]
    assert "format" not in month
    assert month["pattern"] == r"^\d{4}-\d{2}$"


def test_a_content_items_minimum_tier_may_be_null(document):
    assert _properties(document, "ContentItemOutput")["min_tier"]["nullable"] is True
