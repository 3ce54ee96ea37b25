"""Every write to partner organisations. Tenant first, actor explicit, one audit row per change."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from ecosystem.audit.services import audit_record, model_changes, snapshot
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.models import Tenant
from ecosystem.uploads import check_upload

from .domains import normalize_domain
from .models import (
    LOGO_EXTENSIONS,
    LOGO_MAX_BYTES,
    Capability,
    EngagementEvent,
    PartnerOrganization,
    PartnerStatus,
    PartnerStatusChange,
    PartnerType,
    Region,
)

EDITABLE_FIELDS = ["name", "partner_type", "website_domain", "country", "status"]


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise the editable fields present in ``values``; raise on the first bad one."""
    cleaned = dict(values)
    if "name" in cleaned:
        cleaned["name"] = (cleaned["name"] or "").strip()
        if not cleaned["name"]:
            raise ApplicationError(_("Enter the partner's name."), code="required", field="name")
        if len(cleaned["name"]) > 200:
            raise ApplicationError(_("Use at most 200 characters."), code="max_length", field="name")
    if "partner_type" in cleaned and cleaned["partner_type"] not in PartnerType.values:
        raise ApplicationError(_("Choose a valid partner type."), code="invalid_choice", field="partner_type")
    if "status" in cleaned and cleaned["status"] not in PartnerStatus.values:
        raise ApplicationError(_("Choose a valid status."), code="invalid_choice", field="status")
    if "country" in cleaned:
        cleaned["country"] = (str(cleaned["country"] or "")).upper()
        if cleaned["country"] and cleaned["country"] not in countries:
            raise ApplicationError(_("Choose a valid country."), code="invalid_choice", field="country")
    if "website_domain" in cleaned:
        cleaned["website_domain"] = normalize_domain(cleaned["website_domain"])
    return cleaned


def _duplicate_domain() -> ApplicationError:
    return ApplicationError(
        _("Another partner in this program already uses this website domain."),
        code="duplicate_domain",
        field="website_domain",
    )


def _save_guarding_domain(partner: PartnerOrganization) -> None:
    """The partial unique index decides races between two writers of the same domain."""
    try:
        with transaction.atomic():
            partner.save()
    except IntegrityError as error:
        if "partner_domain_unique_per_tenant" in str(error):
            raise _duplicate_domain() from error
        raise


def partner_create(
    *,
    tenant: Tenant,
    actor: Any,
    name: str,
    partner_type: str,
    website_domain: str = "",
    country: str = "",
    status: str = PartnerStatus.PROSPECT,
) -> PartnerOrganization:
    """Add a partner organisation to the tenant's program.

    Invariant: at most one partner per non-empty website domain in a tenant (normalised, see
    :func:`partners.domains.normalize_domain`); the unique index is the last word under concurrency.
    """
    values = _clean(
        {"name": name, "partner_type": partner_type, "website_domain": website_domain, "country": country, "status": status}
    )
    with transaction.atomic():
        if values["website_domain"] and PartnerOrganization.objects.filter(website_domain=values["website_domain"]).exists():
            raise _duplicate_domain()
        partner = PartnerOrganization(tenant=tenant, **values)
        _save_guarding_domain(partner)
        PartnerStatusChange.objects.create(
            tenant=tenant, partner=partner, from_status="", to_status=partner.status, changed_by=_person(actor)
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="partner.create",
            target=partner,
            changes=model_changes(partner, EDITABLE_FIELDS, None),
        )
    return partner


def partner_update(
    *, tenant: Tenant, actor: Any, partner: PartnerOrganization, reason: str = "", offboarding: bool = False, **values: Any
) -> PartnerOrganization:
    """Change some of a partner's editable fields; a no-op change writes nothing and audits nothing.

    A change of status is also kept in the partner's lifecycle history, with ``reason``. Moving a
    partner into or out of ``retired`` also ends or restores its users' access, so only
    :mod:`partners.lifecycle` may do it (``offboarding=True``); the edit form and the API are refused.
    """
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)), code="read_only")
    values = _clean(values)
    with transaction.atomic():
        locked = PartnerOrganization.objects.select_for_update().get(pk=partner.pk)
        before = snapshot(locked, EDITABLE_FIELDS)
        for field, value in values.items():
            setattr(locked, field, value)
        changes = model_changes(locked, EDITABLE_FIELDS, before)
        if not changes:
            return locked
        if "status" in changes and PartnerStatus.RETIRED in (before["status"], locked.status) and not offboarding:
            raise ApplicationError(
                _("Use Retire or Reactivate on the partner's page: they also end or restore its users' access."),
                code="use_offboarding",
                field="status",
            )
        domain_taken = (
            "website_domain" in changes
            and locked.website_domain
            and PartnerOrganization.objects.filter(website_domain=locked.website_domain).exclude(pk=locked.pk).exists()
        )
        if domain_taken:
            raise _duplicate_domain()
        _save_guarding_domain(locked)
        if "status" in changes:
            PartnerStatusChange.objects.create(
                tenant=tenant,
                partner=locked,
                from_status=before["status"],
                to_status=locked.status,
                reason=(reason or "")[:300],
                changed_by=_person(actor),
            )
        audit_record(tenant=tenant, actor=actor, action="partner.update", target=locked, changes=changes)
    return locked


def _person(actor: Any):
    """The user behind an action, if a person (API keys and the system are not)."""
    from ecosystem.accounts.selectors import person_of

    return person_of(actor)


def engagement_record(
    *, tenant: Tenant, partner_id: int, kind: str, user=None, data: dict | None = None, at=None
) -> EngagementEvent:
    """Note something a partner's people did. Not audited: it is activity, not a change of record."""
    return EngagementEvent.objects.create(
        tenant=tenant, partner_id=partner_id, user=user, kind=kind, occurred_at=at or timezone.now(), data=data or {}
    )


