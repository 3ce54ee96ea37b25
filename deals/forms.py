"""Partner portal forms for deal registrations.

The forms only shape what a person types (types, lengths, choices from the program's own
configuration); every business rule (domains, product lines, dates in the past, the gate, who was
first) is the services' alone, and their ``ApplicationError`` lands next to the field it names.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ecosystem.errors import ApplicationError
from ecosystem.tenancy.models import Tenant

from .models import OPEN_STAGES, DealStage, ProductLine, RegistrationStatus

NO_SOLUTION = [("", _("None"))]

OPEN_STAGE_CHOICES = [(stage.value, stage.label) for stage in OPEN_STAGES]


def put_error(form: forms.Form, error: ApplicationError) -> None:
    """Show a service's refusal next to the field it names (or above the form)."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


def product_line_choices(tenant: Tenant) -> list[tuple[str, str]]:
    """The program's active product lines (shared configuration every partner reads). One query."""
    return list(ProductLine.objects.filter(tenant=tenant, is_active=True).order_by("name", "id").values_list("slug", "name"))


class RegistrationForm(forms.Form):
    customer_name = forms.CharField(label=_("Customer"), max_length=200)
    customer_domain = forms.CharField(
        label=_("Customer website"), max_length=253, help_text=_("The customer's website domain, e.g. acme.com.")
    )
    contact_name = forms.CharField(label=_("Customer contact"), max_length=150)
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    contact_title = forms.CharField(label=_("Contact title"), max_length=150, required=False)
    product_lines = forms.MultipleChoiceField(label=_("Product lines"), widget=forms.CheckboxSelectMultiple)
    joint_solution = forms.ChoiceField(
        label=_("Joint solution"),
        required=False,
        help_text=_("A solution in market that your organisation delivers: its partners join the deal as co-sellers."),
    )
    mdf_request = forms.ChoiceField(
        label=_("MDF campaign"),
        required=False,
        help_text=_("One of your approved MDF campaigns, when the deal came from it: its spend is measured against this deal."),
    )
    solution = forms.CharField(label=_("Solution"), max_length=200, required=False)
    value = forms.DecimalField(label=_("Estimated value"), min_value=0, max_digits=14, decimal_places=2)
    currency = forms.CharField(label=_("Currency"), min_length=3, max_length=3, initial="USD")
    expected_close_date = forms.DateField(label=_("Expected close"), widget=forms.DateInput(attrs={"type": "date"}))
    stage = forms.ChoiceField(label=_("Stage"), choices=OPEN_STAGE_CHOICES, initial=DealStage.PROSPECTING)
    notes = forms.CharField(label=_("Notes"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, tenant: Tenant, partner_id: int | None = None, **kwargs) -> None:
        from partners.solutions.selectors import registrable_solutions

        super().__init__(*args, **kwargs)
        self.fields["product_lines"].choices = product_line_choices(tenant)
        solutions = registrable_solutions(tenant=tenant, partner_id=partner_id) if partner_id else []
        self.fields["joint_solution"].choices = NO_SOLUTION + solutions
        from partners.mdf.selectors import registrable_campaigns

        campaigns = registrable_campaigns(tenant=tenant, partner_id=partner_id) if partner_id else []
        self.fields["mdf_request"].choices = NO_SOLUTION + campaigns

    def values(self) -> dict:
        """The cleaned input as ``registration_submit`` takes it."""
        data = dict(self.cleaned_data)
        data["value"] = str(data["value"])
        return data


class RegistrationFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any status")), *RegistrationStatus.choices], required=False)
    stage = forms.ChoiceField(label=_("Stage"), choices=[("", _("Any stage")), *DealStage.choices], required=False)

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}


class InfoAnswerForm(forms.Form):
    answer = forms.CharField(label=_("Your answer"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=DealStage.choices)
    closed_amount = forms.DecimalField(
        label=_("Closed amount"), min_value=0, max_digits=14, decimal_places=2, required=False, help_text=_("When won or lost.")
    )
    closed_on = forms.DateField(
        label=_("Closed on"), required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text=_("When won or lost.")
    )


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why should the decision change?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ExtensionForm(forms.Form):
    reason = forms.CharField(label=_("Why do you need more time?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
