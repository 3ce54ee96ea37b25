"""Leads in the API: output shapes for staff (with every offer and why) and for the offered partner,
and input shapes. Every rule (validation, routing, who may answer) is in :mod:`deals.leads`."""

from __future__ import annotations

from rest_framework import serializers

from deals.models import Lead, LeadOffer, LeadStatus, OfferStatus
from partners.models import PartnerType, Region

from .serializers import SolutionRefSerializer


class LeadOfferOutputSerializer(serializers.ModelSerializer):
    """One offer of a lead: to whom, until when, the answer, and why that partner was chosen."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    partner = serializers.UUIDField(source="partner.public_id", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    status = serializers.ChoiceField(choices=OfferStatus.choices, read_only=True)
    routing = serializers.DictField(
        read_only=True,
        help_text="Why this partner: rule, filters, widened_to, regions, candidates, top (weights), chosen (load, tier), reason.",
    )

    class Meta:
        model = LeadOffer
        fields = [
            "id",
            "partner",
            "partner_name",
            "status",
            "manual",
            "offered_at",
            "respond_by",
            "responded_at",
            "decline_reason",
            "routing",
        ]
        read_only_fields = fields


class LeadOutputSerializer(serializers.ModelSerializer):
    """A lead as staff see it."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    status = serializers.ChoiceField(choices=LeadStatus.choices, read_only=True)
    offered_to = serializers.UUIDField(source="offered_to.public_id", read_only=True, allow_null=True)
    offered_to_name = serializers.CharField(source="offered_to.name", read_only=True, allow_null=True)
    account = serializers.UUIDField(source="account.public_id", read_only=True, allow_null=True)
    registration = serializers.UUIDField(source="registration.public_id", read_only=True, allow_null=True)
    joint_solution = SolutionRefSerializer(read_only=True, allow_null=True)
    mdf_request = serializers.UUIDField(
        source="mdf_request.public_id", read_only=True, allow_null=True, help_text="The MDF campaign the lead is tagged with."
    )
    mdf_request_title = serializers.CharField(source="mdf_request.title", read_only=True, allow_null=True)

    class Meta:
        model = Lead
        fields = [
            "id",
            "company_name",
            "domain",
            "account",
            "joint_solution",
            "mdf_request",
            "mdf_request_title",
            "contact_name",
            "contact_email",
            "region",
            "partner_type",
            "capabilities",
            "product_lines",
            "estimated_value",
            "currency",
            "notes",
            "status",
            "offered_to",
            "offered_to_name",
            "respond_by",
            "registration",
            "created_at",
        ]
        read_only_fields = fields


class LeadDetailOutputSerializer(LeadOutputSerializer):
    offers = LeadOfferOutputSerializer(many=True, read_only=True, source="offer_history")
    unmatched_reason = serializers.CharField(read_only=True, help_text="Why the routing found nobody (status unmatched).")

    class Meta(LeadOutputSerializer.Meta):
        fields = [*LeadOutputSerializer.Meta.fields, "unmatched_reason", "offers"]
        read_only_fields = fields


class PartnerLeadOutputSerializer(serializers.ModelSerializer):
    """A lead as the partner it is offered to sees it: no other partner, no routing detail."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    status = serializers.ChoiceField(choices=LeadStatus.choices, read_only=True)
    registration = serializers.UUIDField(source="registration.public_id", read_only=True, allow_null=True)
    joint_solution = SolutionRefSerializer(read_only=True, allow_null=True)
    mdf_request = serializers.UUIDField(
        source="mdf_request.public_id", read_only=True, allow_null=True, help_text="Your MDF campaign the lead is tagged with."
    )
    mdf_request_title = serializers.CharField(source="mdf_request.title", read_only=True, allow_null=True)

    class Meta:
        model = Lead
        fields = [
            "id",
            "company_name",
            "domain",
            "joint_solution",
            "mdf_request",
            "mdf_request_title",
            "contact_name",
            "contact_email",
            "region",
            "capabilities",
            "product_lines",
            "estimated_value",
            "currency",
            "notes",
            "status",
            "respond_by",
            "registration",
        ]
        read_only_fields = fields


class LeadInputSerializer(serializers.Serializer):
    company_name = serializers.CharField(max_length=200)
    domain = serializers.CharField(max_length=253, required=False, allow_blank=True)
    contact_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    contact_email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    region = serializers.ChoiceField(choices=Region.choices, required=False, allow_blank=True)
    partner_type = serializers.ChoiceField(choices=PartnerType.choices, required=False, allow_blank=True)
    capabilities = serializers.ListField(child=serializers.SlugField(max_length=80), required=False)
    product_lines = serializers.ListField(child=serializers.SlugField(max_length=80), required=False)
    estimated_value = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    joint_solution = serializers.UUIDField(required=False, allow_null=True, help_text="A joint solution in market (its id).")


class LeadOfferInputSerializer(serializers.Serializer):
    partner = serializers.UUIDField(help_text="The partner organisation's id.")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, help_text="Why this partner.")


class LeadSolutionInputSerializer(serializers.Serializer):
    joint_solution = serializers.UUIDField(allow_null=True, help_text="A joint solution in market (its id); null clears it.")


class LeadCampaignInputSerializer(serializers.Serializer):
    mdf_request = serializers.UUIDField(
        allow_null=True, help_text="An approved MDF campaign of the lead's partner (its id); null clears the tag."
    )


class LeadReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class LeadDeclineInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Why you decline; the vendor reads it.")


class LeadConvertInputSerializer(serializers.Serializer):
    """What the partner adds to the lead's customer data; empty fields take the lead's values."""

    customer_domain = serializers.CharField(max_length=253, required=False, allow_blank=True)
    contact_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    contact_email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    contact_title = serializers.CharField(max_length=150, required=False, allow_blank=True)
    product_lines = serializers.ListField(child=serializers.SlugField(max_length=80), required=False)
    joint_solution = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="A joint solution in market your organisation delivers; empty: the lead's, when you deliver it.",
    )
    solution = serializers.CharField(max_length=200, required=False, allow_blank=True)
    mdf_request = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="One of your approved MDF campaigns (its id); empty: the lead's, when it is yours.",
    )
    value = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True)
    expected_close_date = serializers.DateField()
    stage = serializers.CharField(max_length=20, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class LeadConvertedOutputSerializer(serializers.Serializer):
    lead = PartnerLeadOutputSerializer(read_only=True)
    registration = serializers.UUIDField(read_only=True)
    registration_status = serializers.CharField(read_only=True)
