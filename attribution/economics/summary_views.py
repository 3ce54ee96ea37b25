"""The weekly summary's settings page (vendor staff): send it or not, and to which owners and partner managers.

Everyone on staff reads the page and a preview of this week's figures; owners and partner managers change it.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.portal.base import back_to_tenant, roles_required

from . import summary as weekly


class SummarySettingsForm(forms.Form):
    enabled = forms.BooleanField(label=gettext_lazy("Send the weekly summary"), required=False)
    recipients = forms.MultipleChoiceField(
        label=gettext_lazy("Recipients"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("The program's owners and partner managers; unticked ones do not receive it."),
    )

    def __init__(self, *args, candidates=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipients"].choices = [(str(pk), f"{name} <{email}>" if name else email) for pk, name, email in candidates]


@roles_required(*STAFF_ROLES)
def summary_settings(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant
    row = weekly.summary_settings(tenant=tenant)
    candidates = weekly.summary_candidates(tenant=tenant)
    can_edit = request.membership.role in PARTNER_EDITOR_ROLES
    opted_out = set(row.opted_out or [])
    initial = {"enabled": row.enabled, "recipients": [str(pk) for pk, _n, _e in candidates if pk not in opted_out]}
    form = SummarySettingsForm(request.POST if request.method == "POST" else None, initial=initial, candidates=candidates)
    if request.method == "POST":
        if not can_edit:
            return HttpResponse(status=403)
        if form.is_valid():
            weekly.summary_settings_save(
                tenant=tenant,
                actor=request.user,
                enabled=form.cleaned_data["enabled"],
                recipients=[int(pk) for pk in form.cleaned_data["recipients"]],
            )
            messages.success(request, _("Weekly summary settings saved."))
            return back_to_tenant(request, "economics:summary_settings")
    week = weekly.week_of(timezone.localdate())
    context = {
        "form": form,
        "can_edit": can_edit,
        "summary": weekly.weekly_figures(tenant=tenant, week=week),
        "sent": weekly.WeeklySummarySent.objects.filter(tenant=tenant).order_by("-week_start")[:5],
        "active": "summary",
    }
    return render(request, "economics/summary_settings.html", context, status=400 if request.method == "POST" else 200)
