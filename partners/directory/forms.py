"""Portal forms of the directory: a partner's profile, and a collaboration request."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import PartnerType, Region
from partners.solutions.models import ComponentRole

from .models import CollaborationSubject

ROLE_CHOICES = [
    ("influencing", _("Influencing")),
    ("implementation", _("Implementation")),
    ("referral", _("Referral")),
    ("distribution", _("Distribution")),
]


class DirectoryProfileForm(forms.Form):
    headline = forms.CharField(
        label=_("Headline"), max_length=160, required=False, help_text=_("One line other partners see first. Needed to publish.")
    )
    description = forms.CharField(
        label=_("What you do"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    capabilities = forms.MultipleChoiceField(label=_("Capabilities"), required=False, widget=forms.CheckboxSelectMultiple)
    regions = forms.MultipleChoiceField(
        label=_("Regions"), required=False, choices=Region.choices, widget=forms.CheckboxSelectMultiple
    )
    industries = forms.CharField(
        label=_("Industries"), max_length=800, required=False, help_text=_("Separated by commas, e.g. Healthcare, Retail.")
    )
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    show_certifications = forms.BooleanField(label=_("Show our valid certifications"), required=False)

    def __init__(self, *args, capabilities: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["capabilities"].choices = capabilities

    def clean_industries(self) -> list[str]:
        return [part.strip() for part in self.cleaned_data["industries"].split(",") if part.strip()]


class AnyChoiceField(forms.ChoiceField):
    """A select whose choices are filled per request; the service checks the value."""

    def valid_value(self, value) -> bool:
        return True


class CollaborationForm(forms.Form):
    """A collaboration request. ``to`` and ``subject`` choices are filled per request from what the sender may use."""

    to = AnyChoiceField(label=_("Partner"))
    about = forms.ChoiceField(label=_("About"), choices=CollaborationSubject.choices)
    subject = AnyChoiceField(
        label=_("Which one"), required=False, help_text=_("For a deal, a solution or an initiative: choose it here.")
    )
    cosell_role = forms.ChoiceField(label=_("Their role on the deal"), choices=[("", "—"), *ROLE_CHOICES], required=False)
    component_role = forms.ChoiceField(
        label=_("Their role in the solution"),
        choices=[("", "—"), *ComponentRole.choices],
        required=False,
        help_text=_("For a joint solution: the part they deliver. Accepting adds them to the solution in this role."),
    )
    message = forms.CharField(label=_("Message"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, recipients: list[dict], subjects: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [("", "—")] + [
            (str(p["public_id"]), f"{p['name']} ({PartnerType(p['partner_type']).label})") for p in recipients
        ]
        self.fields["subject"].choices = [("", "—"), *subjects]
