"""Forms of the plan pages. They only shape input: the services check it, and their errors land on these fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import GoalMetric, InitiativeStatus, PlanHealth

# Django's default names the refused value; an id typed into a form must not come back in the page.
CHOOSE = {"invalid_choice": _("Choose from the list.")}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class PlanForm(forms.Form):
    """A new plan: with one partner, or with a joint solution's partners (choose one)."""

    title = forms.CharField(label=_("Title"), max_length=160)
    partner = forms.ChoiceField(label=_("Partner"), required=False, error_messages=CHOOSE)
    solution = forms.ChoiceField(
        label=_("Or a joint solution"),
        required=False,
        help_text=_("The plan's team is the solution's confirmed partners."),
        error_messages=CHOOSE,
    )
    period_start = forms.DateField(label=_("From"), widget=DateInput())
    period_end = forms.DateField(label=_("To"), widget=DateInput())
    vendor_owner = forms.ChoiceField(label=_("Vendor owner"), required=False, error_messages=CHOOSE)

    def __init__(self, *args, partners=(), solutions=(), staff=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [("", "—"), *partners]
        self.fields["solution"].choices = [("", "—"), *solutions]
        self.fields["vendor_owner"].choices = [("", "—"), *staff]

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("partner")) == bool(cleaned.get("solution")):
            self.add_error("partner", _("Choose a partner or a joint solution, not both."))
        return cleaned


class PlanEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    period_start = forms.DateField(label=_("From"), widget=DateInput())
    period_end = forms.DateField(label=_("To"), widget=DateInput())
    vendor_owner = forms.ChoiceField(label=_("Vendor owner"), required=False, error_messages=CHOOSE)
    partner_owner = forms.ChoiceField(label=_("Partner owner"), required=False, error_messages=CHOOSE)

    def __init__(self, *args, staff=(), partner_people=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vendor_owner"].choices = [("", "—"), *staff]
        self.fields["partner_owner"].choices = [("", "—"), *partner_people]


class GoalForm(forms.Form):
    metric = forms.ChoiceField(label=_("Metric"), choices=[("", "—"), *GoalMetric.choices], error_messages=CHOOSE)
    target = forms.DecimalField(label=_("Target"), min_value=0, max_digits=16, decimal_places=2)
    manual_actual = forms.DecimalField(
        label=_("Actual, entered by the vendor"),
        min_value=0,
        max_digits=16,
        decimal_places=2,
        required=False,
        help_text=_("Only for MDF spend and customer retention: the platform computes the others."),
    )


class GoalEditForm(forms.Form):
    target = forms.DecimalField(label=_("Target"), min_value=0, max_digits=16, decimal_places=2)
    manual_actual = forms.DecimalField(
        label=_("Actual, entered by the vendor"), min_value=0, max_digits=16, decimal_places=2, required=False
    )

    def __init__(self, *args, manual: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not manual:
            del self.fields["manual_actual"]


class InitiativeForm(forms.Form):
    title = forms.CharField(label=_("Initiative"), max_length=200)
    description = forms.CharField(label=_("Details"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    vendor_owner = forms.ChoiceField(label=_("Vendor owner"), required=False, error_messages=CHOOSE)
    partner_owner = forms.ChoiceField(label=_("Partner owner"), required=False, error_messages=CHOOSE)
    due_date = forms.DateField(label=_("Due"), required=False, widget=DateInput())
    status = forms.ChoiceField(
        label=_("Status"), choices=InitiativeStatus.choices, initial=InitiativeStatus.NOT_STARTED, error_messages=CHOOSE
    )

    def __init__(self, *args, staff=None, partner_people=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if staff is None:  # the partner side names its own owner only
            del self.fields["vendor_owner"]
        else:
            self.fields["vendor_owner"].choices = [("", "—"), *staff]
        self.fields["partner_owner"].choices = [("", "—"), *partner_people]


class StatusForm(forms.Form):
    health = forms.ChoiceField(label=_("Status"), choices=PlanHealth.choices, error_messages=CHOOSE)
    note = forms.CharField(label=_("Note"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReviewForm(forms.Form):
    quarter = forms.CharField(label=_("Quarter"), max_length=7, help_text=_("e.g. 2026-Q3"))
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    summary = forms.CharField(label=_("Summary"), max_length=8000, widget=forms.Textarea(attrs={"rows": 3}))
    decisions = forms.CharField(
        label=_("Decisions and next steps"), max_length=8000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
