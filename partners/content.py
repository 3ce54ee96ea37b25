"""The content library: sales material (files and links) that partner users see by partner type and tier.

Staff writes (``content_create``, ``content_update``, ``content_unpublish``) each run in one
transaction with their audit row. Partner reads go through :func:`content_for_partner` and
:func:`access_content_item`; a download goes through :func:`content_download`, which refuses
until the partner's sales access is open (``onboarding.services.require_sales_access``) and
counts the download as engagement. The portal and any later API call the same functions, so the
gate holds whichever way a partner user comes in, not only where a template hides a link.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from ecosystem.audit.services import audit_record, model_changes, snapshot
from ecosystem.errors import ApplicationError, NotFoundError
from ecosystem.tenancy.models import Tenant
from ecosystem.uploads import check_upload
from onboarding.services import require_sales_access

from .models import (
    CONTENT_FILE_EXTENSIONS,
    CONTENT_MAX_BYTES,
    ContentItem,
    ContentKind,
    EngagementKind,
    PartnerOrganization,
    PartnerType,
    Tier,
)
from .services import _person, engagement_record

AUDITED_FIELDS = ["title", "description", "kind", "url", "original_filename", "partner_types", "min_tier", "is_published"]
UPDATABLE_FIELDS = frozenset({"title", "description", "url", "file", "partner_types", "min_tier", "is_published"})

_https_only = URLValidator(schemes=["https"])


# --- validation ----------------------------------------------------------------------------------


def _clean_title(title: str | None) -> str:
    title = (title or "").strip()
    if not title:
        raise ApplicationError(_("Enter a title."), code="required", field="title")
    if len(title) > 200:
        raise ApplicationError(_("Use at most 200 characters."), code="max_length", field="title")
    return title


def _clean_url(url: str | None) -> str:
    url = (url or "").strip()
    if not url:
        raise ApplicationError(_("Enter the link's address."), code="required", field="url")
    if len(url) > 500:
        raise ApplicationError(_("Use at most 500 characters."), code="max_length", field="url")
    try:
        _https_only(url)
    except ValidationError:
        raise ApplicationError(
            _("Enter a full https:// address, for example https://example.com/deck."), code="invalid_url", field="url"
        ) from None
    return url


def _clean_partner_types(partner_types: Iterable[str] | None) -> list[str]:
    cleaned = sorted(set(partner_types or []))
    if any(value not in PartnerType.values for value in cleaned):
        raise ApplicationError(_("Choose partner types from the list."), code="invalid_choice", field="partner_types")
    return cleaned


def _clean_min_tier(tenant: Tenant, min_tier: Tier | None) -> Tier | None:
    """A tier of this program, or ``None`` for every partner."""
    if min_tier is None:
        return None
    if not isinstance(min_tier, Tier) or min_tier.tenant_id != tenant.pk:
        raise ApplicationError(_("Choose a tier from the list."), code="invalid_choice", field="min_tier")
    return min_tier


def _clean_file(upload: UploadedFile | None) -> tuple[UploadedFile, str]:
    """Check an upload's extension, size and first bytes; return it with the name to keep for people."""
    return check_upload(upload, extensions=CONTENT_FILE_EXTENSIONS, max_bytes=CONTENT_MAX_BYTES)


@contextmanager
def _removing_new_file_on_error(item: ContentItem, *, new_file: bool) -> Iterator[None]:
    """Saving the row writes an uploaded file to disk first; if the transaction then fails, remove that file.

    Only a file stored by this call is removed, never the one an unchanged item already had.
    """
    try:
        yield
    except Exception:
        if new_file and item.file._committed:
            _discard_file(item.file.storage, item.file.name)
        raise


def _discard_file(storage, name: str) -> None:
    if name and name.startswith("content/"):
        storage.delete(name)


# --- staff writes --------------------------------------------------------------------------------


