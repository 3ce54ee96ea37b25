from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


def _plain(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(item) for item in value) or "—"
    return str(value)


@register.filter
def audit_change(value: Any) -> str:
    """An audit ``changes`` value for people: ``[old, new]`` reads "old → new"; anything else as text."""
    if (
        isinstance(value, (list, tuple))
        and len(value) == 2
        and not all(isinstance(item, str) and len(item) == 36 for item in value)
    ):
        old, new = value
        return f"{_plain(new)}" if old is None else f"{_plain(old)} → {_plain(new)}"
    return _plain(value)
