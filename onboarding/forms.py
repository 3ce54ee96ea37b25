from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from partners.forms import WebsiteDomainField
from partners.models import PartnerType

from .models import DealVolume, Region


class ApplicationForm(forms.Form):
    company_name = forms.CharField(label=_("Company"), max_length=200)
    website_domain = WebsiteDomainField(label=_("Website domain"), max_length=253, help_text=_("For example acme.example."))
    partner_type = forms.ChoiceField(label=_("How would you partner with us?"), choices=PartnerType.choices)
    capabilities = forms.MultipleChoiceField(label=_("Capabilities"), required=False, widget=forms.CheckboxSelectMultiple)
    regions = forms.MultipleChoiceField(
        label=_("Regions you sell in"), choices=Region.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    country = forms.ChoiceField(label=_("Headquarters country"), choices=[("", "—"), *countries], required=False)
    expected_deal_volume = forms.ChoiceField(label=_("Expected deal volume"), choices=DealVolume.choices)
    contact_name = forms.CharField(label=_("Your name"), max_length=150)
    contact_email = forms.EmailField(label=_("Your work email"))
    message = forms.CharField(
        label=_("Anything we should know?"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    # Honeypot: invisible to people, irresistible to form-filling bots.
    website = forms.CharField(required=False, label=_("Leave this empty"))

    def __init__(self, *args, capabilities=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["capabilities"].choices = [(c.slug, c.name) for c in capabilities]


class SignatureForm(forms.Form):
    typed_name = forms.CharField(label=_("Type your full name to sign"), max_length=150)
    accepted = forms.BooleanField(label=_("I have read and accept this agreement on behalf of my company"), required=False)


class ProfileForm(forms.Form):
    description = forms.CharField(
        label=_("About your company"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you do, for whom, and where: this is what the vendor's team reads about you."),
    )
    regions = forms.MultipleChoiceField(
        label=_("Regions you sell in"), choices=Region.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    capabilities = forms.MultipleChoiceField(label=_("Capabilities"), required=False, widget=forms.CheckboxSelectMultiple)
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG or JPG, at most 1 MiB. The vendor's team sees it next to your name."),
    )

    def __init__(self, *args, capabilities=(), with_logo: bool = False, **kwargs) -> None:
        """``with_logo``: partner admins may set their organisation's logo here; others see no logo field."""
        super().__init__(*args, **kwargs)
        self.fields["capabilities"].choices = [(c.slug, c.name) for c in capabilities]
        if not with_logo:
            del self.fields["logo"]


class ExternalCredentialForm(forms.Form):
    """A certification from an outside issuer, to be checked with the issuer's verification service."""

    issuer = forms.ChoiceField(label=_("Issuer"))
    credential_number = forms.CharField(label=_("Credential number"), max_length=100)
    holder_name = forms.CharField(label=_("Holder's name"), max_length=150, help_text=_("As it appears on the certificate."))

    def __init__(self, *args, issuers: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issuer"].choices = [("", "—"), *issuers]
