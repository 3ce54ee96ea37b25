"""Rebate programs and their rate tiers: create and edit, each audited.

The program's currency is the program currency (the rules of engagement's) when the program is
created; every money amount it measures is converted into it. Editing the tiers or the eligibility
changes what the next computation does; statements already computed keep the tiers they were
computed with (stored on the statement), and approved or paid ones never change.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from attribution.economics.selectors import program_currency
from ecosystem.accounts.models import User
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerType, Tier

from ..models import Measure, ProgramStatus, RateMode, RebateProgram, RebateRate
from ..rebates import clean_tiers, tiers_as_json

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")


def _clean(*, tenant: Tenant, values: dict[str, Any]) -> dict[str, Any]:
    """The checked program fields and tiers, or an ApplicationError naming the field."""
    name = " ".join(str(values.get("name") or "").split())
    if not name:
        raise ApplicationError(_("Give the program a name."), code="required", field="name")
    if len(name) > 120:
        raise ApplicationError(_("The name can be at most 120 characters."), code="too_long", field="name")
    description = " ".join(str(values.get("description") or "").split())
    if len(description) > 500:
        raise ApplicationError(_("The description can be at most 500 characters."), code="too_long", field="description")
    measure = values.get("measure")
    if measure not in Measure.values:
        raise ApplicationError(_("Choose what the program measures."), code="invalid_choice", field="measure")
    metric = str(values.get("usage_metric") or "").strip().lower()
    if measure == Measure.USAGE:
        if not metric:
            raise ApplicationError(_("Name the usage metric the program measures."), code="required", field="usage_metric")
        if not _SLUG.match(metric):
            message = _("A metric is lower-case letters, digits, - and _, such as active_seats.")
            raise ApplicationError(message, code="invalid_metric", field="usage_metric")
    else:
        metric = ""
    rate_mode = values.get("rate_mode") or RateMode.MARGINAL
    if rate_mode not in RateMode.values:
        raise ApplicationError(_("Choose marginal or whole amount."), code="invalid_choice", field="rate_mode")
    status = values.get("status") or ProgramStatus.DRAFT
    if status not in ProgramStatus.values:
        raise ApplicationError(_("Choose draft, active or archived."), code="invalid_choice", field="status")
    partner_types = sorted(set(values.get("partner_types") or []))
    if any(t not in PartnerType.values for t in partner_types):
        raise ApplicationError(_("Choose partner types from the list."), code="invalid_choice", field="partner_types")
    wanted_tiers = {str(t) for t in (values.get("tier_ids") or [])}
    tier_ids = []
    if wanted_tiers:
        known = {str(t): t for t in Tier.objects.filter(tenant=tenant).values_list("public_id", flat=True)}
        if not wanted_tiers <= set(known):
            raise ApplicationError(_("Choose tiers from the list."), code="invalid_choice", field="tier_ids")
        tier_ids = sorted(known[t] for t in wanted_tiers)
    tiers = clean_tiers(values.get("rates") or [], percent=measure != Measure.USAGE)
    return {
        "name": name,
        "description": description,
        "measure": measure,
        "usage_metric": metric,
        "rate_mode": rate_mode,
        "status": status,
        "partner_types": partner_types,
        "tier_ids": tier_ids,
        "tiers": tiers,
    }


def _save(*, tenant: Tenant, program: RebateProgram, fields: dict[str, Any], tiers) -> RebateProgram:
    for key, value in fields.items():
        setattr(program, key, value)
    try:
        with transaction.atomic():
            program.save()
    except IntegrityError:
        raise ApplicationError(_("Another program has this name."), code="name_taken", field="name") from None
    RebateRate.objects.filter(tenant=tenant, program=program).delete()
    RebateRate.objects.bulk_create([RebateRate(tenant=tenant, program=program, threshold=t, rate=r) for t, r in tiers])
    return program


def program_create(*, tenant: Tenant, actor: Any, values: dict[str, Any]) -> RebateProgram:
    """Create a program with its tiers (``values``: name, description, measure, usage_metric, rate_mode,
    status, partner_types, tier_ids, rates: [(threshold, rate), …]). ``400`` naming the field."""
    with tenant_atomic():
        cleaned = _clean(tenant=tenant, values=values)
        tiers = cleaned.pop("tiers")
        program = RebateProgram(
            tenant=tenant, currency=program_currency(tenant=tenant), created_by=actor if isinstance(actor, User) else None
        )
        _save(tenant=tenant, program=program, fields=cleaned, tiers=tiers)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="incentives.program_create",
            target=program,
            changes={**_describe(cleaned), "rates": tiers_as_json(tiers)},
        )
    return program


def program_update(*, tenant: Tenant, actor: Any, program: RebateProgram, values: dict[str, Any]) -> RebateProgram:
    """Change a program and replace its tiers (the program row is locked). Statements keep theirs."""
    with tenant_atomic():
        locked = RebateProgram.objects.select_for_update().get(tenant=tenant, pk=program.pk)
        cleaned = _clean(tenant=tenant, values=values)
        tiers = cleaned.pop("tiers")
        before = {**_describe({k: getattr(locked, k) for k in cleaned}), "rates": tiers_as_json(program_tiers(locked))}
        _save(tenant=tenant, program=locked, fields=cleaned, tiers=tiers)
        after = {**_describe(cleaned), "rates": tiers_as_json(tiers)}
        audit_record(
            tenant=tenant,
            actor=actor,
            action="incentives.program_update",
            target=locked,
            changes={k: [before[k], after[k]] for k in after if before.get(k) != after[k]},
        )
    return locked


def program_tiers(program: RebateProgram):
    """The program's tiers as ``[(threshold, rate), …]``, lowest first (one query)."""
    return [(t, r) for t, r in RebateRate.objects.filter(program=program).order_by("threshold").values_list("threshold", "rate")]


def _describe(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: [str(v) for v in value] if isinstance(value, list) else value for k, value in fields.items()}
