"""Dynamic delivery writes: the program's URL, and each approved partner's request to it.

Outbound rules are the webhooks' (`webhooks.ssrf`, `webhooks.transport`,
`webhooks.signing`): the URL is checked when it is saved and its resolved addresses
again before every request, the request goes to the checked address, redirects are
failures, the exchange has a wall-clock deadline, and the body is signed with the
Standard Webhooks headers (`webhook-id` is `dyn_<delivery id>`, the same on every
retry) using the program's own `whsec_` secret.

Attempts are claimed by a conditional UPDATE on `next_attempt_at` (a lease), so a task
that runs twice, or the sweep racing the first attempt, sends one request at a time;
a delivered row is never sent again. Retries wait in the database (`next_attempt_at`)
for the beat sweep, never in broker countdowns.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from dynamic_delivery.models import (
    DISABLE_AFTER_FAILURES,
    TEXT_MAX,
    DeliveryStatus,
    DynamicDelivery,
    DynamicUrl,
)
from notifications.models import Kind
from notifications.services import notify_after_commit
from partners.models import Application, ApplicationStatus, Program, ReferralCode
from webhooks import signing, ssrf, transport
from webhooks.services.endpoints import check_url

logger = logging.getLogger(__name__)

# The wait after each failed attempt of one delivery; after the last, it has failed.
RETRY_DELAYS = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# UTF-8 needs at most four bytes a character: this many bytes hold 500 characters.
_MAX_BODY_BYTES = TEXT_MAX * 4


def _now() -> datetime:
    return timezone.now()


@transaction.atomic
def dynamic_url_set(*, program: Program, url: str) -> DynamicUrl:
    """Name (or change) the program's dynamic URL, checked like a webhook URL; re-enables it.

    A new URL gets a new signing secret; changing the URL keeps the secret.
    """
    check_url(url=url, mode=program.mode)
    now = _now()
    dynamic = DynamicUrl.objects.select_for_update().filter(program=program).first()
    if dynamic is None:
        dynamic = DynamicUrl(program=program, secret=signing.generate_secret(), created_at=now)
    dynamic.url = url
    dynamic.consecutive_failures = 0
    dynamic.disabled_at = None
    dynamic.disabled_reason = ""
    dynamic.updated_at = now
    dynamic.save()
    return dynamic


@transaction.atomic
def dynamic_url_rotate_secret(*, program: Program) -> DynamicUrl:
    dynamic = DynamicUrl.objects.select_for_update().get(program=program)
    dynamic.secret = signing.generate_secret()
    dynamic.updated_at = _now()
    dynamic.save(update_fields=["secret", "updated_at"])
    return dynamic


@transaction.atomic
def dynamic_url_remove(*, program: Program) -> None:
    """Forget the URL; deliveries still waiting for it fail, delivered texts stay."""
    DynamicUrl.objects.filter(program=program).delete()
    DynamicDelivery.objects.filter(program=program, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED,
        next_attempt_at=None,
        last_error="The program's dynamic URL was removed",
    )


def dynamic_delivery_after_commit(*, application: Application) -> None:
    """Called inside the approval's transaction: queue the partner's request, if any.

    The delivery row is written with the approval, so a lost task is found by the sweep.
    """
    dynamic = DynamicUrl.objects.filter(
        program_id=application.program_id, disabled_at__isnull=True
    ).first()
    if dynamic is None:
        return
    if DynamicDelivery.objects.filter(application=application).exists():
        return
    try:
        with transaction.atomic():
            delivery = DynamicDelivery.objects.create(
                application=application,
                merchant_id=application.merchant_id,
                mode=application.mode,
                program_id=application.program_id,
                partner_id=application.partner_id,
                next_attempt_at=_now(),
            )
    except IntegrityError:
        return
    from dynamic_delivery.tasks import deliver

    delivery_id = str(delivery.pk)
    transaction.on_commit(lambda: deliver.delay(delivery_id))


def _lease() -> timedelta:
    return timedelta(seconds=settings.SELGEO_WEBHOOKS_TIMEOUT_SECONDS + 30)


def _claim(delivery_id: uuid.UUID, now: datetime) -> bool:
    return (
        DynamicDelivery.objects.filter(
            pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
        ).update(next_attempt_at=now + _lease())
        == 1
    )


def payload(delivery: DynamicDelivery) -> dict[str, Any]:
    """What the dynamic URL receives: the approved partner and the program."""
    program, partner, application = delivery.program, delivery.partner, delivery.application
    code = (
        ReferralCode.objects.filter(program=program, partner=partner, is_default=True)
        .values_list("code", flat=True)
        .first()
    )
    return {
        "type": "partner.approved",
        "delivery_id": str(delivery.pk),
        "mode": delivery.mode,
        "program": {
            "id": str(program.pk),
            "code": program.code,
            "name": program.name,
            "currency": program.currency,
            "commission_type": program.commission_type,
        },
        "partner": {
            "id": str(partner.pk),
            "display_name": partner.display_name,
            "website": partner.website,
            "country": partner.country,
            "referral_code": code,
        },
        "application": {
            "id": str(application.pk),
            "status": application.status,
            "approved_at": application.decided_at.isoformat() if application.decided_at else None,
        },
    }


def response_text(raw: bytes) -> str:
    """The answer as the partner sees it: text, surrounding whitespace dropped, 500 characters."""
    return raw.decode("utf-8", errors="replace").strip()[:TEXT_MAX]


def dynamic_delivery_attempt(*, delivery_id: uuid.UUID) -> str | None:
    """Make one attempt if the delivery is pending and due; returns its new status."""
    now = _now()
    if not _claim(delivery_id, now):
        return None
    delivery = DynamicDelivery.objects.select_related("program", "partner", "application").get(
        pk=delivery_id
    )
    dynamic = DynamicUrl.objects.filter(program_id=delivery.program_id).first()
    if dynamic is None or not dynamic.enabled:
        _fail(delivery, "The program's dynamic URL is disabled", final=True)
        return DeliveryStatus.FAILED
    if delivery.application.status != ApplicationStatus.APPROVED or delivery.partner.is_erased:
        _fail(delivery, "The partner is no longer approved", final=True)
        return DeliveryStatus.FAILED
    try:
        ssrf.check_url(dynamic.url, allow_loopback=settings.SELGEO_WEBHOOKS_ALLOW_LOOPBACK)
    except ssrf.ForbiddenAddress as exc:
        return _refused(
            delivery, dynamic, f"Refused: the URL's host resolves to a {exc.reason} address"
        )
    except ssrf.UrlRefused as exc:
        return _failed_attempt(delivery, dynamic, str(exc), status_code=None)
    body = json.dumps(payload(delivery), separators=(",", ":")).encode()
    headers = signing.headers_for(
        secrets=[dynamic.secret], msg_id=f"dyn_{delivery.pk}", timestamp=int(time.time()), body=body
    )
    result = transport.post(
        dynamic.url,
        body=body,
        headers={**headers, "Accept": "text/plain"},
        timeout=settings.SELGEO_WEBHOOKS_TIMEOUT_SECONDS,
        max_body=_MAX_BODY_BYTES,
        allow_loopback=settings.SELGEO_WEBHOOKS_ALLOW_LOOPBACK,
        ca_bundle=settings.SELGEO_WEBHOOKS_CA_BUNDLE,
    )
    if result.error.startswith("Refused"):
        # The name turned private between the check and the connection.
        return _refused(delivery, dynamic, result.error)
    if not result.ok:
        error = result.error or f"The URL answered HTTP {result.status_code}"
        return _failed_attempt(delivery, dynamic, error, status_code=result.status_code)
    text = response_text(result.body_excerpt)
    if not text:
        return _failed_attempt(
            delivery, dynamic, "The URL answered with an empty body", status_code=result.status_code
        )
    with transaction.atomic():
        DynamicDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.DELIVERED,
            text=text,
            response_status=result.status_code,
            attempts=F("attempts") + 1,
            last_error="",
            next_attempt_at=None,
            delivered_at=_now(),
        )
        DynamicUrl.objects.filter(pk=dynamic.pk).update(consecutive_failures=0)
    return DeliveryStatus.DELIVERED


def _fail(
    delivery: DynamicDelivery, error: str, *, final: bool, status_code: int | None = None
) -> None:
    changes: dict[str, Any] = {
        "attempts": F("attempts") + 1,
        "last_error": error[:500],
        "response_status": status_code,
    }
    if final:
        changes.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
    else:
        delay = RETRY_DELAYS[min(delivery.attempts, len(RETRY_DELAYS) - 1)]
        changes["next_attempt_at"] = _now() + delay
    DynamicDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING).update(**changes)


@transaction.atomic
def _failed_attempt(
    delivery: DynamicDelivery, dynamic: DynamicUrl, error: str, *, status_code: int | None
) -> str:
    DynamicUrl.objects.filter(pk=dynamic.pk).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    failures = DynamicUrl.objects.values_list("consecutive_failures", flat=True).get(pk=dynamic.pk)
    final = delivery.attempts + 1 >= MAX_ATTEMPTS
    _fail(delivery, error, final=final, status_code=status_code)
    if failures >= DISABLE_AFTER_FAILURES:
        _disable(
            dynamic,
            f"{failures} requests in a row failed; the last one: {error}"[:300],
        )
        return DeliveryStatus.FAILED
    return DeliveryStatus.FAILED if final else DeliveryStatus.PENDING


@transaction.atomic
def _refused(delivery: DynamicDelivery, dynamic: DynamicUrl, error: str) -> str:
    _fail(delivery, error, final=True)
    _disable(dynamic, error[:300])
    return DeliveryStatus.FAILED


def _disable(dynamic: DynamicUrl, reason: str) -> None:
    """Disable the URL once, fail what waits for it, and tell the merchant after commit."""
    now = _now()
    changed = DynamicUrl.objects.filter(pk=dynamic.pk, disabled_at__isnull=True).update(
        disabled_at=now, disabled_reason=reason, updated_at=now
    )
    if not changed:
        return
    DynamicDelivery.objects.filter(program_id=dynamic.pk, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED,
        next_attempt_at=None,
        last_error="The program's dynamic URL was disabled",
    )
    notify_after_commit(kind=Kind.DYNAMIC_URL_DISABLED, subject_ids=[dynamic.pk])


def dynamic_deliveries_due(*, limit: int = 200) -> list[uuid.UUID]:
    """Pending deliveries whose attempt is due (retries, and first attempts whose task was lost)."""
    return list(
        DynamicDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=_now())
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )
