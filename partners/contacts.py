"""A partner's contacts: the people at a partner organisation the vendor's staff deal with.

Writes (tenant first, actor explicit, one audit row each) and reads. One contact per email address per
partner, whatever its case: the unique index ``partner_contact_email_unique_per_partner`` is the last
word, and a clash is reported as ``duplicate_email`` on ``email``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from ecosystem.audit.services import audit_record, model_changes, snapshot
from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.tenancy.models import Tenant

from .models import ContactRole, PartnerContact, PartnerOrganization

CONTACT_FIELDS = ["name", "email", "phone", "job_title", "role"]
MAX_LENGTHS = {"name": 200, "email": 254, "phone": 40, "job_title": 120}


def clean_contact(values: dict[str, Any]) -> dict[str, Any]:
    """The contact fields present in ``values``, trimmed and checked; raise on the first bad one (naming it)."""
    cleaned = {field: " ".join(str(values[field] or "").split()) for field in CONTACT_FIELDS if field in values}
    if "email" in cleaned:
        cleaned["email"] = cleaned["email"].replace(" ", "")
    for field, limit in MAX_LENGTHS.items():
        if len(cleaned.get(field, "")) > limit:
            raise ApplicationError(_("Use at most %(n)s characters.") % {"n": limit}, code="max_length", field=field)
    if "name" in cleaned and not cleaned["name"]:
        raise ApplicationError(_("Enter the contact's name."), code="required", field="name")
    if "email" in cleaned:
        if not cleaned["email"]:
            raise ApplicationError(_("Enter the contact's email address."), code="required", field="email")
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            raise ApplicationError(_("Enter a valid email address."), code="invalid_email", field="email") from None
    if "role" in cleaned:
        cleaned["role"] = cleaned["role"] or ContactRole.OTHER
        if cleaned["role"] not in ContactRole.values:
            raise ApplicationError(_("Choose a valid role."), code="invalid_choice", field="role")
    return cleaned


def _duplicate_email() -> ApplicationError:
    return ApplicationError(
        _("This partner already has a contact with this email address."), code="duplicate_email", field="email"
    )


def _save_guarding_email(contact: PartnerContact) -> None:
    try:
        with transaction.atomic():
            contact.save()
    except IntegrityError as error:
        if "partner_contact_email_unique_per_partner" in str(error):
            raise _duplicate_email() from error
        raise


def _email_taken(*, partner_id: int, email: str, exclude_pk: int | None = None) -> bool:
    others = PartnerContact.objects.annotate(email_folded=Lower("email")).filter(
        partner_id=partner_id, email_folded=email.lower()
    )
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.exists()


def partner_contact_create(
    *,
    tenant: Tenant,
    actor: Any,
    partner: PartnerOrganization,
    name: str,
    email: str,
    phone: str = "",
    job_title: str = "",
    role: str = ContactRole.OTHER,
) -> PartnerContact:
    """Add a contact to a partner of the tenant. Invariant: one contact per (partner, email, any case)."""
    if partner.tenant_id != tenant.pk:
        raise NotFoundError()
    values = clean_contact({"name": name, "email": email, "phone": phone, "job_title": job_title, "role": role})
    with transaction.atomic():
        if _email_taken(partner_id=partner.pk, email=values["email"]):
            raise _duplicate_email()
        contact = PartnerContact(tenant=tenant, partner=partner, **values)
        _save_guarding_email(contact)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="partner.contact_create",
            target=contact,
            changes={"partner": str(partner.public_id), **model_changes(contact, CONTACT_FIELDS, None)},
        )
    return contact


def partner_contact_update(*, tenant: Tenant, actor: Any, contact: PartnerContact, **values: Any) -> PartnerContact:
    """Change some of a contact's fields; a change that changes nothing writes and audits nothing.

    Locks the contact's row. Errors name their field (``duplicate_email`` on ``email``).
    """
    unknown = set(values) - set(CONTACT_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)), code="read_only")
    values = clean_contact(values)
    with transaction.atomic():
        locked = PartnerContact.objects.select_for_update().get(tenant=tenant, pk=contact.pk)
        before = snapshot(locked, CONTACT_FIELDS)
        for field, value in values.items():
            setattr(locked, field, value)
        changes = model_changes(locked, CONTACT_FIELDS, before)
        if not changes:
            return locked
        if "email" in changes and _email_taken(partner_id=locked.partner_id, email=locked.email, exclude_pk=locked.pk):
            raise _duplicate_email()
        _save_guarding_email(locked)
        audit_record(tenant=tenant, actor=actor, action="partner.contact_update", target=locked, changes=changes)
    return locked


def partner_contact_delete(*, tenant: Tenant, actor: Any, contact: PartnerContact) -> None:
    """Remove a contact; the audit row keeps who it was."""
    with transaction.atomic():
        locked = PartnerContact.objects.select_for_update().filter(tenant=tenant, pk=contact.pk).first()
        if locked is None:
            return
        audit_record(
            tenant=tenant,
            actor=actor,
            action="partner.contact_delete",
            target=locked,
            changes={"partner_id": locked.partner_id, **snapshot(locked, CONTACT_FIELDS)},
        )
        locked.delete()


# --- reads -----------------------------------------------------------------------------------------


def partner_contacts(*, tenant: Tenant, partner_id: int) -> QuerySet:
    """One partner's contacts, by name: one query, whatever their number."""
    return PartnerContact.objects.filter(tenant=tenant, partner_id=partner_id).order_by("name", "id")


def contact_list(*, tenant: Tenant, partner_id: int | None = None) -> QuerySet:
    """The tenant's contacts with their partner (joined); ``partner_id`` narrows to one organisation."""
    contacts = PartnerContact.objects.filter(tenant=tenant).select_related("partner")
    return contacts if partner_id is None else contacts.filter(partner_id=partner_id)


def access_contact(*, tenant: Tenant, public_id: uuid.UUID | str, partner: PartnerOrganization | None = None) -> PartnerContact:
    """The contact with this public id (of ``partner`` when given); missing and foreign raise the same NotFoundError."""
    contacts = PartnerContact.objects.filter(tenant=tenant)
    if partner is not None:
        contacts = contacts.filter(partner=partner)
    try:
        return contacts.select_related("partner").get(public_id=public_id)
    except (PartnerContact.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFoundError() from None
