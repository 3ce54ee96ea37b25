"""Who may change training setup, and how a change without a form of its own is run and reported."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES
from ecosystem.errors import ApplicationError
from ecosystem.portal.base import back_to_tenant


def _form_error(form: forms.Form, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _require_editor(request: HttpRequest) -> None:
    if request.membership.role not in PARTNER_EDITOR_ROLES:
        raise PermissionDenied(_("Your role does not allow this."))


def _can_edit(request: HttpRequest) -> bool:
    return request.membership.role in PARTNER_EDITOR_ROLES


def _action(request: HttpRequest, action: Callable[[], object], success: str, back: str, **kwargs) -> HttpResponse:
    """Run one change without a form of its own; report its refusal or ``success`` and go ``back``."""
    try:
        action()
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return back_to_tenant(request, back, **kwargs)
