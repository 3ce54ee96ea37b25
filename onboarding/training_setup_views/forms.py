"""The training setup forms: shape only, the rules live in :mod:`onboarding.training_setup` and
:mod:`onboarding.issuers`.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from ecosystem.errors import ApplicationError
from onboarding import training_setup as services
from onboarding.models import QuizQuestion, Track


class CourseForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    summary = forms.CharField(
        label=gettext_lazy("Summary"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    track = forms.ChoiceField(label=gettext_lazy("Track"), choices=Track.choices)
    pass_mark = forms.IntegerField(
        label=gettext_lazy("Pass mark (%)"), initial=80, help_text=gettext_lazy("The share of questions to answer right, 1–100.")
    )
    validity_months = forms.IntegerField(
        label=gettext_lazy("Certification valid for (months)"), initial=24, help_text=gettext_lazy("1–120 months.")
    )


class ModuleForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Module title"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Plain text; blank lines start a new paragraph."),
    )
    video_url = forms.CharField(label=gettext_lazy("Video link"), required=False, max_length=500, help_text="https://…")
    asset_url = forms.CharField(label=gettext_lazy("Download link"), required=False, max_length=500, help_text="https://…")
    asset_label = forms.CharField(label=gettext_lazy("Download name"), required=False, max_length=120)


class QuestionForm(forms.Form):
    """A question and up to six answers; tick the correct ones. Blank answer rows are ignored."""

    text = forms.CharField(label=gettext_lazy("Question"), max_length=500)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, services.MAX_CHOICES + 1):
            self.fields[f"choice_{n}"] = forms.CharField(required=False, max_length=300)
            self.fields[f"correct_{n}"] = forms.BooleanField(required=False)

    @classmethod
    def initial_for(cls, question: QuizQuestion) -> dict:
        initial = {"text": question.text}
        for choice in question.choices.all():
            initial[f"choice_{choice.position}"] = choice.text
            initial[f"correct_{choice.position}"] = choice.is_correct
        return initial

    def rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        return [(n, self[f"choice_{n}"], self[f"correct_{n}"]) for n in range(1, services.MAX_CHOICES + 1)]

    def choices(self) -> list[tuple[str, bool]]:
        return [(self.cleaned_data[f"choice_{n}"], self.cleaned_data[f"correct_{n}"]) for n in range(1, services.MAX_CHOICES + 1)]

    def add_application_error(self, error: ApplicationError) -> None:
        # Answer-row problems belong to the answers as a whole: shown above the rows.
        self.add_error("text" if error.field == "text" else None, error.message)


class PathForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Path title"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class IssuerForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200, help_text=gettext_lazy("For example AWS Certification."))
    slug = forms.CharField(
        label=gettext_lazy("Slug"), required=False, max_length=60, help_text=gettext_lazy("Left blank: made from the name.")
    )
    endpoint_url = forms.CharField(
        label=gettext_lazy("Verification endpoint"), max_length=500, help_text=gettext_lazy("The issuer's https:// address.")
    )
    secret = forms.CharField(
        label=gettext_lazy("Signing secret"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active (partners can choose it)"), required=False, initial=True)
