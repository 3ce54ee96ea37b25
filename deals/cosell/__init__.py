"""Co-selling: several partners on one deal registration, each in a role, each seeing only what it needs.

The rules, in one place:

* The **team** of a registration is the registering partner (role *sourcing*) plus every partner
  whose participation is *accepted*. A partner joins when it accepts another partner's invitation
  (:func:`cosell_invite`, :func:`cosell_respond`) or when a manager puts it on the team
  (:func:`cosell_assign`). A manager or the registering partner takes it off (:func:`cosell_remove`).
* Row-level security reads ``team_partner_ids``: on the registration, the team; on each
  participant row, the team plus the participant itself while it is *invited* (so it can read its
  invitation and nothing else). :func:`_team_sync` recomputes both from the participant rows in the
  same transaction as every change, under a row lock on the registration, so the arrays are always
  exactly what the rows say.
* A registration that stops being active (rejected, expired, won, lost, withdrawn, released, taken
  over, back under review) keeps no open invitations: the workflow closes them in the same transaction
  (:func:`cosell_invitations_close`). Accepted partners stay on the team and keep reading the
  ended deal: it is their history too.
* What a co-selling partner may read of the deal is :class:`CoSellDeal`: customer, stage, expected
  close, product lines, solution, the team and its own role. Never the value, notes, contact
  details, conflicts or decisions of the registering partner: those stay on the registration,
  which the selectors below never hand to a co-seller.
* Other partners' rows (the invitee's organisation, its admins, the invitation an invitee cannot
  read yet) are read with :func:`~ecosystem.tenancy.context.across_partners`, each with its reason,
  and only the fields above come back.
"""

from .selectors import (
    CoSellDeal,
    TeamMember,
    access_cosell_deal,
    access_invitation,
    access_own_registration,
    access_participant,
    cosell_deals_for_partner,
    cosell_team,
    invitable_partner,
    invitable_partners,
    invitation_detail,
    invitations_for_partner,
)
from .services import cosell_assign, cosell_invitations_close, cosell_invite, cosell_remove, cosell_respond
from .team import COSELL_PARTNER_STATUSES, INVITABLE_ROLES, ON_THE_TEAM

__all__ = [
    "COSELL_PARTNER_STATUSES",
    "INVITABLE_ROLES",
    "ON_THE_TEAM",
    "CoSellDeal",
    "TeamMember",
    "access_cosell_deal",
    "access_invitation",
    "access_own_registration",
    "access_participant",
    "cosell_assign",
    "cosell_deals_for_partner",
    "cosell_invitations_close",
    "cosell_invite",
    "cosell_remove",
    "cosell_respond",
    "cosell_team",
    "invitable_partner",
    "invitable_partners",
    "invitation_detail",
    "invitations_for_partner",
]
