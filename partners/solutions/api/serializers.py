"""Joint solutions in the API: output shapes for staff, for the partners on a solution and for the catalogue,
and input shapes. Every rule is in :mod:`partners.solutions.services`."""

from __future__ import annotations

from rest_framework import serializers

from partners.models import Region
from partners.solutions.models import ComponentRole, JointSolution, OrchestratorKind

# Plain strings rather than enums: "role" and "status" name other choice sets in the schema already.
ROLE_HELP = ", ".join(ComponentRole.values) + "."


class SolutionComponentOutputSerializer(serializers.Serializer):
    """One component: the partner (by name), its role, what it delivers, and whether it accepted."""

    id = serializers.UUIDField(source="public_id")
    partner_name = serializers.CharField()
    role = serializers.CharField(help_text=ROLE_HELP)
    description = serializers.CharField()
    status = serializers.CharField(help_text="invited, accepted or declined.")


class SolutionOutputSerializer(serializers.ModelSerializer):
    """A solution as staff and the partners on it read it (no deal figures: staff read those on the detail)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    status = serializers.CharField(read_only=True, help_text="draft, proposed (waiting for approval), in_market or retired.")
    orchestrator = serializers.ChoiceField(source="orchestrator_kind", choices=OrchestratorKind.choices, read_only=True)
    orchestrator_name = serializers.CharField(read_only=True, help_text="The orchestrating partner's name, or the vendor's.")
    proposed_by_name = serializers.CharField(source="proposer_name", read_only=True, help_text="Empty: created by the vendor.")

    class Meta:
        model = JointSolution
        fields = [
            "id",
            "name",
            "summary",
            "industries",
            "regions",
            "status",
            "orchestrator",
            "orchestrator_name",
            "proposed_by_name",
            "decision_reason",
            "created_at",
            "submitted_at",
            "launched_at",
            "retired_at",
        ]
        read_only_fields = fields


class SolutionDetailOutputSerializer(SolutionOutputSerializer):
    components = SolutionComponentOutputSerializer(many=True, read_only=True, source="component_rows")

    class Meta(SolutionOutputSerializer.Meta):
        fields = [*SolutionOutputSerializer.Meta.fields, "components"]
        read_only_fields = fields


class SolutionStageFigureSerializer(serializers.Serializer):
    stage = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    value = serializers.DecimalField(max_digits=16, decimal_places=2)


class SolutionPartnerWonSerializer(serializers.Serializer):
    partner_name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    won_count = serializers.IntegerField()
    won_revenue = serializers.DecimalField(max_digits=16, decimal_places=2)


class SolutionFiguresSerializer(serializers.Serializer):
    """Open pipeline (active registrations in open stages: count, value, per stage), closed-won revenue
    (count, sum of closed amounts) and, per component partner, the won revenue of the deals it is on (each
    deal in full: fractional attribution is the attribution engine's)."""

    open_count = serializers.IntegerField()
    open_value = serializers.DecimalField(max_digits=16, decimal_places=2)
    by_stage = SolutionStageFigureSerializer(many=True)
    won_count = serializers.IntegerField()
    won_revenue = serializers.DecimalField(max_digits=16, decimal_places=2)
    per_partner = SolutionPartnerWonSerializer(many=True)


class StaffSolutionDetailOutputSerializer(SolutionDetailOutputSerializer):
    figures = SolutionFiguresSerializer(read_only=True)

    class Meta(SolutionDetailOutputSerializer.Meta):
        fields = [*SolutionDetailOutputSerializer.Meta.fields, "figures"]
        read_only_fields = fields


class SolutionCatalogueComponentSerializer(serializers.Serializer):
    partner_name = serializers.CharField()
    role = serializers.CharField(source="role_label")
    description = serializers.CharField()


class SolutionCatalogueEntrySerializer(serializers.Serializer):
    """A solution in market as every partner of the program reads it."""

    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    summary = serializers.CharField()
    industries = serializers.ListField(child=serializers.CharField())
    regions = serializers.ListField(child=serializers.CharField())
    orchestrator = serializers.CharField(help_text="The orchestrating partner's name, or the vendor's.")
    launched_at = serializers.DateTimeField(allow_null=True)
    components = SolutionCatalogueComponentSerializer(many=True)


# --- input ---------------------------------------------------------------------------------------


class SolutionDetailsInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    summary = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    industries = serializers.ListField(child=serializers.CharField(max_length=60), required=False, default=list)
    regions = serializers.ListField(child=serializers.ChoiceField(choices=Region.choices), required=False, default=list)


class StaffSolutionInputSerializer(SolutionDetailsInputSerializer):
    orchestrator = serializers.ChoiceField(choices=OrchestratorKind.choices, required=False, default=OrchestratorKind.VENDOR)
    orchestrator_partner = serializers.UUIDField(
        required=False, allow_null=True, help_text="The orchestrating partner's id (orchestrator: partner)."
    )


class PartnerSolutionInputSerializer(SolutionDetailsInputSerializer):
    """A managing partner's edit of its draft, as the partner portal's form: the details and the orchestrator."""

    orchestrator_partner = serializers.UUIDField(help_text="The orchestrating partner's id (yours, or another partner's).")


class SolutionProposeInputSerializer(SolutionDetailsInputSerializer):
    role = serializers.CharField(max_length=30, help_text=f"What your organisation delivers in it: {ROLE_HELP}")
    description = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    orchestrator_partner = serializers.UUIDField(
        required=False, allow_null=True, help_text="Another partner's id to orchestrate it; empty: your organisation."
    )


class SolutionComponentInputSerializer(serializers.Serializer):
    partner = serializers.UUIDField(help_text="The partner organisation's id.")
    role = serializers.CharField(max_length=30, help_text=ROLE_HELP)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class SolutionComponentRefInputSerializer(serializers.Serializer):
    component = serializers.UUIDField(help_text="The component's id.")


class SolutionAnswerInputSerializer(serializers.Serializer):
    component = serializers.UUIDField(
        required=False, allow_null=True, help_text="Which of your open invitations in this solution; empty: all of them."
    )


class SolutionReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
