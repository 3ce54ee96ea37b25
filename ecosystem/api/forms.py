from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ApiKeyScope


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("The system that will use it, e.g. CRM sync."))
    scope = forms.ChoiceField(label=_("Scope"), choices=ApiKeyScope.choices, initial=ApiKeyScope.READ)
