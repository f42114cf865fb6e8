"""Input and output shapes for the webhooks API."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from selgeo.api.serializers import (
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
    StrictSerializer,
)
from webhooks import catalogue
from webhooks.models import Delivery, DeliveryStatus, EndpointStatus, Event, WebhookEndpoint
from webhooks.selectors import EndpointDeliveries
from webhooks.ssrf import MAX_URL_LENGTH

_MAX_TYPES = len(catalogue.EVENT_TYPES)


def _event_types_field(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(
        child=StrictCharField(max_length=60),
        max_length=_MAX_TYPES,
        help_text="Event types to receive; empty for every type that is not opt-in.",
        **kwargs,
    )


class EndpointCreateIn(StrictSerializer):
    url = StrictCharField(max_length=MAX_URL_LENGTH, trim_whitespace=False)
    description = StrictCharField(max_length=500, required=False, default="", allow_blank=True)
    event_types = _event_types_field(required=False, default=list)


class EndpointUpdateIn(StrictSerializer):
    url = StrictCharField(max_length=MAX_URL_LENGTH, required=False, trim_whitespace=False)
    description = StrictCharField(max_length=500, required=False, allow_blank=True)
    event_types = _event_types_field(required=False)
    enabled = StrictBooleanField(required=False)


class RotateSecretIn(StrictSerializer):
    previous_valid_hours = StrictIntegerField(
        required=False,
        default=24,
        min_value=0,
        max_value=168,
        help_text="How long the old secret keeps signing beside the new one (0: not at all).",
    )


class ReplayFailedIn(StrictSerializer):
    since = serializers.DateTimeField()


class EventReplayIn(StrictSerializer):
    endpoint_id = serializers.UUIDField(required=False)


class EndpointOut(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "mode",
            "url",
            "description",
            "event_types",
            "status",
            "disabled_at",
            "disabled_reason",
            "failing_since",
            "last_success_at",
            "last_failure_at",
            "previous_secret_expires_at",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=EndpointStatus.choices))
    def get_status(self, obj: WebhookEndpoint) -> str:
        return EndpointStatus.ENABLED if obj.is_enabled else EndpointStatus.DISABLED


class EndpointWithSecretOut(EndpointOut):
    """The create and rotate answers: the only ones that show the signing secret."""

    secret = serializers.CharField(help_text="whsec_…: verify signatures with it.")

    class Meta(EndpointOut.Meta):
        fields = [*EndpointOut.Meta.fields, "secret"]


class EventOut(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", help_text="evt_…, also the webhook-id header")
    data = serializers.JSONField(source="payload.data")  # type: ignore[assignment]
    endpoint_id = serializers.UUIDField(source="target_endpoint_id", allow_null=True)

    class Meta:
        model = Event
        fields = ["id", "type", "mode", "created_at", "dispatched_at", "endpoint_id", "data"]


class DeliveryOut(serializers.ModelSerializer):
    event_id = serializers.CharField(source="event.public_id")

    class Meta:
        model = Delivery
        fields = [
            "id",
            "event_id",
            "endpoint_id",
            "attempt",
            "trigger",
            "status",
            "next_attempt_at",
            "attempted_at",
            "response_status",
            "latency_ms",
            "response_excerpt",
            "error",
            "created_at",
        ]


class AttemptOut(DeliveryOut):
    class Meta(DeliveryOut.Meta):
        fields = [f for f in DeliveryOut.Meta.fields if f not in ("event_id", "endpoint_id")]


class EndpointDeliveriesOut(serializers.Serializer):
    endpoint_id = serializers.UUIDField(source="endpoint.pk")
    url = serializers.CharField(source="endpoint.url")
    status = serializers.ChoiceField(choices=DeliveryStatus.values)
    attempts = AttemptOut(many=True)


class EventDetailOut(EventOut):
    payload = serializers.JSONField(help_text="The exact body sent to endpoints.")
    deliveries = serializers.SerializerMethodField()

    class Meta(EventOut.Meta):
        fields = [*EventOut.Meta.fields, "payload", "deliveries"]

    @extend_schema_field(EndpointDeliveriesOut(many=True))
    def get_deliveries(self, obj: Event) -> list[dict[str, Any]]:
        groups: list[EndpointDeliveries] = self.context["deliveries"]
        return list(EndpointDeliveriesOut(groups, many=True).data)


class EventTypeOut(serializers.Serializer):
    type = serializers.CharField()
    description = serializers.CharField()
    opt_in = serializers.BooleanField()
    example = serializers.JSONField()


class ReplayedOut(serializers.Serializer):
    replayed = serializers.IntegerField()
