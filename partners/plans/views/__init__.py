"""Business plan pages: the vendor's list (filters, CSV), new plan, plan page (goals and chart, initiatives,
status, reviews) and its forms; the partner's list and the same plan page, where it edits the status and
initiatives.

Every change calls :mod:`partners.plans.services`, so the pages and the API refuse alike. A partner
reaches only the plans its organisation is on the team of (row-level security and the selectors).

The package keeps the surface ``urls.py`` routes to (``from . import views``); the code lives by topic:

- :mod:`.plans`: the lists and CSV, new, edit and close, and the plan page with its shared status;
- :mod:`.work`: initiatives, goals and quarterly reviews.
"""

from __future__ import annotations

from .plans import (
    PAGE_SIZE,
    PERIOD_CHOICES,
    my_plan,
    my_plan_status,
    my_plans,
    plan_close,
    plan_create,
    plan_detail,
    plan_edit,
    plan_export,
    plan_list,
    plan_status,
)
from .work import (
    goal_add,
    goal_edit,
    goal_remove,
    initiative_add,
    initiative_edit,
    initiative_remove,
    my_initiative_add,
    my_initiative_edit,
    review_add,
)

__all__ = [
    "PAGE_SIZE",
    "PERIOD_CHOICES",
    "goal_add",
    "goal_edit",
    "goal_remove",
    "initiative_add",
    "initiative_edit",
    "initiative_remove",
    "my_initiative_add",
    "my_initiative_edit",
    "my_plan",
    "my_plan_status",
    "my_plans",
    "plan_close",
    "plan_create",
    "plan_detail",
    "plan_edit",
    "plan_export",
    "plan_list",
    "plan_status",
    "review_add",
]
