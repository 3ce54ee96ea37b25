"""Isolation matrix rows for campaign tagging of leads and the weekly summary's settings page.

The lead is the matrix's lead offered to partner 1 (its id is among partner 1's): partner 2's users get
404 on every tagging route. The weekly summary's page is staff-only: partner users get 404, and the
other tenant's people too.
"""

from __future__ import annotations

from tests.isolation.routes import Route, no_ids


def _lead(o: dict) -> dict:
    return {"lead_id": o["lead"]}


def _api_lead(o: dict) -> dict:
    return {"public_id": o["lead"]}


ROUTES: dict[str, Route] = {
    # campaign tagging of leads
    "leads:campaign": Route(_lead, ("POST",), partner_owned=True),
    "partner_leads:campaign": Route(_lead, ("POST",), partner_owned=True),
    "api:lead-campaign": Route(_api_lead, ("POST",), partner_owned=True),
    "api:my-lead-campaign": Route(_api_lead, ("POST",), partner_owned=True),
    # the weekly program summary: vendor staff only
    "economics:summary_settings": Route(no_ids, ("GET", "POST")),
    "api:weekly-summary-settings": Route(no_ids, ("GET", "PUT")),
}


def objects(a) -> dict:
    """Nothing of its own: the rows probe the matrix's lead; the summary page has no ids."""
    return {}
