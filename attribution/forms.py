"""The form that starts an attribution run. It only shapes input: the service checks it."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ChannelDimension
from .services import DEFAULT_PARAMETERS, MODELS

MODEL_LABELS = {
    "first_touch": _("First touch"),
    "last_touch": _("Last touch"),
    "linear": _("Linear"),
    "time_decay": _("Time decay"),
    "position_based": _("Position-based (U-shaped)"),
    "markov": _("Markov removal effect"),
    "shapley_counts": _("Shapley (conversion counts)"),
    "shapley_rates": _("Shapley (conversion rates)"),
}


def model_label(name: str) -> str:
    return str(MODEL_LABELS.get(name, name))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class RunForm(forms.Form):
    period_start = forms.DateField(label=_("From"), widget=DateInput())
    period_end = forms.DateField(label=_("To"), widget=DateInput())
    dimension = forms.ChoiceField(label=_("Channel"), choices=ChannelDimension.choices)
    models = forms.MultipleChoiceField(
        label=_("Models"), choices=[(m, model_label(m)) for m in MODELS], widget=forms.CheckboxSelectMultiple
    )
    half_life_days = forms.FloatField(label=_("Time decay half-life (days)"), min_value=0.01)
    position_first = forms.FloatField(label=_("Position-based: first touch share"), min_value=0, max_value=1)
    position_middle = forms.FloatField(label=_("Position-based: middle touches share"), min_value=0, max_value=1)
    position_last = forms.FloatField(label=_("Position-based: last touch share"), min_value=0, max_value=1)

    @staticmethod
    def defaults() -> dict:
        """The trailing twelve months to today, by partner, every model with its default parameters."""
        first, middle, last = DEFAULT_PARAMETERS["position"]
        today = timezone.localdate()
        return {
            "period_start": today - datetime.timedelta(days=365),
            "period_end": today,
            "models": list(MODELS),
            "dimension": ChannelDimension.PARTNER,
            "half_life_days": DEFAULT_PARAMETERS["half_life_days"],
            "position_first": first,
            "position_middle": middle,
            "position_last": last,
        }

    def clean(self):
        data = super().clean()
        shares = [data.get(f"position_{k}") for k in ("first", "middle", "last")]
        if None not in shares and abs(sum(shares) - 1) > 1e-9:
            self.add_error("position_middle", _("The three shares must add up to 1."))
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period must end after it starts."))
        return data

    def parameters(self) -> dict:
        data = self.cleaned_data
        return {
            "half_life_days": data["half_life_days"],
            "position": [data["position_first"], data["position_middle"], data["position_last"]],
        }
