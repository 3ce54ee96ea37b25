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
