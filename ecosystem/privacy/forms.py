from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import RETENTION_MAX_DAYS, RETENTION_MIN_DAYS


class RetentionForm(forms.Form):
    engagement_retention_days = forms.IntegerField(
        label=_("Keep engagement events for (days)"), min_value=RETENTION_MIN_DAYS, max_value=RETENTION_MAX_DAYS
    )


class EraseForm(forms.Form):
    confirm_email = forms.CharField(
        label=_("Type the person's email address to confirm"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or email"), required=False, max_length=100)
