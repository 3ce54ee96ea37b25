"""Tiers: what each partner qualifies for (the nightly evaluation) and the tier it actually has.

Eligibility and assignment are kept apart. The evaluation computes every partner's facts and
eligible tier in a fixed number of queries (one per fact, whatever the number of partners),
then per the tenant's policy applies upgrades at once or proposes them; downgrades wait for the
grace period; a manager's override holds a tier until its expiry (or until a manager ends it).
A manager approves or declines a proposal; a declined one is not proposed again while the
figures stay the same (see ``tier_proposal_decline``). Every change of a tier is a TierChange
row naming the rule and the figures that caused it; decisions that change no tier (a decline,
ending an override) are audit rows with the manager's reason.

Facts come from providers, one query each over all partners. Closed-won revenue and active
registrations come from deal registration (the registering partner's own registrations, in the
program's currency); the health score is each partner's latest (scoring), None before the first.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, ConflictError
from ecosystem.tenancy.models import Tenant
from ecosystem.webhooks import events as webhook_events

from .models import (
    PartnerOrganization,
    PartnerStatus,
    Tier,
    TierChange,
    TierChangeKind,
    TierEvaluation,
    TierMetric,
    TierPolicy,
    TierProposalStatus,
    TierRule,
)

Facts = dict[int, dict[str, Any]]  # partner id -> {metric: value}


def _certified_people(tenant: Tenant, partner_ids: list[int]) -> dict[int, int]:
    """People of each partner holding a valid certification (the training module issues them)."""
    try:
        certification = apps.get_model("onboarding", "Certification")
    except LookupError:
        return {}
    today = timezone.localdate()
    rows = (
        certification.objects.filter(tenant=tenant, partner_id__in=partner_ids, revoked_at__isnull=True)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .values("partner_id")
        .annotate(people=Count("user_id", distinct=True))
        .values_list("partner_id", "people")
    )
    return dict(rows)


def _closed_won_revenue_12m(tenant: Tenant, partner_ids: list[int]) -> dict[int, Decimal]:
    """Closed amounts of each partner's won registrations closed in the last 365 days, in the program's currency.

    Registrations won in another currency are not converted and not counted (the program's rules
    of engagement name its currency). Two queries: the currency, then one grouped sum.
    """
    registration = apps.get_model("deals", "DealRegistration")
    rules = apps.get_model("deals", "EngagementRules")
    currency = rules.objects.filter(tenant=tenant).values_list("currency", flat=True).first() or "USD"
    since = timezone.localdate() - datetime.timedelta(days=365)
    rows = (
        registration.objects.filter(
            tenant=tenant, partner_id__in=partner_ids, status="won", closed_on__gte=since, currency=currency
        )
        .values("partner_id")
        .annotate(revenue=Sum("closed_amount"))
        .values_list("partner_id", "revenue")
    )
    return {pid: revenue or Decimal(0) for pid, revenue in rows}


def _active_registrations(tenant: Tenant, partner_ids: list[int]) -> dict[int, int]:
    """Each partner's registrations that hold their customer now: pending, waiting for information, approved."""
    registration = apps.get_model("deals", "DealRegistration")
    rows = (
        registration.objects.filter(
            tenant=tenant, partner_id__in=partner_ids, status__in=["pending", "info_requested", "approved"]
        )
        .values("partner_id")
        .annotate(count=Count("id"))
        .values_list("partner_id", "count")
    )
    return dict(rows)


def _health_score(tenant: Tenant, partner_ids: list[int]) -> dict[int, Decimal]:
    """Each partner's latest health score (0–100, two decimals); partners never scored are left out."""
    health = apps.get_model("scoring", "HealthScore")
    rows = (
        health.objects.filter(tenant=tenant, partner_id__in=partner_ids)
        .order_by("partner_id", "-as_of")
        .distinct("partner_id")
        .values_list("partner_id", "total")
    )
    return {pid: Decimal(str(round(total, 2))) for pid, total in rows}


