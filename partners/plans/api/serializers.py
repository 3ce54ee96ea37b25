"""Business plans in the API: output shapes (with every goal's actual, its source and pace) and input shapes.

Every rule (who edits what, one goal per metric, closed plans) is in :mod:`partners.plans.services`.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import BusinessPlan, GoalMetric, InitiativeStatus, PlanHealth, PlanInitiative, PlanReview, PlanState

PACE_CHOICES = [
    ("ahead", "Ahead"),
    ("on_pace", "On pace"),
    ("behind", "Behind"),
    ("not_started", "Not started"),
    ("no_figure", "No figure yet"),
]


def _choice_field(choices, name: str) -> type[serializers.ChoiceField]:
    """A ChoiceField documented as a string listing its values, without an enum component.

    ``status`` and ``metric`` name other choice sets elsewhere in the API; as enums they would collide
    (drf-spectacular names enums by field). ENUM_NAME_OVERRIDES for InitiativeStatus and GoalMetric
    in the settings would allow plain ChoiceFields again.
    """
    values = [value for value, _label in choices]
    return extend_schema_field({"type": "string", "description": "One of: " + ", ".join(values) + "."})(
        type(name, (serializers.ChoiceField,), {})
    )


GoalMetricField = _choice_field(GoalMetric.choices, "GoalMetricField")
InitiativeStatusField = _choice_field(InitiativeStatus.choices, "InitiativeStatusField")


class PlanPersonSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(source="__str__", read_only=True)


class PlanRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(read_only=True)


class PlanGoalOutputSerializer(serializers.Serializer):
    """A goal with its actual. ``actual_source`` is ``platform`` (computed) or ``vendor`` ("entered by the vendor")."""

    id = serializers.UUIDField(source="goal_id", read_only=True)
    metric = GoalMetricField(choices=GoalMetric.choices, read_only=True)
    metric_label = serializers.CharField(read_only=True)
    unit = serializers.CharField(read_only=True, help_text="money, count or percent")
    target = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    actual = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True, allow_null=True)
    actual_source = serializers.CharField(source="source", read_only=True, help_text="platform or vendor")
    actual_source_label = serializers.CharField(source="source_label", read_only=True)
    expected_to_date = serializers.DecimalField(source="expected", max_digits=16, decimal_places=2, read_only=True)
    pace = serializers.ChoiceField(choices=PACE_CHOICES, read_only=True)
    percent_of_target = serializers.DecimalField(max_digits=10, decimal_places=1, read_only=True, allow_null=True)


class PlanInitiativeOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    status = InitiativeStatusField(choices=InitiativeStatus.choices, read_only=True)
    vendor_owner = PlanPersonSerializer(read_only=True, allow_null=True)
    partner_owner = PlanPersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = PlanInitiative
        fields = [
            "id",
            "title",
            "description",
            "vendor_owner",
            "partner_owner",
            "due_date",
            "status",
            "completed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PlanReviewOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    recorded_by = PlanPersonSerializer(read_only=True, allow_null=True)
    figures = serializers.DictField(read_only=True, help_text="The goals' figures on the day it was recorded: as_of, goals[].")

    class Meta:
        model = PlanReview
        fields = ["id", "quarter", "held_on", "summary", "decisions", "figures", "recorded_by", "recorded_at"]
        read_only_fields = fields


class BusinessPlanOutputSerializer(serializers.ModelSerializer):
    """A plan with its goals' actuals and pace (as of today)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    partner = PlanRefSerializer(read_only=True, allow_null=True)
    solution = PlanRefSerializer(read_only=True, allow_null=True)
    state = serializers.ChoiceField(choices=PlanState.choices, read_only=True)
    health = serializers.ChoiceField(choices=PlanHealth.choices, read_only=True)
    status_updated_by = PlanPersonSerializer(read_only=True, allow_null=True)
    vendor_owner = PlanPersonSerializer(read_only=True, allow_null=True)
    partner_owner = PlanPersonSerializer(read_only=True, allow_null=True)
    goals = PlanGoalOutputSerializer(source="figures", many=True, read_only=True)

    class Meta:
        model = BusinessPlan
        fields = [
            "id",
            "title",
            "partner",
            "solution",
            "period_start",
            "period_end",
            "state",
            "health",
            "status_note",
            "status_updated_by",
            "status_updated_at",
            "vendor_owner",
            "partner_owner",
            "goals",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PlanSeriesGoalSerializer(serializers.Serializer):
    goal_id = serializers.UUIDField()
    metric = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    source = serializers.CharField()
    target = serializers.FloatField()
    actual = serializers.ListField(child=serializers.FloatField(allow_null=True))
    expected = serializers.ListField(child=serializers.FloatField())


class PlanSeriesSerializer(serializers.Serializer):
    months = serializers.ListField(child=serializers.CharField(), help_text="YYYY-MM, every month of the period")
    goals = PlanSeriesGoalSerializer(many=True)


class BusinessPlanDetailOutputSerializer(BusinessPlanOutputSerializer):
    """A plan with its goals, initiatives, reviews and the monthly series (cumulative actual against a linear target)."""

    initiatives = PlanInitiativeOutputSerializer(many=True, read_only=True)
    reviews = PlanReviewOutputSerializer(many=True, read_only=True)
    series = PlanSeriesSerializer(read_only=True)

    class Meta(BusinessPlanOutputSerializer.Meta):
        fields = [*BusinessPlanOutputSerializer.Meta.fields, "initiatives", "reviews", "series"]
        read_only_fields = fields


# --- input -----------------------------------------------------------------------------------------


class BusinessPlanCreateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=160)
    partner = serializers.UUIDField(required=False, allow_null=True, help_text="The partner; or give solution.")
    solution = serializers.UUIDField(
        required=False, allow_null=True, help_text="A joint solution: the plan is with its confirmed partners."
    )
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    vendor_owner = serializers.UUIDField(required=False, allow_null=True, help_text="A staff member's user id.")
    partner_owner = serializers.UUIDField(required=False, allow_null=True, help_text="A user of the plan's partner.")


class BusinessPlanUpdateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=160, required=False)
    period_start = serializers.DateField(required=False)
    period_end = serializers.DateField(required=False)
    vendor_owner = serializers.UUIDField(required=False, allow_null=True)
    partner_owner = serializers.UUIDField(required=False, allow_null=True)


class PlanStatusInputSerializer(serializers.Serializer):
    health = serializers.ChoiceField(choices=PlanHealth.choices)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class PlanGoalInputSerializer(serializers.Serializer):
    metric = GoalMetricField(choices=GoalMetric.choices)
    target = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0)
    manual_actual = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        help_text="Only mdf_spend and customer_retention.",
    )


class PlanGoalUpdateInputSerializer(serializers.Serializer):
    target = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0, required=False)
    manual_actual = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0, required=False, allow_null=True)


class PartnerPlanInitiativeInputSerializer(serializers.Serializer):
    """What a partner admin sets on an initiative (the vendor owner is the vendor's)."""

    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    partner_owner = serializers.UUIDField(required=False, allow_null=True, help_text="A user of your organisation.")
    due_date = serializers.DateField(required=False, allow_null=True)
    status = InitiativeStatusField(choices=InitiativeStatus.choices, required=False)


class PlanInitiativeInputSerializer(PartnerPlanInitiativeInputSerializer):
    vendor_owner = serializers.UUIDField(required=False, allow_null=True, help_text="A staff member's user id.")
    partner_owner = serializers.UUIDField(required=False, allow_null=True, help_text="A user of a partner on the plan's team.")


class PlanReviewInputSerializer(serializers.Serializer):
    quarter = serializers.CharField(max_length=7, help_text="e.g. 2026-Q3")
    held_on = serializers.DateField()
    summary = serializers.CharField(max_length=8000)
    decisions = serializers.CharField(max_length=8000, required=False, allow_blank=True, default="")
