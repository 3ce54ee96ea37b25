import pytest
from django.core.management import call_command


def test_the_openapi_document_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    assert "/api/v1/t/{tenant_slug}/partners/" in text
    assert "bearerFormat: prm_<prefix>_<secret>" in text


@pytest.mark.django_db
def test_the_docs_page_loads_its_assets_from_this_server_only(client):
    response = client.get("/api/v1/docs/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in body
    assert "cdn." not in body and "unpkg" not in body and "jsdelivr" not in body


def _operation(document: dict, method: str, path: str) -> dict:
    return document["paths"]["/api/v1/t/{tenant_slug}/" + path][method]


def test_idempotency_key_is_a_documented_header_where_it_is_honoured_and_nowhere_else():
    from ecosystem.api.tests.test_api_completeness import openapi

    document = openapi()

    def header(operation):
        return next((p for p in operation.get("parameters", []) if p["in"] == "header" and p["name"] == "Idempotency-Key"), None)

    registration = _operation(document, "post", "my-registrations/")
    parameter = header(registration)
    assert parameter is not None and not parameter.get("required", False)
    assert parameter["schema"]["maxLength"] == 255
    assert "422" in registration["responses"]
    assert "Idempotent-Replayed" in registration["responses"]["201"]["headers"]
    for method, path in [("post", "leads/"), ("post", "deal-imports/"), ("post", "partner-contacts/")]:
        assert header(_operation(document, method, path)) is not None, path
    # not honoured: a key's plaintext is never kept for a replay; reads take no key
    for method, path in [("post", "api-keys/"), ("get", "partners/"), ("get", "my-registrations/")]:
        operation = _operation(document, method, path)
        assert header(operation) is None and "422" not in operation["responses"], path
