from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ReasonForm(forms.Form):
    """A reason for a decision (decline, sign-off, retire, clear a match).

    Not required and not length-limited here: the service that takes the decision says whether a
    reason is needed and keeps at most what its record holds, so a long reason is never refused with
    a misleading "give a reason".
    """

    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AuditFilterForm(forms.Form):
    """The audit log's filters; each one left empty does not filter."""

    action = forms.CharField(label=_("Action starts with"), required=False, max_length=80)
    who = forms.CharField(label=_("Who (email or API key contains)"), required=False, max_length=200)
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=80)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To (inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("since") and cleaned.get("until") and cleaned["since"] > cleaned["until"]:
            self.add_error("until", _("The end comes before the start."))
        return cleaned

    def apply(self, entries):
        """``entries`` narrowed by the valid filters (an invalid form filters nothing: the errors show)."""
        import datetime

        from django.utils import timezone

        if not self.is_bound or not self.is_valid():
            return entries
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        if data["action"]:
            entries = entries.filter(action__startswith=data["action"].strip())
        if data["who"]:
            entries = entries.filter(actor_label__icontains=data["who"].strip())
        if data["object_type"]:
            entries = entries.filter(object_type=data["object_type"].strip().lower())
        if data["since"]:
            entries = entries.filter(created_at__gte=datetime.datetime.combine(data["since"], datetime.time.min, tzinfo=zone))
        if data["until"]:
            end = data["until"] + datetime.timedelta(days=1)
            entries = entries.filter(created_at__lt=datetime.datetime.combine(end, datetime.time.min, tzinfo=zone))
        return entries
