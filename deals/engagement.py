"""Program configuration for deals: the published rules of engagement and the product lines.

Both are shared configuration every partner reads; only owners and partner managers change them,
and every change is audited with what it changed.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, ConflictError
from ecosystem.tenancy.models import Tenant

from .models import EngagementRules, ProductLine

RULE_FIELDS = (
    "protection_days",
    "auto_approve_below",
    "currency",
    "approval_sla_hours",
    "expiry_reminder_days",
    "extension_days",
    "direct_takeover",
    "name_match_threshold",
    "lead_response_hours",
    "notes",
)


def _first_error(error: ValidationError) -> ApplicationError:
    if hasattr(error, "error_dict"):
        field, messages = next(iter(error.message_dict.items()))
        return ApplicationError(messages[0], code="invalid", field=None if field == "__all__" else field)
    return ApplicationError(error.messages[0], code="invalid")


def engagement_rules_update(*, tenant: Tenant, actor: Any, values: dict[str, Any]) -> EngagementRules:
    """Set the program's rules of engagement (only the fields given). Locks the row; audits old → new values."""
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise ApplicationError(
            _("Unknown rule: %(name)s") % {"name": sorted(unknown)[0]}, code="invalid", field=sorted(unknown)[0]
        )
    with transaction.atomic():
        rules = EngagementRules.objects.select_for_update().filter(tenant=tenant).first() or EngagementRules(tenant=tenant)
        before = {name: getattr(rules, name) for name in RULE_FIELDS}
        for name, value in values.items():
            setattr(rules, name, value)
        if isinstance(rules.currency, str):
            rules.currency = rules.currency.strip().upper()
        try:
            rules.full_clean(exclude=["tenant"])
        except ValidationError as error:
            raise _first_error(error) from None
        rules.save()
        changes = {
            name: [str(before[name]), str(getattr(rules, name))] for name in RULE_FIELDS if before[name] != getattr(rules, name)
        }
        audit_record(tenant=tenant, actor=actor, action="deals.engagement_rules_update", target=rules, changes=changes)
    return rules


def product_line_create(*, tenant: Tenant, actor: Any, name: str, slug: str = "") -> ProductLine:
    """Add a product line; its key (``slug``) is derived from the name unless given, and never changes."""
    name = " ".join((name or "").split())
    if not name:
        raise ApplicationError(_("Enter the product line's name."), code="required", field="name")
    if len(name) > 80:
        raise ApplicationError(_("Use at most 80 characters."), code="max_length", field="name")
    key = slugify(slug or name)[:80]
    if not key:
        raise ApplicationError(_("Use letters or digits in the name."), code="invalid", field="name")
    try:
        with transaction.atomic():
            line = ProductLine.objects.create(tenant=tenant, name=name, slug=key)
    except IntegrityError:
        raise ConflictError(_("A product line with this key exists already."), code="duplicate", field="name") from None
    audit_record(tenant=tenant, actor=actor, action="deals.product_line_create", target=line, changes={"name": name, "slug": key})
    return line


def product_line_retire(*, tenant: Tenant, actor: Any, line: ProductLine) -> ProductLine:
    """Stop offering a product line for new registrations. Existing registrations keep it."""
    with transaction.atomic():
        locked = ProductLine.objects.select_for_update().get(tenant=tenant, pk=line.pk)
        if not locked.is_active:
            raise ApplicationError(_("This product line is retired already."), code="invalid_status")
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        audit_record(tenant=tenant, actor=actor, action="deals.product_line_retire", target=locked, changes={"slug": locked.slug})
    return locked
