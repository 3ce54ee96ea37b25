"""Writing business plans. Every change goes through here, in one transaction with one audit row.

Who edits what (the pages and the API offer exactly this; docs/business-plans.md says it to users):

* **Vendor editors** (owner, partner manager) create a plan, edit its title, period and owners,
  set goals (metric, target, and the actual of the metrics the vendor enters: MDF spend, customer
  retention), record quarterly reviews, and close the plan. Targets are the vendor's alone.
* **Both sides** — vendor editors and the admins of a partner on the plan's team — edit the shared
  status (health and note; who and when are recorded) and create and update initiatives. A partner
  admin names the partner owner (a user of their own organisation), never the vendor owner; only
  the vendor removes an initiative.
* Analysts and partner reps read. A closed plan changes no more.

Services take ``partner_id``: the caller's partner organisation, or ``None`` for vendor staff and
API keys. A partner that is not on the plan's team gets "not found", like any foreign id.

The package keeps one public surface (``from partners.plans import services``); the code lives by topic:

- :mod:`.checks`: amounts, text, periods, owners and the locked plan, which every service shares;
- :mod:`.plans`: the plan itself (create, update, close) and its shared status;
- :mod:`.work`: goals, initiatives and quarterly reviews.
"""

from __future__ import annotations

from .checks import INITIATIVE_FIELDS, MAX_AMOUNT, MAX_PERIOD_DAYS, PLAN_FIELDS, QUARTER
from .plans import plan_close, plan_create, plan_update, status_update
from .work import (
    goal_add,
    goal_remove,
    goal_update,
    initiative_create,
    initiative_remove,
    initiative_update,
    review_record,
)

__all__ = [
    "INITIATIVE_FIELDS",
    "MAX_AMOUNT",
    "MAX_PERIOD_DAYS",
    "PLAN_FIELDS",
    "QUARTER",
    "goal_add",
    "goal_remove",
    "goal_update",
    "initiative_create",
    "initiative_remove",
    "initiative_update",
    "plan_close",
    "plan_create",
    "plan_update",
    "review_record",
    "status_update",
]
