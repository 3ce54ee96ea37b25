"""Vendor portal: a partner's contacts (added, edited, removed on the partner's page) and the CSV imports
of partners and of contacts (owners and partner managers; analysts read the contacts only).

The imports are all or nothing: a file with one bad row writes nothing and the page lists every problem
(row, column, message). A browser cannot keep a chosen file across requests, so the page says to
choose it again once corrected. ``?template=csv`` on an import page downloads its template file.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deals.imports import ImportFileInvalid
from ecosystem.accounts.models import PARTNER_EDITOR_ROLES
from ecosystem.errors import ApplicationError
from ecosystem.exports import csv_response
from ecosystem.portal.base import back_to_tenant, roles_required

from . import contacts, imports, selectors
from .forms import CsvImportForm, PartnerContactForm

IMPORTS = {
    "partners": (imports.partners_import, imports.PARTNER_COLUMNS),
    "contacts": (imports.partner_contacts_import, imports.CONTACT_COLUMNS),
}


def _import_page(request: HttpRequest, kind: str) -> HttpResponse:
    run, columns = IMPORTS[kind]
    if request.method == "GET" and request.GET.get("template") == "csv":
        header, *examples = imports.template_rows(kind)
        return csv_response(filename=f"{kind}-import-template.csv", header=header, rows=examples)
    form = CsvImportForm(request.POST, request.FILES) if request.method == "POST" else CsvImportForm()
    context: dict = {"form": form, "kind": kind, "columns": columns, "result": None, "errors": [], "file_error": ""}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = run(tenant=request.tenant, actor=request.user, data=upload.read())
            except ImportFileInvalid as invalid:
                context["file_error"] = invalid.message
            else:
                if result.ok:
                    status = 200
                    context["result"] = result
                else:
                    context["errors"] = result.errors
            context["file_name"] = upload.name
    return render(request, "partners/import.html", context, status=status)


@roles_required(*PARTNER_EDITOR_ROLES)
def partner_import(request: HttpRequest) -> HttpResponse:
    return _import_page(request, "partners")


@roles_required(*PARTNER_EDITOR_ROLES)
def contact_import(request: HttpRequest) -> HttpResponse:
    return _import_page(request, "contacts")


def _contact_form_page(request: HttpRequest, partner, contact=None) -> HttpResponse:
    initial = {field: getattr(contact, field) for field in contacts.CONTACT_FIELDS} if contact else None
    form = PartnerContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if contact is None:
                contacts.partner_contact_create(tenant=request.tenant, actor=request.user, partner=partner, **form.cleaned_data)
            else:
                contacts.partner_contact_update(tenant=request.tenant, actor=request.user, contact=contact, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Contact saved."))
            return back_to_tenant(request, "partners:detail", partner_id=partner.public_id)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "partner": partner, "contact": contact}
    return render(request, "partners/contact_form.html", context, status=status)


@roles_required(*PARTNER_EDITOR_ROLES)
def contact_create(request: HttpRequest, partner_id) -> HttpResponse:
    partner = selectors.access_partner(tenant=request.tenant, public_id=partner_id)
    return _contact_form_page(request, partner)


@roles_required(*PARTNER_EDITOR_ROLES)
def contact_edit(request: HttpRequest, partner_id, contact_id) -> HttpResponse:
    partner = selectors.access_partner(tenant=request.tenant, public_id=partner_id)
    contact = contacts.access_contact(tenant=request.tenant, public_id=contact_id, partner=partner)
    return _contact_form_page(request, partner, contact)


@require_POST
@roles_required(*PARTNER_EDITOR_ROLES)
def contact_delete(request: HttpRequest, partner_id, contact_id) -> HttpResponse:
    partner = selectors.access_partner(tenant=request.tenant, public_id=partner_id)
    contact = contacts.access_contact(tenant=request.tenant, public_id=contact_id, partner=partner)
    contacts.partner_contact_delete(tenant=request.tenant, actor=request.user, contact=contact)
    messages.success(request, _("%(name)s was removed from the contacts.") % {"name": contact.name})
    return back_to_tenant(request, "partners:detail", partner_id=partner.public_id)