FACT_PROVIDERS: dict[str, Callable[[Tenant, list[int]], dict[int, Any]]] = {
    TierMetric.CERTIFIED_PEOPLE: _certified_people,
    TierMetric.CLOSED_WON_REVENUE_12M: _closed_won_revenue_12m,
    TierMetric.ACTIVE_REGISTRATIONS: _active_registrations,
    TierMetric.HEALTH_SCORE: _health_score,
}


def partner_facts(*, tenant: Tenant, partner_ids: list[int]) -> Facts:
    facts: Facts = {pid: {} for pid in partner_ids}
    for metric, provider in FACT_PROVIDERS.items():
        values = provider(tenant, partner_ids)
        for pid in partner_ids:
            facts[pid][metric] = values.get(pid, 0 if metric != TierMetric.HEALTH_SCORE else None)
    return facts


@dataclass(frozen=True)
class Ladder:
    """The tenant's tiers, lowest first, with their rules."""

    tiers: list[Tier]
    rules: dict[int, list[tuple[str, Decimal]]]  # tier id -> [(metric, minimum)]

    @classmethod
    def load(cls, tenant: Tenant) -> Ladder:
        tiers = list(Tier.objects.filter(tenant=tenant).prefetch_related("rules").order_by("rank"))
        return cls(tiers=tiers, rules={t.pk: [(r.metric, r.minimum) for r in t.rules.all()] for t in tiers})

    def qualifies(self, tier: Tier, facts: dict[str, Any]) -> bool:
        return all(
            facts.get(metric) is not None and Decimal(str(facts[metric])) >= minimum for metric, minimum in self.rules[tier.pk]
        )

    def eligible(self, facts: dict[str, Any]) -> Tier | None:
        best = None
        for tier in self.tiers:  # every rule of a tier must hold; the highest such tier wins
            if self.qualifies(tier, facts):
                best = tier
        return best

    def shortfall(self, tier: Tier, facts: dict[str, Any]) -> list[tuple[str, Decimal, Any]]:
        """What is missing for ``tier``: (metric, minimum, current value) for each rule not met."""
        return [
            (m, minimum, facts.get(m))
            for m, minimum in self.rules[tier.pk]
            if facts.get(m) is None or Decimal(str(facts[m])) < minimum
        ]

    def next_above(self, tier: Tier | None) -> Tier | None:
        rank = tier.rank if tier else -1
        return next((t for t in self.tiers if t.rank > rank), None)


def _describe(ladder: Ladder, tier: Tier, facts: dict[str, Any]) -> str:
    parts = [
        f"{TierMetric(metric).label} {facts.get(metric)} ≥ {minimum.normalize()}" for metric, minimum in ladder.rules[tier.pk]
    ]
    return "; ".join(parts) or _("entry tier (no rules)")


def _as_stored(facts: dict[str, Any]) -> Any:
    """The figures as a JSON column keeps them (a Decimal becomes its text)."""
    return json.loads(json.dumps(facts, cls=DjangoJSONEncoder, sort_keys=True))


def _same_figures(before: dict[str, Any], now: dict[str, Any]) -> bool:
    """Whether two sets of figures are equal as stored (JSON), so 3 and 3.0 or a Decimal and its text agree."""
    return _as_stored(before) == _as_stored(now)


def _still_declined(before: TierEvaluation | None, eligible: Tier | None, facts: dict[str, Any]) -> bool:
    """A declined proposal stays declined while the evaluation would propose the same tier on the same figures."""
    return (
        before is not None
        and before.status == TierProposalStatus.DECLINED
        and before.eligible_tier_id == (eligible.pk if eligible else None)
        and _same_figures(before.facts, facts)
    )


