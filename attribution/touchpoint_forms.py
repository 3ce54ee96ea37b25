"""Portal forms of the touchpoint pages: the list's filters and the CSV upload. They only shape input."""

from __future__ import annotations

import datetime

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from .models import TouchpointSource, TouchpointType


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class TouchpointFilterForm(forms.Form):
    """The filters the list and its export share; a filter that is not understood is left out (never echoed)."""

    partner = forms.ChoiceField(
        label=_("Partner"), required=False, error_messages={"invalid_choice": _("Choose a partner from the list.")}
    )
    type = forms.ChoiceField(label=_("Type"), required=False)
    source = forms.ChoiceField(label=_("Source"), required=False)
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args, partners: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [("", _("All partners")), *partners]
        self.fields["type"].choices = [("", _("All types")), *TouchpointType.choices]
        self.fields["source"].choices = [("", _("All sources")), *TouchpointSource.choices]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The period must end after it starts."))
        return data

    def values(self) -> dict:
        """The understood filters: ``partner`` (public id or ""), ``type``, ``source``, ``after`` and ``before``
        (aware date-times: from the start day's midnight, up to the midnight after the end day, UTC)."""
        self.is_valid()
        data = {k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors}
        if "end" in self.errors:
            data.pop("start", None)
        start, end = data.get("start"), data.get("end")
        return {
            "partner": data.get("partner") or "",
            "type": data.get("type") or "",
            "source": data.get("source") or "",
            "after": datetime.datetime.combine(start, datetime.time.min, tzinfo=datetime.UTC) if start else None,
            "before": (
                datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC)
                if end
                else None
            ),
        }

    def query(self) -> str:
        """The understood filters as a query string, for the pages and the export link."""
        self.is_valid()
        query = QueryDict(mutable=True)
        dropped = set(self.errors) | ({"start"} if "end" in self.errors else set())
        for name in self.fields:
            if name not in dropped and self.data.get(name):
                query[name] = self.data[name]
        return query.urlencode()


class TouchpointImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, comma or semicolon separated, at most 50 MB and 200,000 rows."),
        error_messages={"required": _("Choose a CSV file.")},
    )
