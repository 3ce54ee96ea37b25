"""The dashboard's pickers: period (a quarter), partner type, tier, region and the active-partner rule."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attribution.economics import metrics as economics_metrics
from partners.models import PartnerType, Region, Tier

from .selectors import ActiveRule, Period, Slice

QUARTERS_OFFERED = 8
ACTIVE_DAYS = (30, 60, 90, 180, 365)
SIGNAL_LABELS = {"login": _("a login"), "registration": _("a deal registration"), "training": _("a completed training")}


def quarter_choices(today: datetime.date) -> list[tuple[str, str]]:
    current = Period.of(today)
    periods = [current.previous(i) for i in range(QUARTERS_OFFERED)]
    return [(f"{p.year}-Q{p.quarter}", p.label + (" " + str(_("(to date)")) if i == 0 else "")) for i, p in enumerate(periods)]


class DashboardFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), required=False)
    partner_type = forms.ChoiceField(label=_("Partner type"), required=False)
    tier = forms.ChoiceField(label=_("Tier"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    active_signals = forms.MultipleChoiceField(
        label=_("Active means"), required=False, widget=forms.CheckboxSelectMultiple, choices=list(SIGNAL_LABELS.items())
    )
    active_days = forms.TypedChoiceField(
        label=_("in the last"), required=False, coerce=int, choices=[(d, _("%(d)s days") % {"d": d}) for d in ACTIVE_DAYS]
    )

    def __init__(self, *args, today: datetime.date | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.fields["period"].choices = quarter_choices(self.today)
        self.fields["partner_type"].choices = [("", _("All types")), *PartnerType.choices]
        self.fields["tier"].choices = [
            ("", _("All tiers")),
            *((str(pk), name) for pk, name in Tier.objects.values_list("pk", "name")),
        ]
        self.fields["region"].choices = [("", _("All regions")), *Region.choices]

    def default_period(self) -> Period:
        """The last complete quarter (its figures no longer move)."""
        return Period.of(self.today).previous()

    def values(self) -> tuple[Period, Slice, ActiveRule]:
        """The chosen period, slice and rule; the defaults for what is missing or wrong (the errors show)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        raw = data.get("period") or ""
        period = Period(int(raw[:4]), int(raw[-1])) if raw else self.default_period()
        chosen = Slice(
            partner_type=data.get("partner_type") or None,
            tier_id=int(data["tier"]) if data.get("tier") else None,
            region=data.get("region") or None,
        )
        rule = ActiveRule(
            signals=tuple(data.get("active_signals") or economics_metrics.ACTIVITY_SIGNALS),
            days=data.get("active_days") or economics_metrics.DEFAULT_ACTIVE_DAYS,
        )
        return period, chosen, rule

    def initial_values(self) -> dict:
        period, chosen, rule = self.values()
        return {
            "period": f"{period.year}-Q{period.quarter}",
            "partner_type": chosen.partner_type or "",
            "tier": str(chosen.tier_id or ""),
            "region": chosen.region or "",
            "active_signals": list(rule.signals),
            "active_days": rule.days,
        }