def tier_evaluate_all(*, tenant: Tenant, today: datetime.date | None = None) -> dict[str, int]:
    """Evaluate every partner that is not retired. A constant number of queries for any number of partners.

    Returns counts: evaluated, upgraded, downgraded, proposed, in_grace, declined (proposals a
    manager declined that still stand because the figures have not changed).
    """
    today = today or timezone.localdate()
    now = timezone.now()
    policy = TierPolicy.objects.filter(tenant=tenant).first() or TierPolicy(tenant=tenant)
    ladder = Ladder.load(tenant)
    counts = {"evaluated": 0, "upgraded": 0, "downgraded": 0, "proposed": 0, "in_grace": 0, "declined": 0}
    if not ladder.tiers:
        return counts
    partners = list(
        PartnerOrganization.objects.filter(tenant=tenant)
        .exclude(status=PartnerStatus.RETIRED)
        .only("id", "tier_id", "tier_override_until", "name", "public_id", "tenant_id")
    )
    ids = [p.pk for p in partners]
    facts = partner_facts(tenant=tenant, partner_ids=ids)
    previous = {e.partner_id: e for e in TierEvaluation.objects.filter(tenant=tenant, partner_id__in=ids)}
    tiers_by_id = {t.pk: t for t in ladder.tiers}
    evaluations, changes, moved = [], [], []
    grace = datetime.timedelta(days=policy.downgrade_grace_days)

    for partner in partners:
        counts["evaluated"] += 1
        partner_facts_now = facts[partner.pk]
        eligible = ladder.eligible(partner_facts_now)
        current = tiers_by_id.get(partner.tier_id)
        before = previous.get(partner.pk)
        status, below_since = TierProposalStatus.NONE, None
        current_rank = current.rank if current else -1
        eligible_rank = eligible.rank if eligible else -1
        target = None
        if partner.tier_override_until and partner.tier_override_until >= today:
            status = TierProposalStatus.OVERRIDDEN
        elif eligible_rank > current_rank:
            target, kind = eligible, "upgrade"
        elif eligible_rank < current_rank:
            below_since = before.below_since if before and before.below_since else today
            if today - below_since >= grace:
                target, kind = eligible, "downgrade"
            else:
                status = TierProposalStatus.IN_GRACE
                counts["in_grace"] += 1
        if target is not None or (eligible_rank < current_rank and status == TierProposalStatus.NONE):
            if policy.auto_apply:
                status = TierProposalStatus.APPLIED
                reason = _describe(ladder, target, partner_facts_now) if target else _("no tier's rules are met")
                changes.append(
                    TierChange(
                        tenant=tenant,
                        partner=partner,
                        from_tier=current,
                        to_tier=target,
                        kind=TierChangeKind.AUTOMATIC,
                        reason=f"{kind}: {reason}"[:500],
                        facts=_as_stored(partner_facts_now),
                    )
                )
                partner.tier = target
                moved.append(partner)
                counts["upgraded" if kind == "upgrade" else "downgraded"] += 1
                below_since = None
            elif _still_declined(before, eligible, partner_facts_now):
                status = TierProposalStatus.DECLINED
                counts["declined"] += 1
            else:
                status = TierProposalStatus.PROPOSED
                counts["proposed"] += 1
        evaluations.append(
            TierEvaluation(
                tenant=tenant,
                partner=partner,
                eligible_tier=eligible,
                facts=_as_stored(partner_facts_now),
                status=status,
                below_since=below_since,
                evaluated_at=now,
            )
        )

    with transaction.atomic():
        TierEvaluation.objects.bulk_create(
            evaluations,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["partner"],
            update_fields=["eligible_tier", "facts", "status", "below_since", "evaluated_at"],
        )
        if moved:
            PartnerOrganization.objects.bulk_update(moved, ["tier"], batch_size=2000)
            TierChange.objects.bulk_create(changes, batch_size=2000)
            webhook_events.tier_changes(tenant=tenant, changes=changes)
        audit_record(tenant=tenant, actor=None, action="tiers.evaluate", changes=counts)
    return counts


