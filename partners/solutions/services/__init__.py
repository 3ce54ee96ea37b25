"""Joint solutions: creating and proposing them, their components, and the way from draft to market.

The rules, in one place:

* **Who creates.** Vendor staff (owner, partner manager) create a solution (:func:`solution_create`),
  orchestrated by a vendor lead (a staff user) or by one partner organisation. A partner proposes
  one (:func:`solution_propose`): a draft whose ``proposed_by`` is its organisation, with its own
  component in it, orchestrated by itself or by another partner of the program.
* **Who manages.** Staff manage every solution. On the partner side the *managing partners* are the
  proposer and the orchestrating partner: their admins edit the details and the components while
  the solution is a draft, and submit it for approval.
* **Components.** One partner in one role, saying what it delivers. A component for another
  partner starts *invited*; that partner's admin accepts or declines it
  (:func:`component_respond`). The proposer's own component is *accepted* at once.
* **Lifecycle.** draft → proposed (:func:`solution_submit`) → in market (:func:`solution_approve`,
  a manager) → retired (:func:`solution_retire`). A manager may send a proposal back to draft with a
  reason the partner reads (:func:`solution_decline`). Staff may approve a draft directly (their
  own solutions need no proposal step). Submitting and approving are refused while the solution has
  no accepted component (``no_confirmed_component``) or while any invitation is still open
  (``invitations_open``): a solution goes to market with a team that has said yes, and an
  unanswered invitation would put a partner in the catalogue that never agreed. Declined
  components are ignored (and may be removed).
* **Who reads** (row-level security on ``team_partner_ids``): the proposer, the orchestrating
  partner and every component partner whose component is not declined, invited ones included so
  they can read what they are invited to. :func:`_team_sync` rewrites the arrays of the solution
  and of every component from the rows, in the same transaction as each change, with the solution
  row locked.
* A retired solution takes no new deal registration and no new lead (``deals.registrations``
  checks :func:`partners.solutions.selectors.solution_for_registration`).
* Every mutation writes one audit row (``solutions.*``); the invited partner's admins are emailed
  after commit.

The package keeps one public surface (``from partners.solutions import services``); the code lives by topic:

- :mod:`.checks`: the input (details, component roles, partners of the program);
- :mod:`.lifecycle`: creating, proposing and changing a solution, and submit, approve, decline, retire;
- :mod:`.components`: components (add, remove, answer), the team arrays and the invitation emails.
"""

from __future__ import annotations

from .checks import MAX_INDUSTRIES, SOLUTION_PARTNER_STATUSES, clean_details
from .components import component_add, component_remove, component_respond, managing_partner_ids
from .lifecycle import (
    solution_approve,
    solution_create,
    solution_decline,
    solution_propose,
    solution_retire,
    solution_submit,
    solution_update,
)

__all__ = [
    "MAX_INDUSTRIES",
    "SOLUTION_PARTNER_STATUSES",
    "clean_details",
    "component_add",
    "component_remove",
    "component_respond",
    "managing_partner_ids",
    "solution_approve",
    "solution_create",
    "solution_decline",
    "solution_propose",
    "solution_retire",
    "solution_submit",
    "solution_update",
]