def content_create(
    *,
    tenant: Tenant,
    actor: Any,
    title: str,
    kind: str,
    description: str = "",
    url: str = "",
    file: UploadedFile | None = None,
    partner_types: Iterable[str] | None = None,
    min_tier: Tier | None = None,
    is_published: bool = True,
) -> ContentItem:
    """Add a file or a link to the library. Nothing is stored, on disk or in the database, unless all is valid.

    Files: one of :data:`~partners.models.CONTENT_FILE_EXTENSIONS`, at most 25 MiB, content that
    matches the extension. Links: https only. ``min_tier``: only partners at that tier or above see it.
    """
    values: dict[str, Any] = {
        "title": _clean_title(title),
        "description": (description or "").strip(),
        "partner_types": _clean_partner_types(partner_types),
        "min_tier": _clean_min_tier(tenant, min_tier),
        "is_published": bool(is_published),
    }
    if kind == ContentKind.LINK:
        values["url"] = _clean_url(url)
    elif kind == ContentKind.FILE:
        upload, original = _clean_file(file)
        values.update(file=upload, original_filename=original, file_size=upload.size)
    else:
        raise ApplicationError(_("Choose a file or a link."), code="invalid_choice", field="kind")
    item = ContentItem(tenant=tenant, kind=kind, created_by=_person(actor), **values)
    with _removing_new_file_on_error(item, new_file=kind == ContentKind.FILE), transaction.atomic():
        item.save()
        audit_record(
            tenant=tenant,
            actor=actor,
            action="content.create",
            target=item,
            changes=model_changes(item, AUDITED_FIELDS, None),
        )
    return item


def content_update(*, tenant: Tenant, actor: Any, item: ContentItem, **values: Any) -> ContentItem:
    """Change an item's title, description, audience, publication, link, or replace its file.

    The kind stays what it was created as. A replaced file is deleted from disk after the commit.
    A change that changes nothing writes nothing and audits nothing.
    """
    unknown = set(values) - UPDATABLE_FIELDS
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)), code="read_only")
    cleaned: dict[str, Any] = {}
    if "title" in values:
        cleaned["title"] = _clean_title(values["title"])
    if "description" in values:
        cleaned["description"] = (values["description"] or "").strip()
    if "partner_types" in values:
        cleaned["partner_types"] = _clean_partner_types(values["partner_types"])
    if "min_tier" in values:
        cleaned["min_tier"] = _clean_min_tier(tenant, values["min_tier"])
    if "is_published" in values:
        cleaned["is_published"] = bool(values["is_published"])
    if item.kind == ContentKind.LINK and "url" in values:
        cleaned["url"] = _clean_url(values["url"])
    new_file = values.get("file") if item.kind == ContentKind.FILE else None
    if new_file is not None:
        upload, original = _clean_file(new_file)
        cleaned.update(original_filename=original, file_size=upload.size)
    with transaction.atomic():
        locked = ContentItem.objects.select_for_update(of=("self",)).select_related("min_tier").get(pk=item.pk)
        before = snapshot(locked, AUDITED_FIELDS)
        old_file = locked.file.name
        for field, value in cleaned.items():
            setattr(locked, field, value)
        if new_file is not None:
            locked.file = upload
        changes = model_changes(locked, AUDITED_FIELDS, before)
        if new_file is not None:
            changes["file"] = "replaced"
        if not changes:
            return locked
        with _removing_new_file_on_error(locked, new_file=new_file is not None), transaction.atomic():
            locked.save()
            audit_record(tenant=tenant, actor=actor, action="content.update", target=locked, changes=changes)
        if new_file is not None:
            storage = locked.file.storage
            transaction.on_commit(lambda: _discard_file(storage, old_file))
    return locked


def content_unpublish(*, tenant: Tenant, actor: Any, item: ContentItem) -> ContentItem:
    """Take an item out of the partner portal at once. It stays in the library (and in engagement history)."""
    with transaction.atomic():
        locked = ContentItem.objects.select_for_update().get(pk=item.pk)
        if locked.is_published:
            locked.is_published = False
            locked.save(update_fields=["is_published", "updated_at"])
            audit_record(
                tenant=tenant, actor=actor, action="content.unpublish", target=locked, changes={"is_published": [True, False]}
            )
    return locked


# --- reads ---------------------------------------------------------------------------------------


def for_partner_type(partner_type: str) -> Q:
    """Items meant for this partner type: those naming it, and those naming no type (for everyone)."""
    return Q(partner_types=[]) | Q(partner_types__contains=[partner_type])


