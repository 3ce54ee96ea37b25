from django import forms
from django.utils.translation import gettext_lazy as _

from .models import EVENT_TYPES


class WebhookEndpointForm(forms.Form):
    # a CharField, not a URLField: the outbound policy judges the URL and its message says why
    url = forms.CharField(
        label=_("URL"), max_length=500, help_text=_("An https address on the public internet that answers 2xx.")
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label=_("Events"), choices=list(EVENT_TYPES.items()), widget=forms.CheckboxSelectMultiple
    )
