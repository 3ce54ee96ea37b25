"""Fixtures of the survey tests."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from partners.surveys import tasks


@pytest.fixture
def no_tasks(monkeypatch):
    """Record the tasks sent (survey announcements, health refreshes) instead of sending them to the broker."""
    from scoring import tasks as scoring_tasks

    sent = []
    monkeypatch.setattr(tasks.surveys_open_today, "apply_async", lambda args, **kw: sent.append(("open", args)))
    monkeypatch.setattr(scoring_tasks.health_score_refresh, "apply_async", lambda args, **kw: sent.append(("health", args)))
    cache.clear()
    return sent
