"""Portal forms of the incentives pages. They only shape input; the services check the rules (tiers,
eligibility, periods, quantities) and their errors are put back on the field they name."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from ecosystem.errors import ApplicationError
from partners.models import PartnerType

from .models import Measure, ProgramStatus, RateMode

TIER_ROWS = 5
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class ProgramForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    measure = forms.ChoiceField(label=_("Measure"), choices=Measure.choices)
    usage_metric = forms.CharField(
        label=_("Usage metric"), max_length=60, required=False, help_text=_("Usage programs only, such as api_calls.")
    )
    rate_mode = forms.ChoiceField(label=_("Rate mode"), choices=RateMode.choices, initial=RateMode.MARGINAL)
    status = forms.ChoiceField(label=_("Status"), choices=ProgramStatus.choices, initial=ProgramStatus.DRAFT)
    partner_types = forms.MultipleChoiceField(
        label=_("Partner types"), choices=PartnerType.choices, required=False, help_text=_("None chosen: every type.")
    )
    tier_ids = forms.MultipleChoiceField(label=_("Tiers"), required=False, help_text=_("None chosen: every tier."))

    def __init__(self, *args, tiers: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tier_ids"].choices = tiers
        for n in range(TIER_ROWS):
            self.fields[f"threshold_{n}"] = forms.CharField(label=_("From"), required=False, max_length=30)
            self.fields[f"rate_{n}"] = forms.CharField(label=_("Rate"), required=False, max_length=30)

    def tier_rows(self) -> list[tuple]:
        return [(self[f"threshold_{n}"], self[f"rate_{n}"]) for n in range(TIER_ROWS)]

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["rates"] = [(data.pop(f"threshold_{n}", ""), data.pop(f"rate_{n}", "")) for n in range(TIER_ROWS)]
        return data

    def put_error(self, error: ApplicationError) -> None:
        """An error of the service on the field it names (``rates.2.rate`` → the third row's rate)."""
        name = error.field or ""
        match = re.match(r"^rates\.(\d+)\.(threshold|rate)$", name)
        if match:
            name = f"{match.group(2)}_{match.group(1)}"
        self.add_error(name if name in self.fields else None, error.message)

    @staticmethod
    def initial_for(program, rates) -> dict:
        initial = {
            "name": program.name,
            "description": program.description,
            "measure": program.measure,
            "usage_metric": program.usage_metric,
            "rate_mode": program.rate_mode,
            "status": program.status,
            "partner_types": program.partner_types,
            "tier_ids": [str(t) for t in program.tier_ids],
        }
        for n, rate in enumerate(rates[:TIER_ROWS]):
            initial[f"threshold_{n}"] = f"{rate.threshold:f}"
            initial[f"rate_{n}"] = f"{rate.rate.normalize():f}"
        return initial


class ComputeForm(forms.Form):
    period = forms.CharField(label=_("Quarter"), max_length=7, help_text=_("Such as 2026-Q3."))

    def clean_period(self) -> tuple[int, int]:
        match = _QUARTER.match((self.cleaned_data["period"] or "").strip().upper())
        if not match:
            raise forms.ValidationError(_("Use a quarter such as 2026-Q3."), code="invalid_period")
        return int(match.group(1)), int(match.group(2))


def parse_period(value: str | None) -> tuple[int, int] | None:
    match = _QUARTER.match((value or "").strip().upper())
    return (int(match.group(1)), int(match.group(2))) if match else None


def parse_month(value: str | None) -> datetime.date | None:
    """``2026-03`` → its first day; anything else (a filter not understood) → None."""
    match = _MONTH.match((value or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return datetime.date(int(match.group(1)), int(match.group(2)), 1)


class PayForm(forms.Form):
    reference = forms.CharField(label=_("Payment reference"), max_length=120, required=False)


class UsageImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, comma or semicolon separated, at most 50 MB and 200,000 rows."),
        error_messages={"required": _("Choose a CSV file.")},
    )
