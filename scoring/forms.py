"""Scoring forms: the settings (six weights, the curves' parameters, churn and alerts) and interventions."""

from __future__ import annotations

import dataclasses

from django import forms
from django.utils.translation import gettext_lazy as _

from .health import score as engine
from .models import InterventionAction, InterventionOutcome, ScoringSettings
from .selectors import COMPONENT_LABELS

PARAMETER_LABELS = {
    "login_half_life_days": _("Engagement: login recency half-life (days)"),
    "logins_midpoint": _("Engagement: logins and portal actions in 30 days that score 50"),
    "engagement_recency_share": _("Engagement: share of recency (0–1)"),
    "certified_midpoint": _("Enablement: certified people that score 50"),
    "expiring_certification_credit": _("Enablement: credit of a certification about to expire (0–1)"),
    "courses_midpoint": _("Enablement: courses in 90 days that score 50"),
    "enablement_certified_share": _("Enablement: share of certifications (0–1)"),
    "registrations_midpoint": _("Pipeline: registrations in 90 days that score 50"),
    "velocity_midpoint_days": _("Pipeline: days to close that score 50"),
    "revenue_midpoint": _("Revenue: closed-won in 12 months that scores 50 (program currency)"),
    "revenue_trend_smoothing": _("Revenue: trend smoothing (program currency)"),
    "revenue_volume_share": _("Revenue: share of volume (0–1)"),
    "security_items_midpoint": _("Compliance: open security items that score 50"),
}
DEFAULTS = engine.HealthParameters()


class ScoringSettingsForm(forms.Form):
    inactive_after_days = forms.IntegerField(
        label=_("A partner is inactive after (days without a login, a registration or training)"), min_value=1, max_value=730
    )
    at_risk_threshold = forms.FloatField(label=_("At-risk threshold (churn probability)"), min_value=0, max_value=1)
    partners_see_churn = forms.BooleanField(label=_("Partners see their own churn probability"), required=False)
    alert_emails = forms.BooleanField(label=_("Email the managers about new at-risk partners"), required=False)
    alert_webhook_url = forms.URLField(
        label=_("At-risk webhook (https:// address, optional)"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Receives a signed JSON POST for each new at-risk alert (X-PRM-Signature, HMAC-SHA256)."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in engine.COMPONENTS:
            self.fields[f"weight_{name}"] = forms.FloatField(
                label=_("Weight: %(c)s") % {"c": COMPONENT_LABELS[name]}, min_value=0
            )
        for name, label in PARAMETER_LABELS.items():
            self.fields[name] = forms.FloatField(label=label, min_value=0)

    @classmethod
    def initial_for(cls, settings: ScoringSettings | None) -> dict:
        weights = {**engine.DEFAULT_WEIGHTS, **((settings.weights if settings else None) or {})}
        parameters = {name: getattr(DEFAULTS, name) for name in PARAMETER_LABELS}
        parameters.update((settings.parameters if settings else None) or {})
        return {
            "inactive_after_days": settings.inactive_after_days if settings else 90,
            "at_risk_threshold": settings.at_risk_threshold if settings else 0.5,
            "partners_see_churn": settings.partners_see_churn if settings else False,
            "alert_emails": settings.alert_emails if settings else True,
            "alert_webhook_url": settings.alert_webhook_url if settings else "",
            **{f"weight_{name}": weights[name] for name in engine.COMPONENTS},
            **parameters,
        }

    def weights(self) -> dict[str, float]:
        return {name: self.cleaned_data[f"weight_{name}"] for name in engine.COMPONENTS}

    def parameters(self) -> dict[str, float]:
        """Only the values that differ from the engine's defaults are stored (defaults can then evolve)."""
        defaults = {f.name: getattr(DEFAULTS, f.name) for f in dataclasses.fields(DEFAULTS)}
        return {name: self.cleaned_data[name] for name in PARAMETER_LABELS if self.cleaned_data[name] != defaults[name]}


class InterventionForm(forms.Form):
    action = forms.ChoiceField(label=_("What was done"), choices=InterventionAction.choices)
    occurred_on = forms.DateField(label=_("When"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.ChoiceField(label=_("Outcome"), choices=InterventionOutcome.choices, initial=InterventionOutcome.PENDING)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=InterventionOutcome.choices)