def tier_proposal_approve(*, tenant: Tenant, actor: Any, partner: PartnerOrganization) -> TierChange:
    """Apply the evaluation's proposal for one partner."""
    with transaction.atomic():
        evaluation = (
            TierEvaluation.objects.select_for_update(of=("self",)).select_related("eligible_tier").filter(partner=partner).first()
        )
        if evaluation is None or evaluation.status != TierProposalStatus.PROPOSED:
            raise ApplicationError(_("There is no tier change waiting for this partner."), code="no_proposal")
        locked = PartnerOrganization.objects.select_for_update().get(pk=partner.pk)
        ladder = Ladder.load(tenant)
        target = evaluation.eligible_tier
        change = TierChange.objects.create(
            tenant=tenant,
            partner=locked,
            from_tier=locked.tier,
            to_tier=target,
            kind=TierChangeKind.APPROVED,
            reason=(_describe(ladder, target, evaluation.facts) if target else _("no tier's rules are met"))[:500],
            facts=evaluation.facts,
            changed_by=person_of(actor),
        )
        locked.tier = target
        locked.save(update_fields=["tier", "updated_at"])
        evaluation.status = TierProposalStatus.APPLIED
        evaluation.below_since = None
        evaluation.save(update_fields=["status", "below_since"])
        audit_record(
            tenant=tenant, actor=actor, action="tier.approve", target=locked, changes={"tier": target.name if target else None}
        )
        webhook_events.tier_changes(tenant=tenant, changes=[change])
    return change


def _required_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give a reason."), code="required", field="reason")
    return reason[:500]


def tier_proposal_decline(*, tenant: Tenant, actor: Any, partner: PartnerOrganization, reason: str) -> TierEvaluation:
    """Decline the evaluation's proposal for one partner: its tier stays as it is.

    The rule for what happens next: the evaluation row is marked ``declined``, and the nightly
    evaluation keeps it declined (proposing nothing) for as long as it would propose the same
    tier on the same figures, that is the eligible tier and every figure equal to those the
    manager saw when declining. As soon as any figure moves or the partner qualifies for another
    tier, the change is proposed again, so the manager decides on the new facts. (A figure that
    moves and comes back also proposes again: the evaluation keeps only the latest figures.)
    An override, or a policy that applies changes itself, takes precedence as always.

    ``reason`` is required (``required`` on ``reason``; nothing changes without it). No tier
    changes, so no TierChange row; one audit row (``tier.decline``) names the tier declined, the
    figures and the reason. Locks the evaluation row, then the partner's, in the order
    ``tier_proposal_approve`` and the evaluation take them, so a decline and an approval of the
    same proposal run one after the other and the second finds nothing waiting.
    """
    reason = _required_reason(reason)
    with transaction.atomic():
        evaluation = (
            TierEvaluation.objects.select_for_update(of=("self",)).select_related("eligible_tier").filter(partner=partner).first()
        )
        if evaluation is None or evaluation.status != TierProposalStatus.PROPOSED:
            raise ApplicationError(_("There is no tier change waiting for this partner."), code="no_proposal")
        locked = PartnerOrganization.objects.select_for_update(of=("self",)).select_related("tier").get(pk=partner.pk)
        evaluation.status = TierProposalStatus.DECLINED
        evaluation.save(update_fields=["status"])
        target = evaluation.eligible_tier
        audit_record(
            tenant=tenant,
            actor=actor,
            action="tier.decline",
            target=locked,
            changes={
                "tier": locked.tier.name if locked.tier else None,
                "proposed_tier": target.name if target else None,
                "facts": evaluation.facts,
                "reason": reason[:300],
            },
        )
    return evaluation


