"""What each dashboard figure means, in the words the page shows next to it (and docs/insights.md).

The keys are the figures' names; :mod:`attribution.insights.selectors` computes them and its tests
check each on a small dataset computed by hand.
"""

from django.utils.translation import gettext_lazy as _

DEFINITIONS = {
    "sourced": _(
        "Closed-won value of the registrations a partner of the selection sourced, closed in the period: its "
        "registration was approved, the deal closed inside the protection window, and no direct opportunity "
        "existed on the account before it was submitted. At most one source per deal."
    ),
    "influenced": _(
        "Closed-won value of the deals (any partner's or direct) that a partner of the selection touched in the "
        "90 days up to the close, other than the deal's source. A deal counts once, however many partners "
        "touched it; it may also be sourced."
    ),
    "touched": _("Closed-won value of the deals sourced or influenced by a partner of the selection, each deal once."),
    "won": _(
        "Closed-won value of every registration closed in the period. Amounts are converted into the program "
        "currency at the close-date rate; a deal whose currency has no rate then is left out and counted apart."
    ),
    "ropi": _(
        "Return on partner investment: partner-sourced revenue of the period ÷ the partner program costs entered "
        "for its quarter (partner team, MDF, incentives, tools). 3.5 reads 3.50 of revenue for each 1 invested."
    ),
    "mdf": _(
        "MDF campaigns starting in the period: funds approved, spend (approved and paid claims), won revenue of "
        "the registrations tagged with them, and their ROPI = that revenue ÷ that spend."
    ),
    "psat": _(
        "Partner satisfaction of the answers submitted in the period: PSAT is the mean of the 1–5 answers; NPS is "
        "% promoters (9–10) − % detractors (0–6) of the 0–10 answers."
    ),
    "cac": _(
        "Customer acquisition cost of the quarter: partner program costs ÷ new partner-managed customers, next "
        "to direct-sales costs ÷ new direct customers. A new customer is an account whose first revenue month "
        "falls in the quarter. Costs are the program's: the partner filters do not narrow them."
    ),
    "retention": _(
        "Net revenue retention: this month's revenue of the customers that paid 12 months earlier ÷ their revenue "
        "then (expansion counts, new customers do not). Gross retention caps each customer at its old revenue. "
        "Partner-managed: the customers a partner of the selection managed 12 months earlier."
    ),
    "cltv": _(
        "Customer lifetime value contribution: all revenue recorded for the customers while a partner managed "
        "them, per partner, top five."
    ),
    "active": _(
        "Partners of the program (onboarding, active or at risk) that show each chosen signal — a login, a deal "
        "registration, a completed training — in the chosen number of days up to the period's last day, ÷ all "
        "partners of the program."
    ),
    "pipeline": _(
        "Registrations submitted in the period and their value (pipeline created); approval rate = approved ÷ "
        "decided of those; open pipeline = the value of approved registrations not closed yet, today. Values "
        "are converted at the rate of the period's last day."
    ),
    "velocity": _(
        "Median days from a registration's submission to its close, over the deals won in the period; win rate "
        "= won ÷ (won + lost) of the deals closed in the period."
    ),
    "time_to_value": _(
        "Median days from a partner's start to its first closed-won deal, over the partners whose first win "
        "closed in the period. The start is the first time it became active (else when it was created), or its "
        "first deal registration when that came earlier (a partner imported with its history)."
    ),
    "tiers": _("Partners of the program in the selection per tier, today."),
    "at_risk": _(
        "From churn prediction: partners of the program whose latest predicted risk is at or above the program's "
        "threshold, open churn alerts, and partners marked at risk."
    ),
}
