"""Forms of the solution pages. They only shape input; the services check it and their errors land on these fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ecosystem.errors import ApplicationError
from partners.models import PartnerType, Region

from .models import ComponentRole, OrchestratorKind, SolutionStatus


def put_error(form: forms.Form, error: ApplicationError) -> None:
    """Show a service's refusal next to the field it names (or above the form)."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


class PartnerChoiceField(forms.ChoiceField):
    """A select of the program's partners; the service checks the choice (the list shown is capped and searchable)."""

    def valid_value(self, value) -> bool:
        return True


def partner_choices(partners: list[dict], *, blank: str = "—") -> list[tuple[str, str]]:
    return [("", blank)] + [(str(p["public_id"]), f"{p['name']} ({PartnerType(p['partner_type']).label})") for p in partners]


class SolutionDetailsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the customer gets, and why these partners together."),
    )
    industries = forms.CharField(
        label=_("Target industries"), max_length=700, required=False, help_text=_("Separated by commas, e.g. Retail, Healthcare.")
    )
    regions = forms.MultipleChoiceField(
        label=_("Target regions"), choices=Region.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    def values(self) -> dict:
        return dict(self.cleaned_data)


class VendorSolutionForm(SolutionDetailsForm):
    """Staff: the details and who orchestrates (the vendor, with a vendor lead, or one partner)."""

    orchestrator = forms.ChoiceField(
        label=_("Orchestrated by"), choices=OrchestratorKind.choices, initial=OrchestratorKind.VENDOR
    )
    orchestrator_partner = PartnerChoiceField(
        label=_("Orchestrating partner"), required=False, help_text=_("When a partner orchestrates.")
    )
    orchestrator_user = forms.ChoiceField(label=_("Vendor lead"), required=False, help_text=_("When the vendor orchestrates."))

    def __init__(self, *args, partners: list[dict], staff: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["orchestrator_partner"].choices = partner_choices(partners)
        self.fields["orchestrator_user"].choices = [("", _("Me")), *staff]


class ProposeForm(SolutionDetailsForm):
    """A partner proposes a solution with its own part in it; other partners are invited on the next page."""

    role = forms.ChoiceField(label=_("Your role"), choices=[("", "—"), *ComponentRole.choices])
    description = forms.CharField(label=_("What you deliver"), max_length=500, required=False)


class PartnerSolutionForm(SolutionDetailsForm):
    """A managing partner edits its draft: the details, and which partner orchestrates."""

    orchestrator_partner = PartnerChoiceField(label=_("Orchestrating partner"))

    def __init__(self, *args, partners: list[dict], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["orchestrator_partner"].choices = partner_choices(partners)


class ComponentForm(forms.Form):
    partner = PartnerChoiceField(label=_("Partner"))
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *ComponentRole.choices])
    description = forms.CharField(label=_("What they deliver"), max_length=500, required=False)

    def __init__(self, *args, partners: list[dict], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = partner_choices(partners)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class SolutionFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any status")), *SolutionStatus.choices], required=False)
    industry = forms.CharField(label=_("Industry"), max_length=60, required=False)
    region = forms.ChoiceField(label=_("Region"), choices=[("", _("Any region")), *Region.choices], required=False)
    q = forms.CharField(label=_("Search"), max_length=100, required=False)

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}
