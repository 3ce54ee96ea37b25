"""Tiers in the API: the ladder, tier changes, proposals, one partner's standing, overrides, reasons.

Output serializers only shape what ``partners.tiers`` computed; input serializers only check
shapes. Every rule (who qualifies, what a proposal applies, what an override needs) is the
service's.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from partners.models import Tier, TierChange, TierChangeKind, TierEvaluation, TierMetric, TierPolicy, TierProposalStatus, TierRule


class TierRuleOutputSerializer(serializers.ModelSerializer):
    metric = serializers.ChoiceField(choices=TierMetric.choices, read_only=True)
    label = serializers.CharField(source="get_metric_display", read_only=True, help_text="The measure, in words.")

    class Meta:
        model = TierRule
        fields = ["metric", "label", "minimum"]
        read_only_fields = fields


class TierOutputSerializer(serializers.ModelSerializer):
    """One tier of the ladder: its benefits and the rules a partner must meet (all of them) to qualify."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    rules = TierRuleOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Tier
        fields = ["id", "name", "rank", "discount_percent", "mdf_eligible", "deal_protection_days", "other_benefits", "rules"]
        read_only_fields = fields


class TierSummarySerializer(serializers.ModelSerializer):
    """A tier named inside another resource."""

    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Tier
        fields = ["id", "name", "rank"]
        read_only_fields = fields


class TierChangeOutputSerializer(serializers.ModelSerializer):
    """One change of a partner's tier, with the rule and the figures that caused it."""

    partner = serializers.UUIDField(source="partner.public_id", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    from_tier = TierSummarySerializer(read_only=True, allow_null=True)
    to_tier = TierSummarySerializer(read_only=True, allow_null=True)
    kind = serializers.ChoiceField(choices=TierChangeKind.choices, read_only=True)
    facts = serializers.DictField(read_only=True, help_text="The figures at the time, by measure.")
    changed_by = serializers.SerializerMethodField(help_text="The person who decided; null for the evaluation or an API key.")

    class Meta:
        model = TierChange
        fields = ["partner", "partner_name", "from_tier", "to_tier", "kind", "reason", "facts", "changed_by", "changed_at"]
        read_only_fields = fields

    def get_changed_by(self, change: TierChange) -> str | None:
        return change.changed_by.email if change.changed_by_id else None


class TierProposalOutputSerializer(serializers.ModelSerializer):
    """A change the evaluation proposes and a manager has not yet approved."""

    partner = serializers.UUIDField(source="partner.public_id", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    current_tier = TierSummarySerializer(source="partner.tier", read_only=True, allow_null=True)
    proposed_tier = TierSummarySerializer(source="eligible_tier", read_only=True, allow_null=True)
    facts = serializers.DictField(read_only=True)

    class Meta:
        model = TierEvaluation
        fields = ["partner", "partner_name", "current_tier", "proposed_tier", "facts", "evaluated_at"]
        read_only_fields = fields


class MissingRuleSerializer(serializers.Serializer):
    """A rule of the next tier that the partner does not meet yet."""

    metric = serializers.ChoiceField(choices=TierMetric.choices)
    label = serializers.CharField()
    minimum = serializers.DecimalField(max_digits=14, decimal_places=2)
    current = serializers.FloatField(allow_null=True, help_text="The partner's figure; null when it is not known yet.")


def missing_rules(standing: Any) -> list[dict[str, Any]]:
    return [
        {"metric": metric, "label": TierMetric(metric).label, "minimum": minimum, "current": current}
        for metric, minimum, current in standing.missing
    ]


class MyTierStandingSerializer(serializers.Serializer):
    """What a partner sees of its own standing: the tier with its benefits, and what the next one needs."""

    tier = TierOutputSerializer(allow_null=True, help_text="The partner's tier and its benefits; null: no tier yet.")
    next_tier = TierOutputSerializer(allow_null=True, help_text="The next tier up; null at the top.")
    missing = MissingRuleSerializer(
        many=True, help_text="Rules of the next tier not met yet. Empty: met, applied at the next evaluation."
    )
    facts = serializers.DictField(help_text="The partner's figures, by measure.")
    evaluated_at = serializers.DateTimeField(allow_null=True, help_text="When the figures were computed; null: never evaluated.")
    content_opened = serializers.IntegerField(help_text="Content items reserved to this tier and the ones below.")
    content_next = serializers.IntegerField(help_text="Further content items the next tier opens.")
    ladder = TierOutputSerializer(many=True, help_text="Every tier of the program, lowest first.")


class TierStandingOutputSerializer(serializers.Serializer):
    """Staff's view of one partner: the tier it has, the tier it qualifies for, what the next one needs."""

    partner = serializers.UUIDField()
    partner_name = serializers.CharField()
    tier = TierSummarySerializer(allow_null=True)
    tier_held_until = serializers.DateField(allow_null=True, help_text="A manager's override holds the tier until then.")
    eligible_tier = TierSummarySerializer(allow_null=True, help_text="What the last evaluation found it qualifies for.")
    proposal = serializers.ChoiceField(
        choices=TierProposalStatus.choices, allow_null=True, help_text="The last evaluation's outcome; null: never evaluated."
    )
    next_tier = TierSummarySerializer(allow_null=True)
    missing = MissingRuleSerializer(many=True)
    facts = serializers.DictField()
    evaluated_at = serializers.DateTimeField(allow_null=True)


class TierOverrideInputSerializer(serializers.Serializer):
    """Shapes only; ``partners.tiers.tier_override`` requires the reason and a future end date."""

    tier = serializers.UUIDField(allow_null=True, help_text="The tier to hold; null holds the partner at no tier.")
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    until = serializers.DateField(help_text="The last day of the override (YYYY-MM-DD); after it the evaluation decides again.")


class TierReasonInputSerializer(serializers.Serializer):
    """Shapes only; ``partners.tiers`` requires the reason (declining a proposal, ending an override)."""

    reason = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default="", help_text="Why; required, kept in the audit log."
    )


class TierInputSerializer(serializers.Serializer):
    """Shapes only; ``partners.tiers.tier_save`` requires the name, a discount from 0 to 100 % and known measures."""

    name = serializers.CharField(max_length=60)
    rank = serializers.IntegerField(
        min_value=0,
        max_value=32767,
        help_text="0 is the entry tier; higher is better. The tier at this rank is created or changed.",
    )
    discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, default=Decimal(0))
    mdf_eligible = serializers.BooleanField(required=False, default=False)
    deal_protection_days = serializers.IntegerField(min_value=0, max_value=32767, required=False, default=90)
    other_benefits = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    rules = serializers.DictField(
        child=serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True),
        required=False,
        default=dict,
        help_text="The minimum of each measure a partner needs (every rule must hold); a measure left out has no rule. "
        "Replaces the tier's rules.",
    )


class TierPolicySerializer(serializers.ModelSerializer):
    """How the nightly evaluation acts: apply tier changes itself, or propose them to a manager."""

    auto_apply = serializers.BooleanField(help_text="true: apply changes; false: propose them for approval.")
    downgrade_grace_days = serializers.IntegerField(
        min_value=0, max_value=32767, help_text="Days a partner keeps its tier below the rules before a downgrade."
    )

    class Meta:
        model = TierPolicy
        fields = ["auto_apply", "downgrade_grace_days"]


class EvaluationQueuedSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="Always `queued`.")