def clean_regions(regions: list[str] | None) -> list[str]:
    """Distinct, sorted region codes; anything off the list is refused (field ``regions``)."""
    cleaned = sorted(set(regions or []))
    if any(region not in Region.values for region in cleaned):
        raise ApplicationError(_("Choose regions from the list."), code="invalid_choice", field="regions")
    return cleaned


def clean_capabilities(*, tenant: Tenant, slugs: list[str] | None) -> list[str]:
    """Distinct, sorted capability keys of this tenant's list; others are refused (field ``capabilities``)."""
    cleaned = sorted(set(slugs or []))
    known = set(Capability.objects.filter(tenant=tenant, slug__in=cleaned).values_list("slug", flat=True))
    if set(cleaned) - known:
        raise ApplicationError(_("Choose capabilities from the list."), code="invalid_choice", field="capabilities")
    return cleaned


def partner_profile_update(
    *, tenant: Tenant, actor: Any, partner: PartnerOrganization, description: str, regions: list[str], capabilities: list[str]
) -> PartnerOrganization:
    """The partner's own profile (what it says about itself): description, regions, capabilities."""
    regions = clean_regions(regions)
    capabilities = clean_capabilities(tenant=tenant, slugs=capabilities)
    description = (description or "").strip()[:2000]
    with transaction.atomic():
        locked = PartnerOrganization.objects.select_for_update().get(pk=partner.pk)
        before = snapshot(locked, PROFILE_FIELDS)
        locked.description, locked.regions, locked.capabilities = description, regions, capabilities
        changes = model_changes(locked, PROFILE_FIELDS, before)
        if changes:
            locked.save(update_fields=[*PROFILE_FIELDS, "updated_at"])
            audit_record(tenant=tenant, actor=actor, action="partner.profile_update", target=locked, changes=changes)
    return locked


PROFILE_FIELDS = ["description", "regions", "capabilities"]


def capability_add(*, tenant: Tenant, actor: Any, name: str) -> Capability:
    """A capability partners can claim and the application page offers."""
    from django.utils.text import slugify

    name = (name or "").strip()[:80]
    slug = slugify(name)[:80]
    if not slug:
        raise ApplicationError(_("Name the capability."), code="required", field="name")
    with transaction.atomic():
        capability, created = Capability.objects.get_or_create(tenant=tenant, slug=slug, defaults={"name": name})
        if not created:
            raise ApplicationError(_("This capability is already on the list."), code="duplicate_capability", field="name")
        audit_record(tenant=tenant, actor=actor, action="setup.capability_add", target=capability)
    return capability


# --- logos ---------------------------------------------------------------------------------------

LOGO_CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg"}


def _discard_logo(storage, name: str) -> None:
    if name and name.startswith("logos/"):  # never anything outside the logos folder
        storage.delete(name)


@contextmanager
def _removing_new_logo_on_error(partner: PartnerOrganization) -> Iterator[None]:
    """Saving the row writes the uploaded file to disk first; if the transaction then fails, remove that file."""
    try:
        yield
    except Exception:
        if partner.logo and partner.logo._committed:
            _discard_logo(partner.logo.storage, partner.logo.name)
        raise


def partner_logo_set(
    *, tenant: Tenant, actor: Any, partner: PartnerOrganization, upload: UploadedFile | None
) -> PartnerOrganization:
    """Give the partner a new logo: PNG or JPG, at most 1 MiB, content that matches the extension
    (:func:`ecosystem.uploads.check_upload`, errors on ``logo``). Nothing is stored unless all is valid.

    Locks the partner row. The previous file is deleted only after the commit; the new file is
    removed again if saving the row or its audit fails.
    """
    upload, original = check_upload(upload, extensions=LOGO_EXTENSIONS, max_bytes=LOGO_MAX_BYTES, field="logo")
    with transaction.atomic():
        locked = PartnerOrganization.objects.select_for_update().get(tenant=tenant, pk=partner.pk)
        old_name = locked.logo.name
        locked.logo = upload
        with _removing_new_logo_on_error(locked), transaction.atomic():
            locked.save(update_fields=["logo", "updated_at"])
            audit_record(
                tenant=tenant,
                actor=actor,
                action="partner.logo_set",
                target=locked,
                changes={"logo": "replaced" if old_name else "added", "file": original, "size": upload.size},
            )
        if old_name:
            storage = locked.logo.storage
            transaction.on_commit(lambda: _discard_logo(storage, old_name))
    return locked


def partner_logo_remove(*, tenant: Tenant, actor: Any, partner: PartnerOrganization) -> PartnerOrganization:
    """Take the partner's logo away; the file is deleted after the commit. No logo: nothing happens."""
    with transaction.atomic():
        locked = PartnerOrganization.objects.select_for_update().get(tenant=tenant, pk=partner.pk)
        old_name = locked.logo.name
        if not old_name:
            return locked
        storage = locked.logo.storage
        locked.logo = ""
        locked.save(update_fields=["logo", "updated_at"])
        audit_record(tenant=tenant, actor=actor, action="partner.logo_remove", target=locked, changes={"logo": "removed"})
        transaction.on_commit(lambda: _discard_logo(storage, old_name))
    return locked


def partner_logo_content_type(partner: PartnerOrganization) -> str:
    """The content type to serve the stored logo with, from its (checked) extension."""
    return LOGO_CONTENT_TYPES.get(partner.logo.name.rsplit(".", 1)[-1].lower(), "application/octet-stream")
