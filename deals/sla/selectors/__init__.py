"""Measuring the program's SLAs from the timestamps the platform records anyway.

**Instances.** Each SLA kind measures one interaction; an *instance* starts at a recorded moment
and is answered at another. The period (default: the last 90 days, both ends inclusive, in the
site's time zone) selects instances by the moment they *started*.

==========================  ======================================  ======================================  ================
kind                        starts                                  answered                                attributed to
==========================  ======================================  ======================================  ================
registration_decision       ``DealRegistration.submitted_at``        first decision *approved* or            registering
(vendor owes)                                                       *rejected* (``RegistrationDecision``)   partner
lead_answer                 ``LeadOffer.offered_at``                ``responded_at`` of an *accepted* or    offered partner
(partner owes)                                                      *declined* offer
cosell_answer               ``DealParticipant.invited_at``          ``responded_at`` of an *accepted* or    invited partner
(partner owes)                                                      *declined* invitation
extension_decision          ``RegistrationExtension.requested_at``  ``decided_at`` (granted or declined)    requesting
(vendor owes)                                                                                               partner
appeal_decision             ``RegistrationAppeal.submitted_at``     ``decided_at`` (upheld or overturned)   appealing
(vendor owes)                                                                                               partner
==========================  ======================================  ======================================  ================

Not measured: a registration approved automatically (nobody had to decide), one withdrawn or
released before any decision; a lead offer withdrawn by the vendor (or because the partner left);
the registering partner's own *sourcing* row, a partner a manager put on a team directly (answered
the moment it was made: ``responded_at <= invited_at``) and a participant later *removed* (its
``responded_at`` is the removal's). Asking the partner for information does not stop the
registration's clock.

**Status** of an instance at ``now``, with ``due = start + target hours`` (wall-clock hours:
nights, weekends and holidays count):

* *met*: answered at or before ``due`` (exactly at the target is met);
* *breached*: answered after ``due``, or closed unanswered (a lead offer that *expired*);
* *open within*: not answered and ``now <= due``;
* *open overdue*: not answered and ``now > due``. It is a breach too.

**Figures** per SLA, for the program and per partner: instances (count), *breaches* (breached +
open overdue), *attainment* = met / (met + breached + open overdue) (open-within instances are
not decided yet and count in neither side), and the median and 90th percentile of the *response
hours* (answered − started, answered instances only; ``percentile_cont``, interpolated).

All of it is computed in PostgreSQL: each kind is one SELECT of its instances, the kinds are one
``UNION ALL``, and status, counts (``FILTER``) and percentiles (``percentile_cont … WITHIN GROUP``)
are aggregated over ``GROUPING SETS`` (per partner, and the program) in the same statement: one
query for every figure, whatever the number of rows. A partner user's scope reads only its own
rows (row-level security); the selectors filter on its organisation as well.
"""

from .breaches import BreachList, SlaInstance, sla_breaches, sla_items_due_soon
from .measure import BREACH_STATUSES, BREACHED, DEFAULT_PERIOD_DAYS, MET, OPEN_OVERDUE, OPEN_WITHIN, STATUS_LABELS, SlaPeriod
from .report import SlaFigures, SlaReport, access_sla_definition, sla_partner, sla_report

__all__ = [
    "BREACHED",
    "BREACH_STATUSES",
    "DEFAULT_PERIOD_DAYS",
    "MET",
    "OPEN_OVERDUE",
    "OPEN_WITHIN",
    "STATUS_LABELS",
    "BreachList",
    "SlaFigures",
    "SlaInstance",
    "SlaPeriod",
    "SlaReport",
    "access_sla_definition",
    "sla_breaches",
    "sla_items_due_soon",
    "sla_partner",
    "sla_report",
]
