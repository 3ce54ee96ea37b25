"""Reads: everything a tenant holds about one person, the member pages' look-ups, the retention setting."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from ecosystem.accounts.models import Membership, User
from ecosystem.tenancy.access import access_row
from ecosystem.tenancy.context import across_partners
from ecosystem.tenancy.models import Tenant

from .models import RETENTION_DEFAULT_DAYS, ErasedPerson, PrivacySettings
from .sources import EMAIL_SOURCES, SOURCES, exported_columns

FORMAT_VERSION = 1


def access_member(*, tenant: Tenant, membership_id: uuid.UUID | str) -> Membership:
    """A membership of ``tenant`` by public id (staff or partner user), NotFoundError otherwise."""
    return access_row(Membership.objects.select_related("user", "partner"), tenant=tenant, public_id=membership_id)


def people_list(*, tenant: Tenant, query: str = "") -> QuerySet[Membership]:
    """Every membership of ``tenant`` (staff and partner users, current and removed), each annotated with
    ``erased_as``: the pseudonym once the tenant erased the person, else None. ``query``: see :func:`people_search`."""
    erased = ErasedPerson.objects.filter(tenant=tenant, user=OuterRef("user_id")).values("label")[:1]
    members = Membership.objects.filter(tenant=tenant).select_related("user", "partner").annotate(erased_as=Subquery(erased))
    return people_search(members, query=query)


def people_search(members: QuerySet[Membership], *, query: str) -> QuerySet[Membership]:
    """``people_list`` rows whose name or address contains ``query`` (people not erased) or whose pseudonym
    does (erased people): a search by someone's address never tells which pseudonym was theirs."""
    query = query.strip()
    if not query:
        return members
    return members.filter(
        Q(erased_as__isnull=True) & (Q(user__email__icontains=query) | Q(user__full_name__icontains=query))
        | Q(erased_as__icontains=query)
    )


def erased_label(*, tenant: Tenant, user: User) -> str | None:
    """The pseudonym this tenant shows for ``user`` once it erased them, else None."""
    return ErasedPerson.objects.filter(tenant=tenant, user=user).values_list("label", flat=True).first()


def person_data(*, tenant: Tenant, user: User) -> dict[str, Any]:
    """Everything ``tenant`` holds about ``user``, as JSON-safe data (what the export file contains).

    ``profile``: the account as this tenant sees it (only the pseudonym once the tenant erased the person).
    ``records``: for each model in :data:`~ecosystem.privacy.sources.SOURCES`, the rows where one of its
    user columns is the person, with their plain columns and ``person_is`` (which user columns are them).
    ``by_email``: rows that hold the person's address as text (invitations, applications).
    One query per model; read in the caller's scope, so a partner user's own download sees the rows of
    their partner organisation only (the database's partner policy).
    """
    label = erased_label(tenant=tenant, user=user)
    profile: dict[str, Any] = {"public_id": user.public_id}
    if label is None:
        profile |= {
            "email": user.email,
            "full_name": user.full_name,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "is_active": user.is_active,
        }
    else:
        profile["erased_as"] = label

    records: dict[str, list[dict[str, Any]]] = {}
    for model_label, source in SOURCES.items():
        model = apps.get_model(model_label)
        columns = exported_columns(model, source)
        user_columns = [model._meta.get_field(name).attname for name in source.user_fields]
        match = Q()
        for name in source.user_fields:
            match |= Q(**{name: user})
        rows = model.objects.filter(tenant=tenant).filter(match).order_by("pk").values(*columns, *user_columns)
        records[model._meta.label_lower] = [_shaped(row, source.user_fields, user_columns, user.pk) for row in rows]

    by_email: dict[str, list[dict[str, Any]]] = {}
    for model_label, email_source in EMAIL_SOURCES.items():
        model = apps.get_model(model_label)
        columns = exported_columns(model, SOURCES[model_label])
        rows = model.objects.filter(tenant=tenant, **{f"{email_source.email_field}__iexact": user.email}).order_by("pk")
        by_email[model._meta.label_lower] = list(rows.values(*columns))

    data = {
        "format": FORMAT_VERSION,
        "generated_at": timezone.now(),
        "program": {"name": tenant.name, "slug": tenant.slug},
        "profile": profile,
        "records": records,
        "by_email": by_email,
    }
    # Dates, decimals and UUIDs as the strings JSON carries them in.
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def own_person_data(*, tenant: Tenant, user: User) -> dict[str, Any]:
    """``person_data`` of the signed-in person themselves, read across the tenant's partner organisations.

    A partner user's scope hides staff-only tables and other partners' rows; every query here is
    filtered to rows that name this person, so they get all of it, as an owner's export of them would.
    """
    with across_partners(reason="a person's own data: every query is filtered to the rows that name them"):
        return person_data(tenant=tenant, user=user)


def _shaped(row: dict[str, Any], user_fields: tuple[str, ...], user_columns: list[str], user_id: int) -> dict[str, Any]:
    """One exported row: its plain columns and which user columns name the person (never other people's ids)."""
    ids = {name: row.pop(column) for name, column in zip(user_fields, user_columns, strict=True)}
    row["person_is"] = [name for name, value in ids.items() if value == user_id]
    return row


def record_counts(data: dict[str, Any]) -> list[tuple[str, int]]:
    """(model label, rows) for the non-empty sections of a ``person_data`` result, for the member page."""
    sections = {**data["records"], **{f"{key} (by address)": rows for key, rows in data["by_email"].items()}}
    return sorted((label, len(rows)) for label, rows in sections.items() if rows)


def retention_days(*, tenant: Tenant) -> int:
    """How many days engagement events are kept in ``tenant`` (the default without a settings row)."""
    days = PrivacySettings.objects.filter(tenant=tenant).values_list("engagement_retention_days", flat=True).first()
    return days or RETENTION_DEFAULT_DAYS


def privacy_settings(*, tenant: Tenant) -> PrivacySettings:
    """The tenant's settings row, or an unsaved one with the defaults."""
    return PrivacySettings.objects.filter(tenant=tenant).first() or PrivacySettings(tenant=tenant)
