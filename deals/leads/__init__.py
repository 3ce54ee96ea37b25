"""Leads: the vendor hands a prospect to a partner, by hand or by routing, and the partner answers in time.

The life of a lead (``Lead.status``):

* ``new`` → a manager offers it to a partner they choose (:func:`lead_offer_manual`) or lets the
  routing choose (:func:`lead_route`, the rule is in :mod:`deals.routing`) → ``offered``; nobody
  fits → ``unmatched`` (the reason is in the audit row ``deals.lead_unmatched`` and on the page).
* ``offered`` → the partner accepts (``accepted``) or declines with a reason; a decline, or no
  answer by ``respond_by`` (:func:`lead_expire_sweep`, every 15 minutes), pulls the lead back and
  offers it to the next candidate at once. A partner who declined or let it expire is never offered
  that lead again.
* ``accepted`` → the partner converts it into a deal registration (:func:`lead_convert`) →
  ``converted``, linked to the registration.
* A manager may withdraw it at any time before conversion (``withdrawn``).

Invariants, kept in one transaction with the lead's row locked: ``Lead.offered_to`` and
``Lead.respond_by`` mirror the one open ``LeadOffer`` (the partial unique index allows one per
lead); a lead is readable by the partner in ``offered_to`` only (row-level security), so a
partner loses sight of a lead the moment it is pulled back. Every change writes an audit row;
the offered partner's admins are emailed after commit.
"""

from .answers import lead_accept, lead_convert, lead_decline
from .intake import MAX_VALUE, clean_lead, lead_campaign_set, lead_create, lead_solution_set
from .offers import OFFERABLE, lead_offer_manual, lead_route
from .selectors import (
    PARTNER_VISIBLE,
    access_lead,
    lead_offers,
    leads_for_partner,
    leads_for_staff,
    partners_to_offer,
    unmatched_reason,
)
from .sweep import lead_expire_sweep, lead_withdraw, leads_release_for_retired_partner

__all__ = [
    "MAX_VALUE",
    "OFFERABLE",
    "PARTNER_VISIBLE",
    "access_lead",
    "clean_lead",
    "lead_accept",
    "lead_campaign_set",
    "lead_convert",
    "lead_create",
    "lead_decline",
    "lead_expire_sweep",
    "lead_offer_manual",
    "lead_offers",
    "lead_route",
    "lead_solution_set",
    "lead_withdraw",
    "leads_for_partner",
    "leads_for_staff",
    "leads_release_for_retired_partner",
    "partners_to_offer",
    "unmatched_reason",
]
