"""The webhooks dashboard API: endpoints, events, deliveries and the event catalogue.

Merchant JWT, `?mode=test|live` (default live). Owners and admins manage endpoints and
replay events; every member may read the log and the catalogue.
"""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from selgeo.api.context import request_merchant, request_mode
from selgeo.api.errors import NotFound, ValidationFailed, envelope
from selgeo.api.permissions import IsMerchantAdmin, IsMerchantUser
from selgeo.api.views import APIView, GenericViewSet
from webhooks import catalogue, selectors, services
from webhooks.errors import WebhookNotFound
from webhooks.models import DeliveryStatus, Event, WebhookEndpoint
from webhooks.serializers import (
    DeliveryOut,
    EndpointCreateIn,
    EndpointOut,
    EndpointUpdateIn,
    EndpointWithSecretOut,
    EventDetailOut,
    EventOut,
    EventReplayIn,
    EventTypeOut,
    ReplayedOut,
    ReplayFailedIn,
    RotateSecretIn,
)

# What `selectors.parse_event_id` takes: `evt_` and 32 hex digits, or a UUID.
EVENT_ID_PATTERN = (
    "^(evt_)?([0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
    "[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
)

MODE_PARAMETER = OpenApiParameter(
    "mode", str, OpenApiParameter.QUERY, enum=["test", "live"], description="Default live"
)


HISTORY_NOTE = (
    "History is kept for a limited time: events and their attempts for "
    "SELGEO_WEBHOOKS_RETENTION_DAYS (30 by default), events that an endpoint never "
    "received for SELGEO_WEBHOOKS_FAILED_RETENTION_DAYS (90), so that they can still be "
    "replayed. The `Selgeo-History-Days` and `Selgeo-Failed-History-Days` headers give "
    "this installation's figures."
)
HISTORY_HEADERS = [
    OpenApiParameter(
        "Selgeo-History-Days",
        int,
        OpenApiParameter.HEADER,
        response=[200],
        description="Days events and their attempts are kept",
    ),
    OpenApiParameter(
        "Selgeo-Failed-History-Days",
        int,
        OpenApiParameter.HEADER,
        response=[200],
        description="Days an event that an endpoint never received is kept",
    ),
]


def _with_history(response: Response) -> Response:
    kept, failed_kept = selectors.history_days()
    response["Selgeo-History-Days"] = str(kept)
    response["Selgeo-Failed-History-Days"] = str(failed_kept)
    return response


def _validated(serializer_class: type, data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# A URL Selgeo will not deliver to, or one endpoint too many.
_REFUSED_URL = OpenApiResponse(
    response={"$ref": "#/components/schemas/Error"},
    description="WEBHOOK_URL_NOT_HTTPS (a live endpoint), WEBHOOK_URL_PRIVATE_IP, "
    "WEBHOOK_URL_UNRESOLVABLE or WEBHOOK_ENDPOINT_LIMIT_EXCEEDED (at most 10 per mode)",
    examples=[
        OpenApiExample(
            "Unresolvable",
            value=envelope(422, "WEBHOOK_URL_UNRESOLVABLE", "Could not resolve the URL hostname"),
        )
    ],
)


@extend_schema(tags=["webhooks"], parameters=[MODE_PARAMETER])
class EndpointViewSet(GenericViewSet):
    """The merchant's webhook endpoints in one mode (at most 10)."""

    serializer_class = EndpointOut
    permission_classes = [IsMerchantAdmin]
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> Any:
        return selectors.endpoints_for(
            merchant=request_merchant(self.request), mode=request_mode(self.request)
        )

    def _endpoint(self) -> WebhookEndpoint:
        endpoint = selectors.endpoint_get(
            merchant=request_merchant(self.request),
            mode=request_mode(self.request),
            endpoint_id=self.kwargs["pk"],
        )
        if endpoint is None:
            raise WebhookNotFound()
        return endpoint

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(EndpointOut(page, many=True).data)

    @extend_schema(
        request=EndpointCreateIn, responses={201: EndpointWithSecretOut, 422: _REFUSED_URL}
    )
    def create(self, request: Request) -> Response:
        data = _validated(EndpointCreateIn, request.data)
        endpoint = services.endpoint_create(
            merchant=request_merchant(request), mode=request_mode(request), **data
        )
        return Response(EndpointWithSecretOut(endpoint).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(EndpointOut(self._endpoint()).data)

    @extend_schema(request=EndpointUpdateIn, responses={200: EndpointOut, 422: _REFUSED_URL})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        endpoint = self._endpoint()
        data = _validated(EndpointUpdateIn, request.data)
        return Response(EndpointOut(services.endpoint_update(endpoint=endpoint, **data)).data)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.endpoint_delete(endpoint=self._endpoint())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=RotateSecretIn, responses={200: EndpointWithSecretOut})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str | None = None) -> Response:
        endpoint = self._endpoint()
        data = _validated(RotateSecretIn, request.data)
        endpoint = services.endpoint_rotate_secret(
            endpoint=endpoint, previous_valid_hours=data["previous_valid_hours"]
        )
        return Response(EndpointWithSecretOut(endpoint).data)

    @extend_schema(request=None, responses={202: EventOut})
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str | None = None) -> Response:
        event = services.endpoint_send_test(endpoint=self._endpoint())
        return Response(EventOut(event).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=ReplayFailedIn, responses={202: ReplayedOut})
    @action(detail=True, methods=["post"], url_path="replay-failed")
    def replay_failed(self, request: Request, pk: str | None = None) -> Response:
        endpoint = self._endpoint()
        data = _validated(ReplayFailedIn, request.data)
        count = services.endpoint_replay_failed(endpoint=endpoint, since=data["since"])
        return Response({"replayed": count}, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["webhooks"], parameters=[MODE_PARAMETER])
