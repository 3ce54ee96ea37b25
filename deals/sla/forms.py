"""Portal forms: an SLA's target, and the filters of the SLA pages (SLA, partner, period)."""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from .models import MAX_TARGET_HOURS, SlaKind
from .selectors import SlaPeriod


class SlaTargetForm(forms.Form):
    target_hours = forms.IntegerField(label=_("Target (hours)"), min_value=1, max_value=MAX_TARGET_HOURS)
    is_active = forms.BooleanField(label=_("Measured"), required=False)


class SlaFilterForm(forms.Form):
    """The filters every SLA page and export shares; what is not understood falls back to the default."""

    sla = forms.ChoiceField(label=_("SLA"), required=False)
    partner = forms.ChoiceField(label=_("Partner"), required=False)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, partners: list[tuple[str, str]] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sla"].choices = [("", _("All SLAs")), *SlaKind.choices]
        if partners is None:
            del self.fields["partner"]
        else:
            self.fields["partner"].choices = [("", _("All partners")), *partners]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("start", _("The period starts after it ends."))
        return data

    def values(self) -> dict:
        """The understood filters: ``kind``, ``partner`` (public id or ""), ``period``."""
        self.is_valid()
        data = {name: value for name, value in getattr(self, "cleaned_data", {}).items() if name not in self.errors}
        default = SlaPeriod.default(today=data.get("end"))
        start = data.get("start") or default.start
        end = data.get("end") or default.end
        if start > end:
            start, end = SlaPeriod.default().start, SlaPeriod.default().end
        return {"kind": data.get("sla") or "", "partner": data.get("partner") or "", "period": SlaPeriod(start=start, end=end)}

    def query(self) -> str:
        """The understood filters as a query string, for pagination and export links."""
        query = QueryDict(mutable=True)
        self.is_valid()
        for name in self.fields:
            if name not in self.errors and self.data.get(name):
                query[name] = self.data[name]
        return query.urlencode()