def content_list(*, tenant: Tenant, partner_type: str | None = None, published: bool | None = None) -> QuerySet:
    """The whole library for staff, newest first; optionally what one partner type sees, or (un)published items."""
    queryset = ContentItem.objects.filter(tenant=tenant).select_related("min_tier").order_by("-created_at", "-id")
    if partner_type:
        queryset = queryset.filter(for_partner_type(partner_type))
    if published is not None:
        queryset = queryset.filter(is_published=published)
    return queryset


def for_tier_rank(rank: int | None) -> Q:
    """Items a partner whose tier has ``rank`` sees: those for every tier, and those whose lowest tier it reaches.

    A partner without a tier (``None``) sees only the items meant for every tier.
    """
    everyone = Q(min_tier__isnull=True)
    return everyone if rank is None else everyone | Q(min_tier__rank__lte=rank)


def _tier_rank(partner: PartnerOrganization) -> int | None:
    if partner.tier_id is None:
        return None
    return Tier.objects.filter(pk=partner.tier_id).values_list("rank", flat=True).first()


def content_for_partner(*, tenant: Tenant, partner: PartnerOrganization) -> QuerySet:
    """The published items for this partner's type and tier, newest first.

    Items naming no type are for every type; items with no lowest tier are for every tier. This
    is what the partner may see listed; downloading also needs the sales-access gate open.
    """
    queryset = content_list(tenant=tenant, partner_type=partner.partner_type, published=True)
    return queryset.filter(for_tier_rank(_tier_rank(partner)))


def tier_content_counts(*, tenant: Tenant, partner_type: str) -> dict[int, int]:
    """How many published items for this partner type each tier is the lowest tier of: ``{tier id: count}``.

    One query. Items for every tier are not counted: they are no tier's benefit.
    """
    rows = (
        content_list(tenant=tenant, partner_type=partner_type, published=True)
        .filter(min_tier__isnull=False)
        .order_by()
        .values("min_tier")
        .annotate(count=Count("id"))
    )
    return {row["min_tier"]: row["count"] for row in rows}


def access_content_item(*, tenant: Tenant, public_id: uuid.UUID | str, partner: PartnerOrganization | None = None) -> ContentItem:
    """The item with this public id. For a partner user (``partner``), only a published item for their type.

    Missing, foreign and not-for-you raise the same :class:`NotFoundError`.
    """
    queryset = (
        content_for_partner(tenant=tenant, partner=partner) if partner is not None else ContentItem.objects.filter(tenant=tenant)
    )
    try:
        return queryset.get(public_id=public_id)
    except (ContentItem.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFoundError() from None


# --- partner downloads ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ContentDelivery:
    """What to send for a download: an open file with the name to offer, or the https address of a link."""

    item: ContentItem
    file: File | None = None
    filename: str = ""
    redirect_url: str = ""


def content_download(*, tenant: Tenant, partner_id: int, user: Any, item: ContentItem) -> ContentDelivery:
    """Hand a partner user one item of the library, and count it as engagement.

    In order: the sales-access gate (``onboarding_incomplete`` until every agreement and security
    review is done), then visibility for the partner's type and tier (:class:`NotFoundError`
    otherwise, as for a missing item), then the file or link itself. Only a delivery that will
    happen is counted.
    """
    require_sales_access(tenant=tenant, partner_id=partner_id)
    partner = PartnerOrganization.objects.filter(tenant=tenant, pk=partner_id).select_related("tier").first()
    if partner is None or item.tenant_id != tenant.pk:
        raise NotFoundError()
    if not item.is_visible_to(partner.partner_type, tier_rank=partner.tier.rank if partner.tier else None):
        raise NotFoundError()
    if item.kind == ContentKind.LINK:
        if not item.url.startswith("https://"):  # the check constraint says so too; never redirect elsewhere
            raise NotFoundError()
        delivery = ContentDelivery(item=item, redirect_url=item.url)
    else:
        try:
            handle = item.file.storage.open(item.file.name, "rb")
        except (FileNotFoundError, ValueError):
            raise NotFoundError() from None
        delivery = ContentDelivery(item=item, file=handle, filename=item.original_filename or os.path.basename(item.file.name))
    engagement_record(
        tenant=tenant,
        partner_id=partner_id,
        kind=EngagementKind.CONTENT_DOWNLOAD,
        user=_person(user),
        data={"item": str(item.public_id), "title": item.title, "kind": item.kind},
    )
    return delivery
