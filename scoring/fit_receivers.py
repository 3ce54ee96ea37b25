"""Signal receiver: a submitted (or re-submitted) application is scored against the profile soon after.

Connected in :meth:`scoring.apps.ScoringConfig.ready` to ``post_save`` of ``PartnerApplication``.
Scoring writes ``fit_score`` with ``bulk_update`` (no signal), and saves that touch none of the
traits (a merged note, a decision) ask for nothing.
"""

from __future__ import annotations

from ecosystem.jobs.tasks import enqueue_on_commit

# Saves of these fields can change the score; ``status`` because a re-opened application is scored again.
SCORED_FIELDS = frozenset({"partner_type", "capabilities", "regions", "country", "expected_deal_volume", "status"})


def application_saved(sender, instance, created: bool = False, raw: bool = False, using: str = "default", **kwargs) -> None:
    """``post_save`` on PartnerApplication: after the commit, score it if it is waiting for review."""
    from onboarding.models import ApplicationStatus

    from .fit_tasks import fit_application_score_task

    if raw or instance.status != ApplicationStatus.SUBMITTED:
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and not (set(update_fields) & SCORED_FIELDS):
        return
    enqueue_on_commit(fit_application_score_task, instance.tenant_id, instance.pk, using=using)
