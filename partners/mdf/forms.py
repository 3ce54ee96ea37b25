"""Forms of the MDF pages. They only shape input; the services check it and their errors land on these fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ecosystem.errors import ApplicationError

from .models import ActivityType, ClaimStatus, RequestStatus


def put_error(form: forms.Form, error: ApplicationError) -> None:
    """Show a service's refusal next to the field it names (or above the form)."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the service checks each (type, size, first bytes)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class RequestForm(forms.Form):
    activity_type = forms.ChoiceField(label=_("Activity"), choices=[("", "—"), *ActivityType.choices])
    title = forms.CharField(label=_("Campaign"), max_length=150)
    description = forms.CharField(
        label=_("What you will do"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    planned_spend = forms.DecimalField(label=_("Planned spend"), max_digits=14, decimal_places=2)
    expected_leads = forms.IntegerField(label=_("Expected leads"), min_value=0, required=False)
    expected_pipeline = forms.DecimalField(label=_("Expected pipeline"), max_digits=14, decimal_places=2, required=False)
    start_date = forms.DateField(label=_("Starts"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("Ends"), widget=forms.DateInput(attrs={"type": "date"}))


class ClaimForm(forms.Form):
    claimed_amount = forms.DecimalField(label=_("Amount claimed"), max_digits=14, decimal_places=2)
    leads_generated = forms.IntegerField(label=_("Leads generated"), min_value=0, required=False)
    attendees = forms.IntegerField(label=_("Attendees"), min_value=0, required=False)
    notes = forms.CharField(label=_("Notes"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(
        label=_("Invoices and proof of performance"),
        required=False,
        help_text=_("PDF, PNG, JPG, XLSX or DOCX, up to 10 MiB each, at most 10 files."),
    )


class BudgetForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("Quarter"), coerce=int, choices=[(q, f"Q{q}") for q in (1, 2, 3, 4)])
    amount = forms.DecimalField(label=_("Budget"), max_digits=14, decimal_places=2)
    notes = forms.CharField(label=_("Notes"), max_length=500, required=False)


class BudgetAmountForm(forms.Form):
    amount = forms.DecimalField(label=_("Budget"), max_digits=14, decimal_places=2)


class AllocationForm(forms.Form):
    """Allocate to one partner or to each partner of one tier: exactly one of the two."""

    partner = forms.ChoiceField(label=_("Partner"), required=False)
    tier = forms.ChoiceField(label=_("Tier"), required=False, help_text=_("The amount is per partner of the tier."))
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, min_value=0)

    def __init__(self, *args, partners: list[tuple[str, str]], tiers: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [("", "—"), *partners]
        self.fields["tier"].choices = [("", "—"), *tiers]

    def clean(self):
        data = super().clean()
        if bool(data.get("partner")) == bool(data.get("tier")):
            raise forms.ValidationError(_("Choose a partner or a tier, not both."))
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("partial", _("Partially approve")), ("reject", _("Reject"))]
    )
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=1000, required=False)


class ClaimDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("Reason"), max_length=1000, required=False)


class RequestFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any status")), *RequestStatus.choices], required=False)


class ClaimFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any status")), *ClaimStatus.choices], required=False)
