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