def tier_override_clear(*, tenant: Tenant, actor: Any, partner: PartnerOrganization, reason: str) -> PartnerOrganization:
    """End a manager's override today, before its end date.

    The partner keeps the tier it has now; the next evaluation (nightly, or "evaluate now")
    decides afresh, applying or proposing a change as for any partner. There is no evaluation of
    one partner to run at once, and moving the tier here would be a second, unrecorded rule.
    The evaluation row, if it says the tier is held, is set back to "no change" so no page claims
    an override that has ended.

    ``reason`` is required (``required`` on ``reason``). An override that has already ended (or
    none) is a conflict (``no_override``) and nothing changes. No tier changes, so no TierChange
    row; one audit row (``tier.override_clear``) names the tier, the end date it had and the
    reason. Locks the evaluation row, then the partner's (the order approve and the evaluation use).
    """
    reason = _required_reason(reason)
    with transaction.atomic():
        evaluation = TierEvaluation.objects.select_for_update(of=("self",)).filter(partner=partner).first()
        locked = PartnerOrganization.objects.select_for_update(of=("self",)).select_related("tier").get(pk=partner.pk)
        if not locked.tier_override_active:
            raise ConflictError(_("This partner's tier is not held by an override."), code="no_override")
        held_until = locked.tier_override_until
        locked.tier_override_until = None
        locked.save(update_fields=["tier_override_until", "updated_at"])
        if evaluation is not None and evaluation.status == TierProposalStatus.OVERRIDDEN:
            evaluation.status = TierProposalStatus.NONE
            evaluation.save(update_fields=["status"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="tier.override_clear",
            target=locked,
            changes={
                "tier": locked.tier.name if locked.tier else None,
                "until": [held_until.isoformat(), None],
                "reason": reason[:300],
            },
        )
    return locked


def tier_override(
    *, tenant: Tenant, actor: Any, partner: PartnerOrganization, tier: Tier | None, reason: str, until: datetime.date
) -> TierChange:
    """Set a partner's tier by hand, held until ``until`` (the nightly evaluation leaves it alone till then)."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give a reason for the override."), code="required", field="reason")
    if until <= timezone.localdate():
        raise ApplicationError(_("The override must end in the future."), code="invalid_date", field="until")
    if tier is not None and tier.tenant_id != tenant.pk:
        raise ApplicationError(_("Choose a tier of this program."), code="invalid_choice", field="tier")
    with transaction.atomic():
        locked = PartnerOrganization.objects.select_for_update().get(pk=partner.pk)
        change = TierChange.objects.create(
            tenant=tenant,
            partner=locked,
            from_tier=locked.tier,
            to_tier=tier,
            kind=TierChangeKind.OVERRIDE,
            reason=f"{reason} (until {until.isoformat()})"[:500],
            changed_by=person_of(actor),
        )
        locked.tier = tier
        locked.tier_override_until = until
        locked.save(update_fields=["tier", "tier_override_until", "updated_at"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="tier.override",
            target=locked,
            changes={"tier": tier.name if tier else None, "until": until.isoformat(), "reason": reason[:300]},
        )
        webhook_events.tier_changes(tenant=tenant, changes=[change])
    return change


def tier_set_by_import(
    *, tenant: Tenant, actor: Any, assignments: list[tuple[PartnerOrganization, Tier]], reason: str
) -> list[TierChange]:
    """Give each partner the tier a partner import names (``partners.imports``); a partner already at it is skipped.

    One change row (kind ``imported``) and one audit row per partner moved, each partner's row locked;
    one ``tier_changes`` webhook call for the whole file (one event per partner moved, as the nightly
    evaluation does). The tier is not held: the nightly evaluation may propose or apply another later.
    """
    changes: list[TierChange] = []
    with transaction.atomic():
        for partner, tier in assignments:
            if tier.tenant_id != tenant.pk:
                raise ApplicationError(_("Choose a tier of this program."), code="invalid_choice", field="tier")
            locked = PartnerOrganization.objects.select_for_update(of=("self",)).select_related("tier").get(pk=partner.pk)
            if locked.tier_id == tier.pk:
                continue
            changes.append(
                TierChange.objects.create(
                    tenant=tenant,
                    partner=locked,
                    from_tier=locked.tier,
                    to_tier=tier,
                    kind=TierChangeKind.IMPORTED,
                    reason=reason[:500],
                    changed_by=person_of(actor),
                )
            )
            previous = locked.tier.name if locked.tier else None
            locked.tier = tier
            locked.save(update_fields=["tier", "updated_at"])
            audit_record(tenant=tenant, actor=actor, action="tier.import", target=locked, changes={"tier": [previous, tier.name]})
        if changes:
            webhook_events.tier_changes(tenant=tenant, changes=changes)
    return changes


@dataclass(frozen=True)
class TierStanding:
    """What a partner sees: its tier and benefits, and exactly what it still needs for the next one."""

    tier: Tier | None
    next_tier: Tier | None
    missing: list[tuple[str, Decimal, Any]]
    facts: dict[str, Any]
    evaluated_at: Any


def tier_standing(*, tenant: Tenant, partner: PartnerOrganization) -> TierStanding:
    ladder = Ladder.load(tenant)
    evaluation = TierEvaluation.objects.filter(tenant=tenant, partner=partner).first()
    facts = evaluation.facts if evaluation else partner_facts(tenant=tenant, partner_ids=[partner.pk])[partner.pk]
    current = next((t for t in ladder.tiers if t.pk == partner.tier_id), None)
    following = ladder.next_above(current)
    return TierStanding(
        tier=current,
        next_tier=following,
        missing=ladder.shortfall(following, facts) if following else [],
        facts=facts,
        evaluated_at=evaluation.evaluated_at if evaluation else None,
    )


def pending_proposals(*, tenant: Tenant) -> Iterable[TierEvaluation]:
    return TierEvaluation.objects.filter(tenant=tenant, status=TierProposalStatus.PROPOSED).select_related(
        "partner", "eligible_tier", "partner__tier"
    )


def tier_save(
    *,
    tenant: Tenant,
    actor: Any,
    name: str,
    rank: int,
    discount_percent: Decimal,
    mdf_eligible: bool,
    deal_protection_days: int,
    other_benefits: str = "",
    rules: dict[str, Decimal | None],
) -> Tier:
    """Create the tier at ``rank`` or change the one there; ``rules`` maps each measure to its minimum (None: no rule)."""
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("Name the tier."), code="required", field="name")
    if not 0 <= discount_percent <= 100:
        raise ApplicationError(_("Use a discount between 0 and 100 %."), code="out_of_range", field="discount_percent")
    unknown = set(rules) - set(TierMetric.values)
    if unknown:
        raise ApplicationError(_("Unknown measure."), code="invalid_choice", field="rules")
    with transaction.atomic():
        tier, created = Tier.objects.select_for_update().get_or_create(tenant=tenant, rank=rank, defaults={"name": name[:60]})
        tier.name = name[:60]
        tier.discount_percent = discount_percent
        tier.mdf_eligible = mdf_eligible
        tier.deal_protection_days = deal_protection_days
        tier.other_benefits = (other_benefits or "")[:300]
        tier.save()
        TierRule.objects.filter(tier=tier).delete()
        TierRule.objects.bulk_create(
            TierRule(tenant=tenant, tier=tier, metric=metric, minimum=minimum)
            for metric, minimum in rules.items()
            if minimum is not None
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="setup.tier_create" if created else "setup.tier_change",
            target=tier,
            changes={"rank": rank, "rules": {m: str(v) for m, v in rules.items() if v is not None}},
        )
    return tier


def tier_policy_save(*, tenant: Tenant, actor: Any, auto_apply: bool, downgrade_grace_days: int) -> TierPolicy:
    with transaction.atomic():
        policy, _created = TierPolicy.objects.update_or_create(
            tenant=tenant, defaults={"auto_apply": auto_apply, "downgrade_grace_days": downgrade_grace_days}
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="setup.tier_policy",
            target=policy,
            changes={"auto_apply": auto_apply, "downgrade_grace_days": downgrade_grace_days},
        )
    return policy
