"""After submission: a registration's decisions, stages, appeals, extensions, expiry and release.

Every service here follows one shape (the contract other parts of the deals app call):

* keyword-only, ``tenant`` first, the ``actor`` explicit (a user or an API key);
* one transaction that locks the registration row first (``select_for_update``), so two managers
  deciding at once take turns and the second sees the first's outcome;
* one :class:`~deals.models.RegistrationDecision` row citing the rule that made the decision (a
  stable code such as ``manager_approval``, ``protection_expired``, ``appeal_overturned``) and a
  reason the partner may read (never naming another partner), and one audit row;
* claims kept right: a registration that stops being active gives up its product lines
  (:func:`~deals.registrations.claims_release`); one that becomes approved holds them, and if
  another registration holds them already the approval fails with a :class:`ConflictError` that
  names nobody;
* emails only after commit (:mod:`deals.notifications`).

Services a partner calls take ``partner_id`` and answer 404 for a registration of another
organisation, exactly as for one that does not exist.

The services live in submodules by topic and are imported from here (``from deals.workflow import
registration_approve``): :mod:`.decisions` (approve, reject, ask for and give information),
:mod:`.stages` (stages, closing, withdrawal), :mod:`.appeals`, :mod:`.extensions`, :mod:`.expiry`
(the daily sweep), :mod:`.release` (a retiring partner's registrations) and :mod:`.steps`, the
private steps they share (``deals.takeover`` decides with them too).
"""

from __future__ import annotations

from .appeals import appeal_decide, appeal_reviewer, appeal_submit
from .decisions import registration_approve, registration_provide_info, registration_reject, registration_request_info
from .expiry import protection_expiry_sweep
from .extensions import extension_decide, extension_request
from .release import registration_release_for_retired_partner
from .stages import registration_update_stage, registration_withdraw
from .steps import REASON_MAX, RELEASABLE, _clean_text, _decide, _lock

__all__ = [
    "REASON_MAX",
    "RELEASABLE",
    "_clean_text",  # the shared steps deals.takeover decides with
    "_decide",
    "_lock",
    "appeal_decide",
    "appeal_reviewer",
    "appeal_submit",
    "extension_decide",
    "extension_request",
    "protection_expiry_sweep",
    "registration_approve",
    "registration_provide_info",
    "registration_reject",
    "registration_release_for_retired_partner",
    "registration_request_info",
    "registration_update_stage",
    "registration_withdraw",
]
