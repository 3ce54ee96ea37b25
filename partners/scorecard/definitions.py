"""What every scorecard figure means, in one place: the page's info toggles, the API's ``definition``
fields and docs/scorecard.md all read :data:`DEFINITIONS`.

Each entry: ``label`` (the card's title), ``unit`` (how the value is written: ``count``, ``money`` in
the program currency, ``percent``, ``days``, ``score`` 0–100, ``psat`` 1–5, ``nps`` −100…100,
``ratio``) and ``definition`` (one sentence a partner can read). A period is two dates, both included;
"the period before" is the same span just before it (the previous quarter for a quarter).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

SECTIONS: dict[str, object] = {
    "deals": _("Deal registrations and revenue"),
    "attribution": _("Attribution"),
    "satisfaction": _("Satisfaction (PSAT)"),
    "mdf": _("Market development funds"),
    "enablement": _("Certifications and training"),
}

DEFINITIONS: dict[str, dict[str, object]] = {
    # deals
    "registrations_submitted": {
        "section": "deals",
        "label": _("Registrations submitted"),
        "unit": "count",
        "definition": _("Deal registrations the partner submitted in the period, whatever happened to them after."),
    },
    "registrations_approved": {
        "section": "deals",
        "label": _("Registrations approved"),
        "unit": "count",
        "definition": _(
            "Registrations decided in the period and not rejected (approved at the decision, whatever happened after)."
        ),
    },
    "approval_rate": {
        "section": "deals",
        "label": _("Approval rate"),
        "unit": "percent",
        "definition": _(
            "Approved ÷ (approved + rejected) of the registrations decided in the period; none when nothing was decided."
        ),
    },
    "deals_won": {
        "section": "deals",
        "label": _("Deals won"),
        "unit": "count",
        "definition": _("The partner's registrations closed won with a close date in the period."),
    },
    "revenue_won": {
        "section": "deals",
        "label": _("Closed-won revenue"),
        "unit": "money",
        "definition": _(
            "The closed amount (else the estimated value) of those wins, in the program currency at the rate of the close "
            "date; a win whose currency has no rate on that date counts as a win with no revenue."
        ),
    },
    "win_rate": {
        "section": "deals",
        "label": _("Win rate"),
        "unit": "percent",
        "definition": _("Won ÷ (won + lost) of the registrations closed in the period; none when nothing closed."),
    },
    "velocity_days": {
        "section": "deals",
        "label": _("Days to close (median)"),
        "unit": "days",
        "definition": _("The median number of days from submission to close of the deals won in the period."),
    },
    "open_pipeline": {
        "section": "deals",
        "label": _("Open pipeline"),
        "unit": "money",
        "definition": _(
            "Today's estimated value of the partner's registrations that are approved or waiting for a decision and in an "
            "open stage, in the program currency at today's rate. A state, not a period figure: no previous value."
        ),
    },
    # attribution
    "sourced_revenue": {
        "section": "attribution",
        "label": _("Partner-sourced revenue"),
        "unit": "money",
        "definition": _(
            "Won deals closed in the period that the partner registered, whose registration was approved, that closed "
            "within its protection and that the vendor's direct sales had not worked first: their value at the close-date "
            "rate (the attribution rules)."
        ),
    },
    "influenced_revenue": {
        "section": "attribution",
        "label": _("Partner-influenced revenue"),
        "unit": "money",
        "definition": _(
            "Won deals closed in the period that the partner did not source but touched: a touchpoint of the partner on "
            "the customer account in the 90 days before the close, close day included. Their full value."
        ),
    },
    "credited_revenue": {
        "section": "attribution",
        "label": _("Attributed revenue"),
        "unit": "money",
        "definition": _(
            "The partner's credit in the latest attribution run for the deals won in the period, under the run's model "
            "(linear when it has it): each of its touches' share of the deal × the deal's value. Deals outside the run's "
            "own period are not in it."
        ),
    },
    # satisfaction
    "psat_mean": {
        "section": "satisfaction",
        "label": _("PSAT"),
        "unit": "psat",
        "definition": _("The mean of every 1–5 answer of the partner's people to surveys they answered in the period."),
    },
    "nps": {
        "section": "satisfaction",
        "label": _("NPS"),
        "unit": "nps",
        "definition": _(
            '% promoters (9 or 10) − % detractors (0 to 6) of the partner\'s answers to "how likely to recommend" in the '
            "period, from −100 to 100; each respondent counts once per survey."
        ),
    },
    "survey_responses": {
        "section": "satisfaction",
        "label": _("Survey responses"),
        "unit": "count",
        "definition": _("Survey responses of the partner's people submitted in the period."),
    },
    # MDF
    "mdf_approved": {
        "section": "mdf",
        "label": _("MDF approved"),
        "unit": "money",
        "definition": _(
            "The approved amounts of the partner's fund requests decided in the period (approved in full or in part)."
        ),
    },
    "mdf_claimed": {
        "section": "mdf",
        "label": _("MDF claimed"),
        "unit": "money",
        "definition": _("The amounts of the claims the partner filed in the period, whatever their outcome."),
    },
    "mdf_paid": {
        "section": "mdf",
        "label": _("MDF paid"),
        "unit": "money",
        "definition": _("The approved amounts of the partner's claims marked paid in the period."),
    },
    "mdf_ropi": {
        "section": "mdf",
        "label": _("ROPI"),
        "unit": "ratio",
        "definition": _(
            "Return on the partner's funded campaigns that started in the period: closed-won revenue of the registrations "
            "tagged with them (in the program currency, whenever they closed) ÷ their spend (approved claims); none while "
            "nothing was spent."
        ),
    },
    # enablement
    "certified_people": {
        "section": "enablement",
        "label": _("Certified people"),
        "unit": "count",
        "definition": _(
            "People of the partner holding a certification valid on the period's last day (issued, not expired, not revoked)."
        ),
    },
    "certifications_expiring": {
        "section": "enablement",
        "label": _("Certifications expiring"),
        "unit": "count",
        "definition": _("Of the certifications valid on the period's last day, those that expire in the 60 days after it."),
    },
    "courses_completed": {
        "section": "enablement",
        "label": _("Courses completed"),
        "unit": "count",
        "definition": _("Courses a person of the partner passed for the first time in the period."),
    },
    # standing (not period figures)
    "health_score": {
        "section": "standing",
        "label": _("Health score"),
        "unit": "score",
        "definition": _(
            "The program's latest health score for the partner, 0–100: six components (engagement, enablement, pipeline, "
            'revenue, satisfaction, compliance) weighted into the total. "What moved" is the change of each component\'s '
            "points since the score before; the actions are what would raise it most."
        ),
    },
    "churn_risk": {
        "section": "standing",
        "label": _("Inactivity risk"),
        "unit": "ratio",
        "definition": _(
            "The program's latest estimate that the partnership goes quiet in the coming 90 days (a probability from the "
            "model, or a 0–1 rule score). Shown only when the program lets partners see it."
        ),
    },
    "tier": {
        "section": "standing",
        "label": _("Tier"),
        "unit": "text",
        "definition": _("The partner's tier today, the next tier up and the rules of the next tier it does not meet yet."),
    },
}

PERIOD_FIGURES = tuple(key for key, entry in DEFINITIONS.items() if entry["section"] in SECTIONS)
