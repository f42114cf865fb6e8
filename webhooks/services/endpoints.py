"""Webhook endpoints: create, change, rotate the secret, enable/disable, delete."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Merchant, Mode
from selgeo.api.errors import ValidationFailed
from webhooks import catalogue, selectors, signing, ssrf
from webhooks.errors import (
    WebhookEndpointLimitExceeded,
    WebhookUrlNotHttps,
    WebhookUrlPrivateIp,
    WebhookUrlUnresolvable,
)
from webhooks.models import DisabledReason, EndpointKind, WebhookEndpoint
from webhooks.services.delivery import endpoint_disable

MAX_ENDPOINTS_PER_MODE = 10


def check_url(*, url: str, mode: str, field: str = "url") -> str:
    """The URL, once its form, its scheme for the mode and its resolved addresses passed."""
    try:
        target = ssrf.parse_url(url)
    except ssrf.InvalidUrl as exc:
        raise ValidationFailed.field(field, str(exc)) from exc
    if mode == Mode.LIVE and target.scheme != "https":
        raise WebhookUrlNotHttps()
    try:
        ssrf.check_host(
            target.host, target.port, allow_loopback=settings.SELGEO_WEBHOOKS_ALLOW_LOOPBACK
        )
    except ssrf.UnresolvableHost as exc:
        raise WebhookUrlUnresolvable() from exc
    except ssrf.ForbiddenAddress as exc:
        # The address itself is not echoed: it would map the inside of a network.
        raise WebhookUrlPrivateIp() from exc
    return url


def check_event_types(event_types: list[str]) -> list[str]:
    unknown = [t for t in event_types if not catalogue.is_known(t)]
    if unknown:
        raise ValidationFailed(
            details=[
                {"field": "event_types", "message": f"Unknown event type: {name}"}
                for name in unknown
            ]
        )
    return list(dict.fromkeys(event_types))


@transaction.atomic
def endpoint_create(
    *,
    merchant: Merchant,
    mode: str,
    url: str,
    description: str = "",
    event_types: list[str] | None = None,
) -> WebhookEndpoint:
    types = check_event_types(event_types or [])
    check_url(url=url, mode=mode)
    # Serialise creations per merchant so that concurrent requests cannot both see 9.
    Merchant.objects.select_for_update().filter(pk=merchant.pk).values_list("pk").first()
    if selectors.endpoints_for(merchant=merchant, mode=mode).count() >= MAX_ENDPOINTS_PER_MODE:
        raise WebhookEndpointLimitExceeded()
    now = timezone.now()
    transaction.on_commit(selectors.forget_subscribers)
    return WebhookEndpoint.objects.create(
        merchant=merchant,
        mode=mode,
        url=url,
        description=description,
        event_types=types,
        secret=signing.generate_secret(),
        created_at=now,
        updated_at=now,
    )


# What a payment forward's webhook URL receives: its own events, nothing broadcast.
PAYMENT_FORWARD_EVENT_TYPES = ["payment_forward.confirmation", "payment_forward.failed"]


@transaction.atomic
def endpoint_create_for_payment_forward(
    *, merchant: Merchant, mode: str, url: str
) -> WebhookEndpoint:
    """The hidden endpoint of one payment forward's `webhook_url` (checked as any
    endpoint's URL, reported as `webhook_url`): signed, retried, logged and replayable
    like the merchant's endpoints, but neither listed nor counted among them."""
    check_url(url=url, mode=mode, field="webhook_url")
    now = timezone.now()
    return WebhookEndpoint.objects.create(
        merchant=merchant,
        mode=mode,
        url=url,
        description="Payment forward",
        event_types=list(PAYMENT_FORWARD_EVENT_TYPES),
        kind=EndpointKind.PAYMENT_FORWARD,
        secret=signing.generate_secret(),
        created_at=now,
        updated_at=now,
    )


@transaction.atomic
def endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    description: str | None = None,
    event_types: list[str] | None = None,
    enabled: bool | None = None,
) -> WebhookEndpoint:
    changes: dict[str, object] = {}
    if event_types is not None:
        changes["event_types"] = check_event_types(event_types)
    if url is not None:
        changes["url"] = check_url(url=url, mode=endpoint.mode)
    if description is not None:
        changes["description"] = description
    if enabled is True and not endpoint.is_enabled:
        changes.update(disabled_at=None, disabled_reason="", failing_since=None)
    now = timezone.now()
    transaction.on_commit(selectors.forget_subscribers)
    if changes:
        changes["updated_at"] = now
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(**changes)
    if enabled is False:
        endpoint_disable(endpoint_id=endpoint.pk, reason=DisabledReason.MANUAL)
    endpoint.refresh_from_db()
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(
    *, endpoint: WebhookEndpoint, previous_valid_hours: int = 24
) -> WebhookEndpoint:
    """A new secret; the old one keeps signing (beside it) for `previous_valid_hours`."""
    now = timezone.now()
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    keep = previous_valid_hours > 0
    locked.previous_secret = locked.secret if keep else ""
    locked.previous_secret_expires_at = (
        now + timedelta(hours=previous_valid_hours) if keep else None
    )
    locked.secret = signing.generate_secret()
    locked.updated_at = now
    locked.save(
        update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"]
    )
    return locked


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """The endpoint and its delivery log go; pending attempts go with them."""
    transaction.on_commit(selectors.forget_subscribers)
    endpoint.delete()
