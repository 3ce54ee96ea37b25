"""Webhooks in the API: separate input and output serializers. The services check every rule."""

from __future__ import annotations

from rest_framework import serializers

from ..models import EVENT_TYPES, WebhookDelivery, WebhookEndpoint


class WebhookEndpointInputSerializer(serializers.Serializer):
    # a CharField: the outbound policy judges the URL (https in production, no private addresses)
    url = serializers.CharField(max_length=500)
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=list(EVENT_TYPES)), allow_empty=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class WebhookEndpointUpdateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500, required=False)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=list(EVENT_TYPES)), allow_empty=False, required=False
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class WebhookEndpointOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "description", "event_types", "is_active", "rotated_at", "created_at"]


class WebhookEndpointWithSecretSerializer(WebhookEndpointOutputSerializer):
    """Answers creation and rotation only: the signing secret, shown this once."""

    class Meta(WebhookEndpointOutputSerializer.Meta):
        fields = [*WebhookEndpointOutputSerializer.Meta.fields, "secret"]


class WebhookDeliveryOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    event_id = serializers.UUIDField(source="event.public_id", read_only=True)
    event_type = serializers.CharField(source="event.event_type", read_only=True)
    endpoint_id = serializers.UUIDField(source="endpoint.public_id", read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_id",
            "event_type",
            "endpoint_id",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "last_attempt_at",
            "next_attempt_at",
            "delivered_at",
            "created_at",
        ]
