from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from ecosystem.errors import ApplicationError

from .domains import normalize_domain
from .models import ContactRole, ContentKind, PartnerStatus, PartnerType


class WebsiteDomainField(forms.CharField):
    """A website domain, normalised as the services store it (``partners.domains.normalize_domain``),
    so a bad domain is reported together with the form's other errors."""

    def clean(self, value):
        value = super().clean(value)
        try:
            return normalize_domain(value)
        except ApplicationError as error:
            raise forms.ValidationError(error.message, code=error.code) from None


class PartnerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    partner_type = forms.ChoiceField(label=_("Type"), choices=PartnerType.choices)
    website_domain = WebsiteDomainField(
        label=_("Website domain"),
        max_length=253,
        required=False,
        help_text=_("For example acme.example. Used to spot duplicates."),
    )
    country = forms.ChoiceField(label=_("Country"), choices=[("", _("—")), *list(countries)], required=False)
    status = forms.ChoiceField(label=_("Status"), choices=PartnerStatus.choices, initial=PartnerStatus.PROSPECT)


class PartnerEditForm(PartnerForm):
    """Editing a partner: its fields, and its logo (checked by ``partners.services.partner_logo_set``)."""

    logo = forms.FileField(
        label=_("Logo"), required=False, help_text=_("PNG or JPG, at most 1 MiB. Choose a file to replace the logo.")
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    def __init__(self, *args, has_logo: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not has_logo:
            del self.fields["remove_logo"]


class ContentItemForm(forms.Form):
    """Adding (``editing=False``) or editing a library item. Rules (https, file types, size) live in partners.content."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(label=_("Kind"), choices=ContentKind.choices, initial=ContentKind.FILE)
    url = forms.CharField(label=_("Link"), max_length=500, required=False, help_text=_("For links: a full https:// address."))
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, PowerPoint, Word, Excel, PNG, JPG or ZIP, at most 25 MiB."),
    )
    partner_types = forms.MultipleChoiceField(
        label=_("Partner types"),
        choices=PartnerType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to show the item to every partner type."),
    )
    min_tier = forms.ChoiceField(
        label=_("Lowest tier"),
        required=False,
        help_text=_("Only partners at this tier or above see the item."),
    )
    is_published = forms.BooleanField(label=_("Published"), required=False, initial=True)

    def __init__(self, *args, item=None, tiers=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._tiers = {str(tier.public_id): tier for tier in tiers}
        self.fields["min_tier"].choices = [("", _("Every partner, whatever its tier"))] + [
            (key, tier.name) for key, tier in self._tiers.items()
        ]
        if not self._tiers:
            del self.fields["min_tier"]  # a program without tiers has nothing to choose
        if item is not None:
            del self.fields["kind"]  # an item stays a file or a link
            if item.kind == ContentKind.LINK:
                del self.fields["file"]
            else:
                del self.fields["url"]
                self.fields["file"].help_text = _("Choose a file only to replace %(name)s.") % {"name": item.original_filename}

    def clean_min_tier(self):
        """The chosen :class:`~partners.models.Tier`, or ``None`` for every partner."""
        value = self.cleaned_data.get("min_tier") or ""
        return self._tiers.get(value)


class PartnerContactForm(forms.Form):
    """A partner's contact. Rules (one per email and partner, any case) live in partners.contacts."""

    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("Email"), max_length=254)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=ContactRole.choices, initial=ContactRole.OTHER)


class CsvImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, comma or semicolon separated, at most 2,000 rows."),
        error_messages={"required": _("Choose a CSV file.")},
    )
