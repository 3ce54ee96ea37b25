"""Portal forms of the economics pages: the period picker, the revenue filters, the CSV upload and a
program cost. They only shape input; the services check the rules (amounts, quarters, currency)."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from .models import CostCategory

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def _month(value: str) -> datetime.date | None:
    match = _MONTH.match(value or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return datetime.date(int(match.group(1)), int(match.group(2)), 1)


class PeriodForm(forms.Form):
    """The Economics page's periods: a quarter for CAC (``2026-Q3``) and the month retention ends in (``2026-10``)."""

    quarter = forms.CharField(label=_("Quarter (CAC)"), required=False, max_length=7)
    month = forms.CharField(label=_("Month (retention)"), required=False, max_length=7)

    def clean_quarter(self) -> tuple[int, int] | None:
        value = (self.cleaned_data.get("quarter") or "").strip().upper()
        if not value:
            return None
        match = _QUARTER.match(value)
        if not match or not 2000 <= int(match.group(1)) <= 2100:
            raise forms.ValidationError(_("Use a quarter such as 2026-Q3."), code="invalid_quarter")
        return int(match.group(1)), int(match.group(2))

    def clean_month(self) -> datetime.date | None:
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return None
        month = _month(value)
        if month is None or not 2000 <= month.year <= 2100:
            raise forms.ValidationError(_("Use a month such as 2026-10."), code="invalid_month")
        return month

    def values(self) -> dict:
        """The understood periods (``None`` each: the default); a bad one is left out and shown as an error."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"quarter": data.get("quarter"), "month": data.get("month")}


class RevenueFilterForm(forms.Form):
    month = forms.ChoiceField(label=_("Month"), required=False)
    partner = forms.ChoiceField(label=_("Managing partner"), required=False)

    def __init__(self, *args, months: list[datetime.date], partners: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [("", _("All months")), *((f"{m:%Y-%m}", f"{m:%Y-%m}") for m in months)]
        self.fields["partner"].choices = [("", _("All partners")), *partners]

    def values(self) -> dict:
        """``month`` (a date or None) and ``partner`` (a public id or ""); a filter not understood is left out."""
        self.is_valid()
        data = {k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors}
        return {"month": _month(data.get("month") or ""), "partner": data.get("partner") or ""}

    def query(self) -> str:
        self.is_valid()
        query = QueryDict(mutable=True)
        for name in self.fields:
            if name not in self.errors and self.data.get(name):
                query[name] = self.data[name]
        return query.urlencode()


class RevenueImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, comma or semicolon separated, at most 50 MB and 200,000 rows."),
        error_messages={"required": _("Choose a CSV file.")},
    )


class ProgramCostForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"), choices=[(q, f"Q{q}") for q in range(1, 5)], coerce=int, empty_value=None
    )
    category = forms.ChoiceField(label=_("Category"), choices=CostCategory.choices)
    amount = forms.CharField(
        label=_("Amount"), max_length=40, help_text=_("In the program's currency; 0 or more, at most two decimals.")
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
