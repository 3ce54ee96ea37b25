"""Joint solution pages: the vendor's catalogue (list, create, edit, detail with figures and decisions) and the
partner's (catalogue of solutions in market, its own solutions, proposing one, invitations to answer).

Every action calls :mod:`partners.solutions.services`, the API does too, so both refuse alike. A
partner reads another partner's solution only as a catalogue entry (public fields) once it is in market.

The package keeps the surface ``urls.py`` routes to (``from . import views``); the code lives by portal:

- :mod:`.vendor`: the vendor's pages (and the joint solution of a lead or of a registration's team);
- :mod:`.partner`: the partner's pages;
- :mod:`.common`: what both share.
"""

from __future__ import annotations

from .common import PAGE_SIZE
from .partner import (
    invitation_accept,
    invitation_decline,
    partner_component_add,
    partner_component_remove,
    partner_detail,
    partner_edit,
    partner_invitations,
    partner_list,
    partner_propose,
    partner_submit,
)
from .vendor import (
    component_add,
    component_remove,
    lead_solution,
    registration_team,
    solution_approve,
    solution_create,
    solution_decline,
    solution_detail,
    solution_edit,
    solution_list,
    solution_retire,
)

__all__ = [
    "PAGE_SIZE",
    "component_add",
    "component_remove",
    "invitation_accept",
    "invitation_decline",
    "lead_solution",
    "partner_component_add",
    "partner_component_remove",
    "partner_detail",
    "partner_edit",
    "partner_invitations",
    "partner_list",
    "partner_propose",
    "partner_submit",
    "registration_team",
    "solution_approve",
    "solution_create",
    "solution_decline",
    "solution_detail",
    "solution_edit",
    "solution_list",
    "solution_retire",
]