class EventViewSet(GenericViewSet):
    """Events recorded for the merchant in one mode, newest first, with their deliveries."""

    serializer_class = EventOut
    permission_classes = [IsMerchantUser]
    lookup_value_regex = "[^/]+"

    def get_permissions(self) -> Any:
        if self.action == "replay":
            return [IsMerchantAdmin()]
        return super().get_permissions()

    def _event(self) -> Event:
        event = selectors.event_get(
            merchant=request_merchant(self.request),
            mode=request_mode(self.request),
            event_id=self.kwargs["pk"],
        )
        if event is None:
            raise NotFound("Event not found")
        return event

    @extend_schema(
        description="Events newest first. " + HISTORY_NOTE,
        parameters=[
            OpenApiParameter(
                "type", str, enum=sorted(catalogue.EVENT_TYPES), description="An event type"
            ),
            *HISTORY_HEADERS,
        ],
    )
    def list(self, request: Request) -> Response:
        type_filter = request.query_params.get("type") or None
        if type_filter is not None and not catalogue.is_known(type_filter):
            raise ValidationFailed.field("type", f"Unknown event type: {type_filter}")
        events = selectors.events_for(
            merchant=request_merchant(request), mode=request_mode(request), type=type_filter
        )
        page = self.paginate_queryset(events)
        return _with_history(self.get_paginated_response(EventOut(page, many=True).data))

    @extend_schema(responses={200: EventDetailOut})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        event = self._event()
        context = {"deliveries": selectors.event_deliveries(event=event)}
        return Response(EventDetailOut(event, context=context).data)

    @extend_schema(request=EventReplayIn, responses={202: DeliveryOut(many=True)})
    # The answer is the list of deliveries queued, not a page.
    @action(detail=True, methods=["post"], pagination_class=None)
    def replay(self, request: Request, pk: str | None = None) -> Response:
        event = self._event()
        data = _validated(EventReplayIn, request.data)
        endpoint = None
        if data.get("endpoint_id") is not None:
            endpoint = selectors.endpoint_get(
                merchant=request_merchant(request),
                mode=request_mode(request),
                endpoint_id=str(data["endpoint_id"]),
            )
            if endpoint is None:
                raise WebhookNotFound()
        deliveries = services.event_replay(event=event, endpoint=endpoint)
        return Response(DeliveryOut(deliveries, many=True).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["webhooks"], parameters=[MODE_PARAMETER])
class DeliveryViewSet(GenericViewSet):
    """Every delivery attempt, newest first; filter by endpoint, event and status."""

    serializer_class = DeliveryOut
    permission_classes = [IsMerchantUser]
    lookup_value_regex = "[^/]+"

    @extend_schema(
        parameters=[
            OpenApiParameter("endpoint", uuid.UUID, description="An endpoint id"),
            OpenApiParameter(
                "event",
                {"type": "string", "pattern": EVENT_ID_PATTERN},
                description="An event id (evt_…)",
            ),
            OpenApiParameter("status", str, enum=DeliveryStatus.values),
            *HISTORY_HEADERS,
        ],
        description="Every delivery attempt, newest first. " + HISTORY_NOTE,
    )
    def list(self, request: Request) -> Response:
        params = request.query_params
        filters: dict[str, Any] = {}
        if params.get("endpoint"):
            filters["endpoint_id"] = selectors.parse_uuid(params["endpoint"])
            if filters["endpoint_id"] is None:
                raise ValidationFailed.field("endpoint", "Expected an endpoint id")
        if params.get("event"):
            filters["event_id"] = selectors.parse_event_id(params["event"])
            if filters["event_id"] is None:
                raise ValidationFailed.field("event", "Expected an event id (evt_…)")
        if params.get("status"):
            if params["status"] not in DeliveryStatus.values:
                raise ValidationFailed.field(
                    "status", f"One of: {', '.join(DeliveryStatus.values)}"
                )
            filters["status"] = params["status"]
        deliveries = selectors.deliveries_for(
            merchant=request_merchant(request), mode=request_mode(request), **filters
        )
        page = self.paginate_queryset(deliveries)
        return _with_history(self.get_paginated_response(DeliveryOut(page, many=True).data))

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        delivery = selectors.delivery_get(
            merchant=request_merchant(request), mode=request_mode(request), delivery_id=pk or ""
        )
        if delivery is None:
            raise NotFound("Delivery not found")
        return Response(DeliveryOut(delivery).data)


class EventTypesView(APIView):
    """The event catalogue: every type Selgeo sends, with an example payload."""

    permission_classes = [IsMerchantUser]

    @extend_schema(
        tags=["webhooks"],
        parameters=[MODE_PARAMETER],
        responses={
            200: inline_serializer(
                "EventTypeList",
                {
                    "data": EventTypeOut(many=True),
                    "total": serializers.IntegerField(),
                    "page": serializers.IntegerField(),
                    "limit": serializers.IntegerField(),
                },
            )
        },
    )
    def get(self, request: Request) -> Response:
        mode = request_mode(request)
        data = [
            {
                "type": t.name,
                "description": t.description,
                "opt_in": t.opt_in,
                "example": catalogue.example_payload(t.name, mode=mode),
            }
            for t in catalogue.EVENT_TYPES.values()
        ]
        return Response({"data": data, "total": len(data), "page": 1, "limit": len(data)})
