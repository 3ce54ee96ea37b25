"""Writes: the audited export, erasure (pseudonymisation) of a person, retention settings and the purge."""

from __future__ import annotations

import datetime
from typing import Any

from django.apps import apps
from django.contrib.postgres.fields import ArrayField
from django.db import transaction
from django.db.models import F, Func, JSONField, Q, TextField, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.models import Membership, Role, User
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import tenant_atomic, user_context
from ecosystem.tenancy.models import Tenant
from partners.models import EngagementEvent

from .models import RETENTION_MAX_DAYS, RETENTION_MIN_DAYS, ErasedPerson, PrivacySettings
from .selectors import own_person_data, person_data, retention_days
from .sources import DETACH, EMAIL, EMAIL_SOURCES, LABEL, NULL, PSEUDONYMISE, SOURCES

PURGE_BATCH_SIZE = 5_000


def erased_label_for(user: User) -> str:
    return f"Erased person #{user.pk}"


def erased_email_for(user: User) -> str:
    return f"erased-{user.pk}@invalid"


def person_data_export(*, tenant: Tenant, actor: User, user: User) -> dict[str, Any]:
    """``person_data`` of ``user`` for a download, with a ``privacy.export`` audit row naming whose data left.

    A person downloading their own data reads it across partners (``own_person_data``); the audit row
    is written back in their own scope.

    The audit row carries the person's public id and the number of rows, never the data itself.
    """
    own = actor.pk == user.pk
    data = own_person_data(tenant=tenant, user=user) if own else person_data(tenant=tenant, user=user)
    rows = sum(map(len, data["records"].values())) + sum(map(len, data["by_email"].values()))
    with transaction.atomic():
        audit_record(
            tenant=tenant,
            actor=actor,
            action="privacy.export",
            changes={"person": str(user.public_id), "own_data": own, "rows": rows},
        )
    return data


