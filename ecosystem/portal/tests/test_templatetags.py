import pytest

from ecosystem.portal.templatetags.portal_tags import audit_change


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (["active", "at_risk"], "active → at_risk"),
        ([None, "Acme"], "Acme"),
        (["", "acme.example"], "— → acme.example"),
        ("write", "write"),
        (None, "—"),
        (
            ["0b1c5f1e-8a6a-4e6c-9d4b-0c1f8e2a7b11", "9f0c5f1e-8a6a-4e6c-9d4b-0c1f8e2a7b22"],
            "0b1c5f1e-8a6a-4e6c-9d4b-0c1f8e2a7b11, 9f0c5f1e-8a6a-4e6c-9d4b-0c1f8e2a7b22",
        ),
    ],
)
def test_audit_changes_read_as_before_and_after(value, shown):
    assert audit_change(value) == shown
