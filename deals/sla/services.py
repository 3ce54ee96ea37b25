"""Writing the program's SLAs: the defaults when a program opens, and a manager's change of a target or of the active flag.

Every program has its five SLAs from the moment it exists: :func:`sla_definitions_create` runs when
a tenant is created (a ``post_save`` receiver on ``Tenant``, ``deals.sla.apps``, so the signup
service, the admin, the demo seed and the test factories all get them) and migration
``0002_default_definitions`` made them for the programs that existed before. Reads therefore
never write in the normal case; :func:`sla_definitions_ensure` keeps a safety net for a program
whose rows are missing anyway.

Two SLAs are the same number as a rule of engagement (``RULE_FIELD``): the registration decision
is ``approval_sla_hours`` and the lead answer is ``lead_response_hours``. Their target is read
from the rule, and changing it here changes the rule through ``deals.engagement`` (which audits
the rule's change too), so the queue's "SLA due", the partner's published rules, the lead's
"answer by" and the SLA figures never disagree.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from deals.engagement import engagement_rules_update
from deals.models import EngagementRules
from deals.registrations import engagement_rules
from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, Membership, Role
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import current_scope, tenant_context
from ecosystem.tenancy.models import Tenant

from .models import DEFAULT_TARGET_HOURS, KIND_SIDE, RULE_FIELD, SlaDefinition, SlaKind, SlaSide, SlaWarning


def _default_target(kind: str, rules: EngagementRules) -> int:
    field = RULE_FIELD.get(kind)
    return getattr(rules, field) if field else DEFAULT_TARGET_HOURS[kind]


def sla_definitions_create(*, tenant: Tenant, using: str = "default") -> None:
    """Give a new program its SLAs with the default targets (those bound to a rule: the rule's). Idempotent.

    Runs inside the new tenant's scope (row-level security needs ``app.tenant_id`` for the insert), on
    the connection the tenant was created on (the admin's ``platform`` alias, or the default one).
    """
    with tenant_context(tenant.pk, using=using):
        rules = EngagementRules.objects.using(using).filter(tenant=tenant).first() or EngagementRules(tenant=tenant)
        SlaDefinition.objects.using(using).bulk_create(
            [
                SlaDefinition(tenant=tenant, kind=kind, owed_by=KIND_SIDE[kind], target_hours=_default_target(kind, rules))
                for kind in SlaKind.values
            ],
            ignore_conflicts=True,  # the unique (tenant, kind) keeps rows that exist already
        )


def sla_targets_follow_rules(*, rules: EngagementRules, using: str = "default") -> None:
    """Keep the stored targets of the rule-bound SLAs equal to the rules of engagement (one UPDATE, when they differ).

    Called whenever the rules are saved (a ``post_save`` receiver), inside the scope that saved them,
    so the rules page changing ``approval_sla_hours`` or ``lead_response_hours`` changes the SLA too
    and reads never have to correct it.
    """
    wanted = {kind: getattr(rules, field) for kind, field in RULE_FIELD.items()}
    drifted = Q()
    for kind, hours in wanted.items():
        drifted |= Q(kind=kind) & ~Q(target_hours=hours)
    # unscoped: the receiver runs in the scope that saved the rules (its tenant), or on the admin's platform
    # alias; the filter names the tenant either way, and row-level security still applies on "default"
    SlaDefinition.objects.unscoped().using(using).filter(drifted, tenant_id=rules.tenant_id).update(
        target_hours=Case(
            *(When(kind=kind, then=Value(hours)) for kind, hours in wanted.items()),
            default=F("target_hours"),
            output_field=SlaDefinition._meta.get_field("target_hours"),
        )
    )


def sla_definitions_ensure(*, tenant: Tenant) -> list[SlaDefinition]:
    """The program's SLAs, one per kind in :class:`SlaKind` order (two queries: the rows, the rules of engagement).

    The rows exist from the program's creation (:func:`sla_definitions_create`) and the rule-bound
    targets follow the rules when these are saved (:func:`sla_targets_follow_rules`), so this only
    reads. Safety net, should a row be missing or a rule-bound target differ from its rule anyway
    (rows written around the services): the rule wins in what is returned, and in staff scope the
    rows are written back; a partner user's scope may not write configuration and gets the values
    unsaved.
    """
    rules = engagement_rules(tenant=tenant)
    found = {row.kind: row for row in SlaDefinition.objects.filter(tenant=tenant)}
    scope = current_scope()
    staff = scope is not None and scope.partner_id is None
    missing = [
        SlaDefinition(tenant=tenant, kind=kind, owed_by=KIND_SIDE[kind], target_hours=_default_target(kind, rules))
        for kind in SlaKind.values
        if kind not in found
    ]
    if missing and staff:
        # ignore_conflicts: two first visits at once both try; the unique (tenant, kind) keeps one
        SlaDefinition.objects.bulk_create(missing, ignore_conflicts=True)
        found = {row.kind: row for row in SlaDefinition.objects.filter(tenant=tenant)}
    else:
        found.update({row.kind: row for row in missing})
    drifted = []
    for kind, field in RULE_FIELD.items():
        row = found[kind]
        if row.target_hours != getattr(rules, field):
            row.target_hours = getattr(rules, field)
            drifted.append(row)
    if drifted and staff and all(row.pk for row in drifted):
        SlaDefinition.objects.bulk_update(drifted, ["target_hours"])
    return [found[kind] for kind in SlaKind.values]


def sla_definition_update(
    *, tenant: Tenant, actor: Any, definition: SlaDefinition, target_hours: int | None = None, is_active: bool | None = None
) -> SlaDefinition:
    """Change an SLA's target (hours, 1-720) and/or whether it is measured. Locks the row; audits old → new.

    For a kind bound to a rule of engagement the rule changes in the same transaction.
    """
    with transaction.atomic():
        locked = SlaDefinition.objects.select_for_update().get(tenant=tenant, pk=definition.pk)
        before = {"target_hours": locked.target_hours, "is_active": locked.is_active}
        if target_hours is not None:
            locked.target_hours = target_hours
        if is_active is not None:
            locked.is_active = bool(is_active)
        try:
            locked.full_clean(exclude=["tenant"])
        except ValidationError as error:
            field, messages = next(iter(error.message_dict.items()))
            raise ApplicationError(messages[0], code="invalid", field=None if field == "__all__" else field) from None
        rule_field = RULE_FIELD.get(locked.kind)
        if rule_field and target_hours is not None and getattr(engagement_rules(tenant=tenant), rule_field) != target_hours:
            engagement_rules_update(tenant=tenant, actor=actor, values={rule_field: target_hours})
        locked.save(update_fields=["target_hours", "is_active", "updated_at"])
        changes = {name: [str(old), str(getattr(locked, name))] for name, old in before.items() if old != getattr(locked, name)}
        if rule_field and "target_hours" in changes:
            changes["rule"] = rule_field
        audit_record(tenant=tenant, actor=actor, action="sla.definition_update", target=locked, changes=changes)
    return locked


# --- warnings before a breach ---------------------------------------------------------------------


def _staff_emails(*, tenant: Tenant) -> list[str]:
    """The program's owners and partner managers: the people who decide registrations, extensions and appeals."""
    return list(
        Membership.objects.filter(tenant=tenant, partner__isnull=True, role__in=PARTNER_EDITOR_ROLES, is_active=True)
        .order_by("id")
        .values_list("user__email", flat=True)
    )


def _partner_admin_emails(*, tenant: Tenant, partner_ids: set[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {pid: [] for pid in partner_ids}
    rows = (
        Membership.objects.filter(tenant=tenant, partner_id__in=partner_ids, role=Role.PARTNER_ADMIN, is_active=True)
        .order_by("id")
        .values_list("partner_id", "user__email")
    )
    for partner_id, email in rows:
        found[partner_id].append(email)
    return found


def sla_breach_warnings_send(*, tenant: Tenant, now: datetime.datetime | None = None) -> int:
    """Email the owing side about open items that will breach their SLA soon; each item is warned about once.

    Vendor-owed items go to the program's owners and partner managers in one email; partner-owed
    items to the owing partner's admins, one email per partner. A :class:`SlaWarning` row per item
    (unique per item) makes a second run send nothing; the emails leave after commit. Returns how
    many items were warned about. Audited once per run that warned about anything.
    """
    from .selectors import sla_items_due_soon  # selectors import this module for the definitions

    now = now or timezone.now()
    with transaction.atomic():
        items = sla_items_due_soon(tenant=tenant, now=now)
        if not items:
            return 0
        created = []
        for item in items:
            warning, made = SlaWarning.objects.get_or_create(
                tenant=tenant,
                kind=item.kind,
                item_id=item.item_id,
                defaults={"partner_id": item.partner_id, "due_at": item.due_at},
            )
            if made:
                created.append((warning, item))
        vendor_items = [item for _w, item in created if item.owed_by == SlaSide.VENDOR]
        partner_items: dict[int, list] = {}
        for _w, item in created:
            if item.owed_by == SlaSide.PARTNER:
                partner_items.setdefault(item.partner_id, []).append(item)
        messages = []
        if vendor_items:
            messages.append((_staff_emails(tenant=tenant), vendor_items, True))
        admins = _partner_admin_emails(tenant=tenant, partner_ids=set(partner_items))
        messages.extend((admins[pid], found, False) for pid, found in partner_items.items())
        sent_to = {}
        for recipients, found, vendor in messages:
            for item in found:
                sent_to[(item.kind, item.item_id)] = len(recipients)
            if recipients:
                _email_after_commit(tenant=tenant, recipients=recipients, items=found, vendor=vendor)
        for warning, item in created:
            warning.recipients = sent_to.get((item.kind, item.item_id), 0)
        SlaWarning.objects.bulk_update([w for w, _i in created], ["recipients"])
        if created:
            audit_record(
                tenant=tenant,
                actor=None,
                action="sla.breach_warnings_send",
                changes={"items": len(created), "emails": sum(1 for r, _f, _v in messages if r)},
            )
    return len(created)


def _email_after_commit(*, tenant: Tenant, recipients: list[str], items: list, vendor: bool) -> None:
    base = settings.SITE_URL.rstrip("/")
    lines = []
    for item in items:
        if vendor and item.registration_id:
            link = base + reverse(
                "deals:registration", kwargs={"tenant_slug": tenant.slug, "registration_id": item.registration_id}
            )
        elif not vendor and item.kind == SlaKind.LEAD_ANSWER and item.lead_id:
            link = base + reverse("partner_leads:detail", kwargs={"tenant_slug": tenant.slug, "lead_id": item.lead_id})
        elif not vendor:
            link = base + reverse("partner_cosell:invitations", kwargs={"tenant_slug": tenant.slug})
        else:
            link = base + reverse("sla:overview", kwargs={"tenant_slug": tenant.slug})
        lines.append({"item": item, "link": link})
    context = {"tenant": tenant, "lines": lines, "vendor": vendor}
    subject = _("%(program)s: %(count)s item(s) about to miss their SLA") % {"program": tenant.name, "count": len(items)}
    message = render_to_string("sla/email/due_soon.txt", context)
    transaction.on_commit(lambda: send_mail(subject=subject, message=message, from_email=None, recipient_list=recipients))
