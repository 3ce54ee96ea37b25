"""Shapes of the directory API (the rules are the services' and selectors')."""

from __future__ import annotations

from rest_framework import serializers

SUBJECT_HELP = "deal, solution, initiative, account_mapping or general."
STATUS_HELP = "pending, accepted, declined or withdrawn."
COMPONENT_ROLE_HELP = (
    "For a joint solution: isv_product, si_implementation, msp_managed_service, distributor_fulfilment or consulting"
    " (the receiver's component role; accepting adds it to the solution in this role)."
)
ROLE_HELP = "For a deal: influencing, implementation, referral or distribution (the receiver's role on the co-sell team)."


class CertificationCountSerializer(serializers.Serializer):
    course = serializers.CharField()
    people = serializers.IntegerField(help_text="People of the partner holding a valid certification for the course.")


class DirectoryCardOutputSerializer(serializers.Serializer):
    """A partner's directory entry: public fields only."""

    partner = serializers.UUIDField(source="partner_id", help_text="The partner's public id.")
    name = serializers.CharField()
    partner_type = serializers.CharField()
    tier = serializers.CharField(help_text="The tier's name; empty without one.")
    is_published = serializers.BooleanField()
    headline = serializers.CharField()
    description = serializers.CharField()
    capabilities = serializers.ListField(child=serializers.CharField(), source="capability_slugs")
    regions = serializers.ListField(child=serializers.CharField())
    industries = serializers.ListField(child=serializers.CharField())
    contact_email = serializers.CharField()
    certifications = CertificationCountSerializer(many=True, help_text="Empty when the partner does not show them.")
    solutions = serializers.ListField(child=serializers.CharField(), help_text="In-market joint solutions it delivers a part of.")
    updated_at = serializers.DateTimeField()


class DirectoryQuerySerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, help_text="Name, headline, description or capability.")
    capability = serializers.CharField(required=False, allow_blank=True, help_text="A capability key.")
    region = serializers.CharField(required=False, allow_blank=True, help_text="na, latam, emea or apac.")
    partner_type = serializers.CharField(required=False, allow_blank=True)
    tier = serializers.UUIDField(required=False, help_text="A tier's id.")


class MyDirectoryProfileSerializer(serializers.Serializer):
    """The caller's own profile. Every field is optional on PUT and PATCH alike: only those sent change."""

    partner = serializers.UUIDField(read_only=True, source="partner.public_id")
    is_published = serializers.BooleanField(required=False, help_text="Publishing needs a headline.")
    headline = serializers.CharField(required=False, allow_blank=True, max_length=160)
    description = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    capabilities = serializers.ListField(child=serializers.CharField(max_length=80), required=False)
    regions = serializers.ListField(child=serializers.CharField(max_length=10), required=False)
    industries = serializers.ListField(child=serializers.CharField(max_length=60), required=False)
    contact_email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    show_certifications = serializers.BooleanField(required=False)
    published_at = serializers.DateTimeField(read_only=True, allow_null=True)
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)


class CollaborationOutputSerializer(serializers.Serializer):
    """A collaboration request as either of its two partners reads it."""

    id = serializers.UUIDField()
    direction = serializers.CharField(help_text="in (received) or out (sent).")
    from_partner = serializers.CharField(help_text="The sender's name.")
    from_partner_id = serializers.UUIDField()
    to_partner = serializers.CharField(help_text="The receiver's name.")
    to_partner_id = serializers.UUIDField()
    subject_kind = serializers.CharField(help_text=SUBJECT_HELP)
    subject_label = serializers.CharField(help_text="What the sender shared about the subject (a deal's customer, a name).")
    cosell_role = serializers.CharField(help_text=ROLE_HELP)
    component_role = serializers.CharField(help_text=COMPONENT_ROLE_HELP)
    message = serializers.CharField()
    status = serializers.CharField(help_text=STATUS_HELP)
    response_note = serializers.CharField()
    requested_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)


class StaffCollaborationOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    from_partner = serializers.UUIDField(source="from_partner.public_id")
    from_partner_name = serializers.CharField(source="from_partner.name")
    to_partner = serializers.UUIDField(source="to_partner.public_id")
    to_partner_name = serializers.CharField(source="to_partner.name")
    subject_kind = serializers.CharField(help_text=SUBJECT_HELP)
    subject_label = serializers.CharField()
    cosell_role = serializers.CharField(help_text=ROLE_HELP)
    component_role = serializers.CharField(help_text=COMPONENT_ROLE_HELP)
    message = serializers.CharField()
    status = serializers.CharField(help_text=STATUS_HELP)
    response_note = serializers.CharField()
    requested_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)


class CollaborationInputSerializer(serializers.Serializer):
    to_partner = serializers.UUIDField(help_text="A partner published in the directory (not your own).")
    subject_kind = serializers.CharField(max_length=20, help_text=SUBJECT_HELP)
    subject = serializers.UUIDField(
        required=False, allow_null=True, help_text="The deal registration, solution or initiative id (for those kinds)."
    )
    cosell_role = serializers.CharField(required=False, allow_blank=True, default="", max_length=20, help_text=ROLE_HELP)
    component_role = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=30, help_text=COMPONENT_ROLE_HELP
    )
    message = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class CollaborationAnswerInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class MyCollaborationQuerySerializer(serializers.Serializer):
    box = serializers.CharField(required=False, allow_blank=True, help_text="in (received), out (sent); empty: both.")
    status = serializers.CharField(required=False, allow_blank=True, help_text=STATUS_HELP)


class MapQuerySerializer(serializers.Serializer):
    partner_type = serializers.CharField(required=False, allow_blank=True)
    tier = serializers.UUIDField(required=False, help_text="A tier's id.")
    region = serializers.CharField(required=False, allow_blank=True, help_text="na, latam, emea or apac.")
    edge = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Repeat: cosell, solution, collaboration (default all)."
    )
    linked = serializers.BooleanField(required=False, help_text="true: leave out partners without a link of the kinds shown.")


class MapNodeSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The partner's id.")
    label = serializers.CharField()
    type = serializers.CharField()
    tier = serializers.CharField()
    regions = serializers.ListField(child=serializers.CharField())
    status = serializers.CharField()
    revenue = serializers.FloatField(help_text="Closed-won revenue over the last 365 days, program currency.")
    size = serializers.FloatField(help_text="Diameter: 20 (none) to 80 (the top partner), area proportional to revenue.")
    color = serializers.CharField()
    url = serializers.CharField(help_text="The partner's page in the vendor portal.")


class MapEdgeSerializer(serializers.Serializer):
    source = serializers.UUIDField()
    target = serializers.UUIDField()
    kind = serializers.CharField(help_text="cosell, solution or collaboration.")
    weight = serializers.IntegerField(help_text="How many deals, solutions or accepted collaborations.")


class EcosystemMapOutputSerializer(serializers.Serializer):
    currency = serializers.CharField()
    nodes = MapNodeSerializer(many=True)
    edges = MapEdgeSerializer(many=True)
