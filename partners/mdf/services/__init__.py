"""Market development funds: every write. The money rules are in :mod:`partners.mdf.models`.

* **Budgets and allocations** (staff): :func:`budget_create`, :func:`budget_update`,
  :func:`allocation_set`. A budget never drops below what its requests already hold.
* **Requests** (partners): :func:`request_submit` checks the input and that the planned spend fits
  the partner's remaining funds of the quarter the campaign starts in (``exceeds_available_funds``).
* **Decisions** (staff): :func:`request_decide` approves, partially approves or rejects. It locks
  the budget row first (``select_for_update``), so approvals of one quarter run one after the other,
  then the request and the partner's allocation rows, and approves at most the smaller of the
  partner's remaining funds and the budget's remaining. The loser of two simultaneous approvals
  against the last of a budget gets a ``ConflictError`` (409, ``insufficient_funds``); the budget is
  never overspent.
* **Claims** (partners, then staff): :func:`claim_submit` (an approved campaign, at most the
  approved amount, at least one evidence file checked by type, size and first bytes),
  :func:`claim_decide` (approved → payable, or rejected with a reason), :func:`claim_mark_paid`
  (the campaign is then *completed*).

Every mutation writes one audit row (``mdf.*``) in its transaction; emails leave after commit:
the managers hear of new requests and claims, the partner's admins of every decision.

The package keeps one public surface (``from partners.mdf import services``); the code lives by topic:
:mod:`.checks` (input, currency, quarters), :mod:`.funds`, :mod:`.emails`, :mod:`.budgets`,
:mod:`.requests` and :mod:`.claims`.
"""

from __future__ import annotations

from .budgets import allocation_set, budget_create, budget_update
from .checks import (
    EVIDENCE_EXTENSIONS,
    EVIDENCE_MAX_BYTES,
    MAX_AMOUNT,
    MAX_EVIDENCE_FILES,
    REQUESTING_STATUSES,
    Decision,
    budget_for_day,
    program_currency,
    quarter_of,
)
from .claims import claim_decide, claim_mark_paid, claim_submit
from .funds import Funds, budget_committed, partner_funds
from .requests import clean_request, request_decide, request_submit

__all__ = [
    "EVIDENCE_EXTENSIONS",
    "EVIDENCE_MAX_BYTES",
    "MAX_AMOUNT",
    "MAX_EVIDENCE_FILES",
    "REQUESTING_STATUSES",
    "Decision",
    "Funds",
    "allocation_set",
    "budget_committed",
    "budget_create",
    "budget_for_day",
    "budget_update",
    "claim_decide",
    "claim_mark_paid",
    "claim_submit",
    "clean_request",
    "partner_funds",
    "program_currency",
    "quarter_of",
    "request_decide",
    "request_submit",
]
