"""Credential issuers: the outside services that verify certifications partners hold."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from ecosystem.accounts.models import STAFF_ROLES
from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.portal.base import back_to_tenant, roles_required
from onboarding.issuers import credential_issuer_save
from onboarding.models import CredentialIssuer, CredentialIssuerSecret

from .editing import _can_edit, _form_error, _require_editor
from .forms import IssuerForm


def _issuer(request: HttpRequest, issuer_slug: str) -> CredentialIssuer:
    issuer = CredentialIssuer.objects.filter(tenant=request.tenant, slug=issuer_slug).first()
    if issuer is None:
        raise NotFoundError()
    return issuer


@roles_required(*STAFF_ROLES)
def issuer_list(request: HttpRequest) -> HttpResponse:
    # Only the secret's last four characters are read (kept beside the encrypted secret).
    tail = CredentialIssuerSecret.objects.filter(issuer=OuterRef("pk")).values("secret_tail")[:1]
    issuers = CredentialIssuer.objects.filter(tenant=request.tenant).annotate(secret_tail=Subquery(tail)).order_by("name", "id")
    return render(request, "onboarding/setup/issuers.html", {"issuers": issuers, "can_edit": _can_edit(request)})


def _issuer_form_page(request: HttpRequest, issuer: CredentialIssuer | None) -> HttpResponse:
    if request.method == "POST":
        _require_editor(request)
    initial = (
        {"name": issuer.name, "slug": issuer.slug, "endpoint_url": issuer.endpoint_url, "is_active": issuer.is_active}
        if issuer
        else None
    )
    form = IssuerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            credential_issuer_save(tenant=request.tenant, actor=request.user, issuer=issuer, **form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Issuer saved."))
            return back_to_tenant(request, "setup:issuers")
    if issuer is not None:
        form.fields["secret"].help_text = _("Set: %(masked)s. Leave blank to keep it; type a new one to rotate it.") % {
            "masked": issuer.masked_secret or "—"
        }
    status = 400 if request.method == "POST" else 200
    context = {"issuer": issuer, "form": form, "can_edit": _can_edit(request)}
    return render(request, "onboarding/setup/issuer_form.html", context, status=status)


@roles_required(*STAFF_ROLES)
def issuer_create(request: HttpRequest) -> HttpResponse:
    return _issuer_form_page(request, None)


@roles_required(*STAFF_ROLES)
def issuer_edit(request: HttpRequest, issuer_slug: str) -> HttpResponse:
    return _issuer_form_page(request, _issuer(request, issuer_slug))
