"""The fuzz's own check must catch what it is there for: a foreign id in a body or a header."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.fuzz.harness import Identity, foreign_ids_check, tenant_schema_document

FOREIGN = "0b9e3c1a-7f4d-4c2e-9a51-3d2b8e6f1c07"
OWN = "5d1f0e2b-8c3a-4f6d-b7e9-2a4c6e8f0b13"


def answer(text: str, *, url: str = "http://localhost/api/v1/t/alpha/partners/", headers=None):
    return SimpleNamespace(text=text, headers=headers or {}, request=SimpleNamespace(url=url, body=None))


@pytest.fixture
def check():
    return foreign_ids_check(Identity("partner", foreign_ids=frozenset({FOREIGN})))


def test_a_foreign_id_in_the_body_fails(check):
    with pytest.raises(AssertionError, match=FOREIGN):
        check(None, answer(f'{{"results": [{{"id": "{FOREIGN}"}}]}}'), None)


def test_a_foreign_id_in_a_header_fails(check):
    with pytest.raises(AssertionError, match=FOREIGN):
        check(None, answer("", headers={"Location": f"/api/v1/t/alpha/partners/{FOREIGN}/"}), None)


def test_own_ids_pass(check):
    assert check(None, answer(f'{{"id": "{OWN}"}}'), None) is None


def test_an_id_the_request_named_may_be_echoed(check):
    # a validation error may repeat the caller's own input; that is not a leak
    echoed = answer(f'{{"detail": "No partner {FOREIGN}."}}', url=f"http://localhost/api/v1/t/alpha/leads/?partner={FOREIGN}")
    assert check(None, echoed, None) is None


def test_the_document_is_the_tenant_api_with_the_slug_fixed():
    document = tenant_schema_document("alpha")
    assert "/api/v1/t/alpha/partners/" in document["paths"]
    assert all(path.startswith("/api/v1/t/alpha/") for path in document["paths"])
    parameters = [
        p for item in document["paths"].values() for op in item.values() if isinstance(op, dict) for p in op.get("parameters", [])
    ]
    assert not any(p["name"] == "tenant_slug" for p in parameters)
