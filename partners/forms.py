from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from ecosystem.errors import ApplicationError

from .domains import normalize_domain
from .models import PartnerStatus, PartnerType


class PartnerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    partner_type = forms.ChoiceField(label=_("Type"), choices=PartnerType.choices)
    website_domain = forms.CharField(
        label=_("Website domain"),
        max_length=253,
        required=False,
        help_text=_("For example acme.example. Used to spot duplicates."),
    )
    country = forms.ChoiceField(label=_("Country"), choices=[("", _("—")), *list(countries)], required=False)
    status = forms.ChoiceField(label=_("Status"), choices=PartnerStatus.choices, initial=PartnerStatus.PROSPECT)

    def clean_website_domain(self) -> str:
        try:
            return normalize_domain(self.cleaned_data["website_domain"])
        except ApplicationError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