def person_erase(
    *, tenant: Tenant, actor: User, actor_membership: Membership | None, membership: Membership, confirm_email: str
) -> ErasedPerson:
    """Erase the person of ``membership`` from ``tenant``: pseudonymise what must remain, detach the rest.

    * the membership is deactivated (refused for oneself and for the program's last active owner;
      the owners are locked first, in the same order as ``membership_deactivate``);
    * each source's erase rule is applied (``ecosystem.privacy.sources``): text copies of the
      person's name and address become "Erased person #<id>" / erased-<id>@invalid, engagement events
      lose their user, the audit log stays as written (its trigger forbids changes, by design);
    * when the person belongs to no other program, the account itself is pseudonymised: address
      erased-<id>@invalid, name emptied, password unusable, inactive, sign-in addresses and
      authenticators removed. Otherwise other programs keep their account and this tenant shows the
      pseudonym (:class:`ErasedPerson`).

    One ``privacy.erase`` audit row with the pseudonym and row counts, without the erased values.
    """
    user = membership.user
    if (confirm_email or "").strip().lower() != user.email.lower():
        raise ApplicationError(
            _("Type the person's email address exactly to confirm."), code="confirmation_mismatch", field="confirm_email"
        )
    if actor_membership is not None and actor_membership.pk == membership.pk:
        raise ApplicationError(_("You cannot erase yourself."), code="self_erasure", field="confirm_email")
    label = erased_label_for(user)
    replacements = {LABEL: label, EMAIL: erased_email_for(user), NULL: None}
    with transaction.atomic():
        owners = set(
            Membership.objects.select_for_update()
            .filter(tenant=tenant, role=Role.OWNER, is_active=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        locked = Membership.objects.select_for_update().get(tenant=tenant, pk=membership.pk)
        if locked.role == Role.OWNER and locked.is_active and not owners - {locked.pk}:
            raise ApplicationError(_("A program needs at least one owner."), code="last_owner", field="confirm_email")
        if ErasedPerson.objects.filter(tenant=tenant, user=user).exists():
            raise ApplicationError(_("This person was already erased."), code="already_erased", field="confirm_email")
        if locked.is_active:
            locked.is_active = False
            locked.save(update_fields=["is_active"])

        counts: dict[str, int] = {}
        for model_label, source in SOURCES.items():
            model = apps.get_model(model_label)
            if source.erase == DETACH:
                changed = sum(
                    model.objects.filter(tenant=tenant, **{name: user}).update(**{name: None}) for name in source.user_fields
                )
            elif source.erase == PSEUDONYMISE:
                match = Q()
                for name in source.user_fields:
                    match |= Q(**{name: user})
                rows = model.objects.filter(tenant=tenant).filter(match)
                values = {column: replacements[kind] for column, kind in source.replace.items()}
                changed = rows.update(**values) if values else 0
                for column, key in source.json_replace.items():
                    changed += rows.filter(**{f"{column}__has_key": key}).update(
                        **{
                            column: Func(
                                F(column),
                                Value([key], output_field=ArrayField(TextField())),
                                Value(label, output_field=JSONField()),
                                function="jsonb_set",
                                output_field=JSONField(),
                            )
                        }
                    )
            else:
                continue
            if changed:
                counts[model._meta.label_lower] = changed
        for model_label, email_source in EMAIL_SOURCES.items():
            model = apps.get_model(model_label)
            values = {column: replacements[kind] for column, kind in email_source.replace.items()}
            changed = model.objects.filter(tenant=tenant, **{f"{email_source.email_field}__iexact": user.email}).update(**values)
            if changed:
                counts[f"{model._meta.label_lower} (by address)"] = changed

        erased = ErasedPerson.objects.create(tenant=tenant, user=user, label=label)
        # Crosses tenants on purpose, read-only: the database shows only this user's own memberships.
        with user_context(user.pk):
            elsewhere = Membership.objects.unscoped().filter(user=user).exclude(tenant=tenant).exists()
        if not elsewhere:
            _pseudonymise_account(user)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="privacy.erase",
            target=erased,
            changes={"membership": str(membership.public_id), "rows": counts, "account_pseudonymised": not elsewhere},
        )
    return erased


def _pseudonymise_account(user: User) -> None:
    """The global account of a person no program holds any more: nothing left that names them."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    user.email = erased_email_for(user)
    user.full_name = ""
    user.is_active = False
    user.set_unusable_password()  # also ends their sessions: the session hash no longer matches
    user.save(update_fields=["email", "full_name", "is_active", "password"])
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()


def privacy_settings_update(*, tenant: Tenant, actor: User, engagement_retention_days: int) -> PrivacySettings:
    """Set how long engagement events are kept (between the minimum and maximum), audited with old and new."""
    if not RETENTION_MIN_DAYS <= engagement_retention_days <= RETENTION_MAX_DAYS:
        raise ApplicationError(
            _("Keep engagement events between %(min)s and %(max)s days.")
            % {"min": RETENTION_MIN_DAYS, "max": RETENTION_MAX_DAYS},
            code="retention_out_of_range",
            field="engagement_retention_days",
        )
    with transaction.atomic():
        row, created = PrivacySettings.objects.select_for_update().get_or_create(tenant=tenant)
        before = None if created else row.engagement_retention_days
        row.engagement_retention_days = engagement_retention_days
        row.updated_by = actor
        row.save()
        if before != engagement_retention_days:
            audit_record(
                tenant=tenant,
                actor=actor,
                action="privacy.settings_update",
                target=row,
                changes={"engagement_retention_days": [before, engagement_retention_days]},
            )
    return row


def engagement_cutoff(*, tenant: Tenant, now: datetime.datetime | None = None) -> datetime.datetime:
    """Events that happened before this moment are older than the tenant keeps them."""
    return (now or timezone.now()) - datetime.timedelta(days=retention_days(tenant=tenant))


def engagement_events_purge(*, tenant: Tenant, now: datetime.datetime | None = None, batch_size: int = PURGE_BATCH_SIZE) -> int:
    """Delete the tenant's engagement events older than its retention period, ``batch_size`` rows per
    transaction (each batch commits when run from the task), and audit the total once. Safe to run twice."""
    cutoff = engagement_cutoff(tenant=tenant, now=now)
    deleted = 0
    while True:
        with tenant_atomic():
            batch = list(
                EngagementEvent.objects.filter(tenant=tenant, occurred_at__lt=cutoff)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if batch:
                deleted += EngagementEvent.objects.filter(tenant=tenant, pk__in=batch).delete()[0]
        if len(batch) < batch_size:
            break
    if deleted:
        with tenant_atomic():
            audit_record(
                tenant=tenant,
                actor=None,
                action="privacy.engagement_purge",
                changes={"deleted": deleted, "before": cutoff.isoformat(), "days": retention_days(tenant=tenant)},
            )
    return deleted
