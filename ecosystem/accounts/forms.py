from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Role


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, roles: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role, Role(role).label) for role in roles]


class TenantCreateForm(forms.Form):
    name = forms.CharField(label=_("Company or program name"), max_length=120)
    slug = forms.SlugField(
        label=_("Portal address"),
        max_length=40,
        help_text=_("Lower-case letters, digits and hyphens. Your portal will live at /t/<address>/."),
    )
