"""Forms of the survey pages. They only shape input; the services check it and their errors land on these fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ecosystem.errors import ApplicationError
from partners.models import PartnerType

from .models import NPS_MAX, NPS_MIN, SCALE_MAX, SCALE_MIN, QuestionKind, SurveyQuestion

QUESTION_ROWS = 6  # question rows on the form; blank rows are ignored


def put_error(form: forms.Form, error: ApplicationError) -> None:
    """Show a service's refusal next to the field it names (or above the form)."""
    field = error.field
    if field == "questions":
        field = "q1_text"
    form.add_error(field if field in form.fields else None, error.message)


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    intro = forms.CharField(
        label=_("Introduction"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you ask and why; partners read it above the questions."),
    )
    opens_on = forms.DateField(label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(
        label=_("Closes on"), widget=forms.DateInput(attrs={"type": "date"}), help_text=_("The last day partners can answer.")
    )
    audience_partner_types = forms.MultipleChoiceField(
        label=_("Partner types"),
        choices=PartnerType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every type."),
    )
    audience_tiers = forms.MultipleChoiceField(
        label=_("Tiers"), required=False, widget=forms.CheckboxSelectMultiple, help_text=_("None chosen: every tier.")
    )

    DETAIL_FIELDS = ("title", "intro", "opens_on", "closes_on", "audience_partner_types", "audience_tiers")

    def __init__(self, *args, tiers: list[tuple[str, str]] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["audience_tiers"].choices = list(tiers)
        for i in range(1, QUESTION_ROWS + 1):
            self.fields[f"q{i}_text"] = forms.CharField(label=_("Question %(n)d") % {"n": i}, max_length=300, required=False)
            self.fields[f"q{i}_kind"] = forms.ChoiceField(
                label=_("Kind"), choices=QuestionKind.choices, initial=QuestionKind.SCALE_1_5, required=False
            )
            self.fields[f"q{i}_required"] = forms.BooleanField(label=_("Required"), required=False, initial=True)

    @property
    def question_fields(self) -> list[tuple]:
        return [(self[f"q{i}_text"], self[f"q{i}_kind"], self[f"q{i}_required"]) for i in range(1, QUESTION_ROWS + 1)]

    @property
    def question_field_names(self) -> list[str]:
        return [name for name in self.fields if name not in self.DETAIL_FIELDS]

    def values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.DETAIL_FIELDS}

    def questions(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "text": data.get(f"q{i}_text") or "",
                "kind": data.get(f"q{i}_kind") or QuestionKind.SCALE_1_5,
                "required": bool(data.get(f"q{i}_required")),
            }
            for i in range(1, QUESTION_ROWS + 1)
        ]

    @staticmethod
    def initial_for(survey, questions: list[SurveyQuestion], tier_public_ids: dict[int, str]) -> dict:
        initial = {
            "title": survey.title,
            "intro": survey.intro,
            "opens_on": survey.opens_on,
            "closes_on": survey.closes_on,
            "audience_partner_types": survey.audience_partner_types,
            "audience_tiers": [tier_public_ids[t] for t in survey.audience_tier_ids if t in tier_public_ids],
        }
        for i in range(1, QUESTION_ROWS + 1):
            initial[f"q{i}_required"] = False
        for question in questions[:QUESTION_ROWS]:
            initial[f"q{question.position}_text"] = question.text
            initial[f"q{question.position}_kind"] = question.kind
            initial[f"q{question.position}_required"] = question.required
        return initial


class AnswerForm(forms.Form):
    """The NPS question, then the survey's questions as ``q_<position>``. The service checks ranges and required answers."""

    nps = forms.ChoiceField(
        choices=[(str(n), str(n)) for n in range(NPS_MIN, NPS_MAX + 1)], required=False, widget=forms.RadioSelect
    )

    def __init__(self, *args, questions: list[SurveyQuestion], vendor: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nps"].label = _("How likely are you to recommend partnering with %(vendor)s?") % {"vendor": vendor}
        self.questions = questions
        for question in questions:
            if question.kind == QuestionKind.SCALE_1_5:
                field = forms.ChoiceField(
                    choices=[(str(n), str(n)) for n in range(SCALE_MIN, SCALE_MAX + 1)],
                    required=False,
                    widget=forms.RadioSelect,
                )
            else:
                field = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
            field.label = question.text
            field.is_scale = question.kind == QuestionKind.SCALE_1_5
            field.question_required = question.required
            self.fields[f"q_{question.position}"] = field

    def answers(self) -> dict[str, str]:
        return {str(q.position): self.cleaned_data.get(f"q_{q.position}") or "" for q in self.questions}

    @staticmethod
    def initial_for(response, questions: list[SurveyQuestion]) -> dict:
        if response is None:
            return {}
        initial = {"nps": str(response.nps)}
        for question in questions:
            value = response.answers.get(str(question.pk))
            if value is not None:
                initial[f"q_{question.position}"] = str(value)
        return initial
