"""Forms of the lead pages. They only shape input: the services check it (and their errors land on these fields)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import PartnerType, Region

from .models import DealStage


class LeadForm(forms.Form):
    company_name = forms.CharField(label=_("Company"), max_length=200)
    domain = forms.CharField(
        label=_("Website domain"), max_length=253, required=False, help_text=_("Links the lead to the customer account.")
    )
    contact_name = forms.CharField(label=_("Contact"), max_length=150, required=False)
    contact_email = forms.CharField(label=_("Contact email"), max_length=254, required=False)
    region = forms.ChoiceField(label=_("Region"), choices=[("", _("Any region")), *Region.choices], required=False)
    partner_type = forms.ChoiceField(
        label=_("Partner type wanted"), choices=[("", _("Any type")), *PartnerType.choices], required=False
    )
    capabilities = forms.MultipleChoiceField(label=_("Capabilities needed"), required=False, widget=forms.CheckboxSelectMultiple)
    product_lines = forms.MultipleChoiceField(label=_("Product lines"), required=False, widget=forms.CheckboxSelectMultiple)
    estimated_value = forms.CharField(label=_("Estimated value"), max_length=20, required=False)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    notes = forms.CharField(label=_("Notes"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    joint_solution = forms.ChoiceField(
        label=_("Joint solution"),
        required=False,
        help_text=_("A solution in market: it carries to the registration when the partner delivers it."),
    )

    def __init__(self, *args, capabilities=(), product_lines=(), solutions=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["capabilities"].choices = list(capabilities)
        self.fields["product_lines"].choices = list(product_lines)
        self.fields["joint_solution"].choices = [("", _("None")), *solutions]


class LeadConvertForm(forms.Form):
    """What the partner adds to the lead's customer data to register the deal."""

    customer_domain = forms.CharField(
        label=_("Customer website domain"), max_length=253, help_text=_("From the lead; needed to register the deal.")
    )
    contact_name = forms.CharField(label=_("Customer contact"), max_length=150)
    contact_email = forms.CharField(label=_("Contact email"), max_length=254, required=False)
    contact_title = forms.CharField(label=_("Contact's title"), max_length=150, required=False)
    product_lines = forms.MultipleChoiceField(label=_("Product lines"), widget=forms.CheckboxSelectMultiple)
    joint_solution = forms.ChoiceField(
        label=_("Joint solution"),
        required=False,
        help_text=_("A solution in market your organisation delivers: its partners join the deal as co-sellers."),
    )
    solution = forms.CharField(label=_("Solution"), max_length=200, required=False)
    mdf_request = forms.ChoiceField(
        label=_("MDF campaign"),
        required=False,
        help_text=_("One of your approved MDF campaigns, when the lead came from it: its spend is measured against this deal."),
    )
    value = forms.CharField(label=_("Deal value"), max_length=20)
    currency = forms.CharField(label=_("Currency"), max_length=3)
    expected_close_date = forms.CharField(
        label=_("Expected close date"), widget=forms.DateInput(attrs={"type": "date"}), help_text=_("YYYY-MM-DD")
    )
    stage = forms.ChoiceField(
        label=_("Stage"),
        choices=[
            (s, label)
            for s, label in DealStage.choices
            if s in (DealStage.PROSPECTING, DealStage.QUALIFICATION, DealStage.PROPOSAL, DealStage.NEGOTIATION)
        ],
    )
    notes = forms.CharField(label=_("Notes"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, product_lines=(), solutions=(), campaigns=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product_lines"].choices = list(product_lines)
        self.fields["joint_solution"].choices = [("", _("None")), *solutions]
        self.fields["mdf_request"].choices = [("", _("None")), *campaigns]
