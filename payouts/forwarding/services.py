"""Writes for payment forwarding: create a forward, watch the wallet, forward exactly once.

The watcher (a beat task every few seconds) lists what the node's wallet received since
the last block it looked at, records each payment to a forward's address, and announces
each confirmation 0 through 6 to the forward's webhook URL once: the announcement and
the record of it are one transaction. A payment is forwarded as soon as the wallet can
spend it (Bitcoin Core's wallet spends a payment it did not make from its first
confirmation), by one `sendmany` whose forward-to output pays the miner fee.

Exactly once: the send is claimed by a conditional UPDATE (`waiting` -> `sending`) that
records the intent and the label before the node is asked; the label is the comment of
the node transaction. A worker that dies after the node sent but before the record
leaves the row `sending`; once its lease is over the watcher looks the label up in the
wallet and records the transaction it finds, or, when there is none, releases the row
to be sent again. Nothing that could pay twice is retried blindly.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Merchant, Mode
from partners import selectors as partner_selectors
from payouts import validation
from payouts.forwarding import node as nodes
from payouts.forwarding.errors import PaymentForwardingUnavailable
from payouts.forwarding.models import (
    LAST_ANNOUNCED_CONFIRMATION,
    ForwardedPayment,
    PaymentForward,
    SendStatus,
    WatchCursor,
)
from payouts.forwarding.representations import confirmation_data, failure_data
from payouts.models import PayoutMethod
from payouts.selectors.accounts import active_payout_account
from selgeo.api.errors import ValidationFailed
from webhooks import services as webhooks

logger = logging.getLogger("selgeo.forwarding")

MAX_FEE_PERCENT = Decimal(50)
WEBHOOK_URL_MAX = 2000


def _fee_percent(raw: Any, details: list[dict[str, str]]) -> Decimal | None:
    field = "processing_fee_percent"
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal | str):
        details.append({"field": field, "message": "Expected a number"})
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        details.append({"field": field, "message": "Expected a number"})
        return None
    if not value.is_finite():
        details.append({"field": field, "message": "Expected a number"})
    elif value <= 0 or value > MAX_FEE_PERCENT:
        details.append({"field": field, "message": "Must be more than 0 and at most 50"})
    elif value != value.quantize(Decimal("0.01")):
        details.append({"field": field, "message": "At most two decimals"})
    else:
        return value.quantize(Decimal("0.01"))
    return None


def _address(raw: Any, field: str, network: str, details: list[dict[str, str]]) -> str:
    try:
        return validation.bitcoin_address(raw, network=network, field=field, sent="forwards")
    except ValidationFailed as exc:
        details.extend(exc.details or [])
        return ""


def _partner_address(
    *, merchant: Merchant, mode: str, raw: Any, network: str, details: list[dict[str, str]]
) -> tuple[Any, str]:
    field = "partner_id"
    try:
        partner_id = uuid.UUID(str(raw))
    except ValueError:
        details.append({"field": field, "message": "Not a valid partner id"})
        return None, ""
    application = (
        partner_selectors.applications_for(merchant=merchant, mode=mode)
        .filter(partner_id=partner_id, status="approved", partner__erased_at__isnull=True)
        .select_related("partner")
        .first()
    )
    partner = application.partner if application else None
    if partner is None:
        details.append({"field": field, "message": "No approved partner of yours has this id"})
        return None, ""
    account = active_payout_account(partner)
    if account is None or account.method != PayoutMethod.BITCOIN:
        details.append({"field": field, "message": "This partner has no Bitcoin payout address"})
        return None, ""
    if account.bitcoin_network != network:
        details.append(
            {
                "field": field,
                "message": f"The partner's payout address is on {account.bitcoin_network}, "
                f"forwards are sent on {network}",
            }
        )
        return None, ""
    return partner, account.bitcoin_address


def payment_forward_create(
    *, merchant: Merchant, mode: str, data: dict[str, Any]
) -> PaymentForward:
    """A forward with a fresh address of the mode's node; every input error at once."""
    config = nodes.config_for(mode)
    if config is None:
        raise PaymentForwardingUnavailable()
    details: list[dict[str, str]] = []
    address = _address(data.get("address"), "address", config.network, details)
    webhook_url = data.get("webhook_url")
    if not isinstance(webhook_url, str) or not webhook_url.strip():
        details.append({"field": "webhook_url", "message": "This field is required"})
    elif len(webhook_url) > WEBHOOK_URL_MAX:
        details.append({"field": "webhook_url", "message": f"At most {WEBHOOK_URL_MAX} characters"})
    percent = _fee_percent(data.get("processing_fee_percent"), details)
    fee_raw, partner_raw = data.get("processing_fee_address"), data.get("partner_id")
    fee_address, partner = "", None
    if fee_raw not in (None, "") and partner_raw not in (None, ""):
        details.append(
            {
                "field": "partner_id",
                "message": "Give processing_fee_address or partner_id, not both",
            }
        )
    elif fee_raw not in (None, ""):
        fee_address = _address(fee_raw, "processing_fee_address", config.network, details)
    elif partner_raw not in (None, ""):
        partner, fee_address = _partner_address(
            merchant=merchant, mode=mode, raw=partner_raw, network=config.network, details=details
        )
    has_destination = fee_raw not in (None, "") or partner_raw not in (None, "")
    if data.get("processing_fee_percent") is not None and not has_destination:
        details.append(
            {
                "field": "processing_fee_percent",
                "message": "A processing fee needs processing_fee_address or partner_id",
            }
        )
    if has_destination and data.get("processing_fee_percent") is None:
        details.append(
            {"field": "processing_fee_percent", "message": "Required with a fee destination"}
        )
    own = set(
        PaymentForward.objects.filter(
            payment_address__in=[a for a in (address, fee_address) if a]
        ).values_list("payment_address", flat=True)
    )
    for field, value in (("address", address), ("processing_fee_address", fee_address)):
        if value in own:
            # Forwarding to a payment address would be read as a new payment, forever.
            details.append({"field": field, "message": "This is a payment forward's own address"})
    if address and fee_address and address == fee_address:
        details.append(
            {
                "field": "processing_fee_address",
                "message": "Must differ from the forward-to address",
            }
        )
    if details:
        raise ValidationFailed(details=details)
    assert isinstance(webhook_url, str)
    # Refused URLs answer the webhook codes (WEBHOOK_URL_NOT_HTTPS, _PRIVATE_IP, ...).
    webhooks.check_url(url=webhook_url.strip(), mode=mode, field="webhook_url")
    node = nodes.Node(config.url)
    try:
        payment_address = node.new_address()
    except (nodes.NodeUnavailable, nodes.NodeError) as exc:
        logger.warning("getnewaddress failed for %s forwards: %s", mode, exc)
        raise PaymentForwardingUnavailable(
            "The Bitcoin node did not give a payment address; try again shortly"
        ) from exc
    with transaction.atomic():
        endpoint = webhooks.endpoint_create_for_payment_forward(
            merchant=merchant, mode=mode, url=webhook_url.strip()
        )
        now = timezone.now()
        return PaymentForward.objects.create(
            merchant=merchant,
            mode=mode,
            address=address,
            network=config.network,
            payment_address=payment_address,
            webhook_url=webhook_url.strip(),
            webhook_endpoint=endpoint,
            processing_fee_percent=percent or Decimal(0),
            processing_fee_address=fee_address,
            partner=partner,
            created_at=now,
            expires_at=now + timedelta(hours=settings.SELGEO_FORWARDING_EXPIRY_HOURS),
        )


def split(*, amount_sats: int, percent: Decimal) -> tuple[int, int]:
    """(forward-to, processing fee) before the miner fee; the fee is rounded down."""
    fee = int((Decimal(amount_sats) * percent / 100).to_integral_value(rounding=ROUND_DOWN))
    return amount_sats - fee, fee


# The watcher ----------------------------------------------------------------------------


def forwarding_watch() -> list[uuid.UUID]:
    """One look at every mode's node; the payments now ready to be forwarded."""
    ready: list[uuid.UUID] = []
    for mode in Mode.values:
        node = nodes.node_for(mode)
        if node is None:
            continue
        try:
            forwards_reconcile(mode=mode, node=node)
            _record_arrivals(mode=mode, node=node)
            ready.extend(_follow_confirmations(mode=mode, node=node))
        except (nodes.NodeUnavailable, nodes.NodeError) as exc:
            logger.warning("Payment forwarding watch (%s) stopped: %s", mode, exc)
    return ready


def _record_arrivals(*, mode: str, node: nodes.Node) -> None:
    cursor, _ = WatchCursor.objects.get_or_create(mode=mode)
    # Listed down to six confirmations: the lastblock returned lies that deep, so the next
    # look covers the recent blocks again and a reorganisation among them is seen.
    listed = node.list_since_block(cursor.block_hash, LAST_ANNOUNCED_CONFIRMATION)
    received = [
        entry
        for entry in listed.get("transactions", [])
        if entry.get("category") == "receive" and int(entry.get("confirmations", 0)) >= 0
    ]
    forwards = {
        forward.payment_address: forward
        for forward in PaymentForward.objects.filter(
            mode=mode, payment_address__in={entry.get("address") for entry in received}
        )
    }
    rows = [
        ForwardedPayment(
            forward=forwards[entry["address"]],
            txid=entry["txid"],
            vout=int(entry["vout"]),
            amount_sats=nodes.btc_to_sats(entry["amount"]),
            confirmations=int(entry.get("confirmations", 0)),
        )
        for entry in received
        if entry.get("address") in forwards
    ]
    with transaction.atomic():
        # A payment seen twice (the lists overlap on purpose) is recorded once.
        ForwardedPayment.objects.bulk_create(rows, ignore_conflicts=True)
        WatchCursor.objects.filter(mode=mode).update(
            block_hash=listed.get("lastblock", ""), updated_at=timezone.now()
        )


def _follow_confirmations(*, mode: str, node: nodes.Node) -> list[uuid.UUID]:
    open_payments = ForwardedPayment.objects.filter(forward__mode=mode).filter(
        Q(status=SendStatus.WAITING) | Q(announced_confirmations__lt=LAST_ANNOUNCED_CONFIRMATION)
    )
    ready = []
    for payment_id, txid, status in open_payments.values_list("pk", "txid", "status"):
        try:
            confirmations = int(node.transaction(txid).get("confirmations", 0))
        except nodes.NodeError as exc:
            # One transaction the wallet cannot show must not stop the others' calls.
            logger.warning("gettransaction %s: %s", txid, exc)
            continue
        if confirmations < 0:
            # Conflicted (double-spent or reorganised away): nothing to announce.
            continue
        payment_confirmations_announce(payment_id=payment_id, confirmations=confirmations)
        if confirmations >= 1 and status == SendStatus.WAITING:
            ready.append(payment_id)
    return ready


@transaction.atomic
def payment_confirmations_announce(*, payment_id: uuid.UUID, confirmations: int) -> int:
    """Announce each confirmation up to `confirmations` (at most 6) not announced yet,
    one webhook call each; how many calls were recorded."""
    payment = (
        ForwardedPayment.objects.select_for_update()
        .select_related("forward__webhook_endpoint__merchant")
        .get(pk=payment_id)
    )
    forward = payment.forward
    upto = min(confirmations, LAST_ANNOUNCED_CONFIRMATION)
    numbers = range(payment.announced_confirmations + 1, upto + 1)
    others = [p for p in forward.payments.all() if p.pk != payment.pk]
    for n in numbers:
        payment.confirmations = n
        webhooks.emit_to_endpoint(
            endpoint=forward.webhook_endpoint,
            type="payment_forward.confirmation",
            data=confirmation_data(forward, [*others, payment], payment, n),
        )
    ForwardedPayment.objects.filter(pk=payment.pk).update(
        confirmations=confirmations,
        announced_confirmations=max(payment.announced_confirmations, upto),
    )
    return len(numbers)


# The forward ----------------------------------------------------------------------------


def _label(payment_id: uuid.UUID) -> str:
    return f"selgeo-forward:{payment_id}"


def _is_fee_too_large(error: nodes.NodeError) -> bool:
    # Bitcoin Core (code -4) and the SV node (code -6, the code of insufficient funds)
    # refuse an output the subtracted fee would leave empty or dust with these messages;
    # nothing was sent. The message is checked first, as the codes differ.
    text = error.message.lower()
    return "too small" in text or ("fee" in text and "exceed" in text)


def payment_forward_send(*, payment_id: uuid.UUID) -> str:
    """Forward one payment, once. Returns the payment's status afterwards."""
    payment = ForwardedPayment.objects.select_related("forward").get(pk=payment_id)
    forward = payment.forward
    node = nodes.node_for(forward.mode)
    if node is None or payment.status != SendStatus.WAITING:
        return payment.status
    tip = node.best_block_hash()
    label = _label(payment.pk)
    now = timezone.now()
    lease = timedelta(seconds=settings.SELGEO_FORWARDING_LEASE_SECONDS)
    claimed = ForwardedPayment.objects.filter(pk=payment.pk, status=SendStatus.WAITING).update(
        status=SendStatus.SENDING, label=label, claimed_at_block=tip, claimed_until=now + lease
    )
    if claimed != 1:
        return str(ForwardedPayment.objects.values_list("status", flat=True).get(pk=payment.pk))
    to_sats, fee_sats = split(
        amount_sats=payment.amount_sats, percent=forward.processing_fee_percent
    )
    outputs = {forward.address: to_sats}
    if fee_sats:
        outputs[forward.processing_fee_address] = fee_sats
    try:
        txid = node.send_many(outputs=outputs, comment=label, subtract_fee_from=[forward.address])
    except nodes.NodeError as exc:
        if _is_fee_too_large(exc):
            payment_forward_fail(
                payment_id=payment.pk,
                reason=f"The miner fee exceeds the forward-to output ({exc.message})",
            )
            return SendStatus.FAILED
        if exc.code == nodes.RPC_WALLET_INSUFFICIENT_FUNDS:
            # Not spendable yet: the node refused before sending anything.
            _release(payment.pk, label)
            return SendStatus.WAITING
        # Anything else may or may not have sent: the reconciliation decides by label.
        logger.warning("sendmany for payment %s: %s; reconciling later", payment.pk, exc)
        return SendStatus.SENDING
    except nodes.NodeUnavailable as exc:
        logger.warning("sendmany for payment %s unanswered: %s; reconciling later", payment.pk, exc)
        return SendStatus.SENDING
    payment_forward_record(payment_id=payment.pk, label=label, txid=txid, node=node)
    return SendStatus.SENT


def _release(payment_id: uuid.UUID, label: str) -> None:
    ForwardedPayment.objects.filter(pk=payment_id, status=SendStatus.SENDING, label=label).update(
        status=SendStatus.WAITING, claimed_until=None
    )


def payment_forward_record(
    *, payment_id: uuid.UUID, label: str, txid: str, node: nodes.Node
) -> bool:
    """Record the node transaction `txid` as the payment's forward (once)."""
    payment = ForwardedPayment.objects.select_related("forward").get(pk=payment_id)
    to_sats, fee_sats = split(
        amount_sats=payment.amount_sats, percent=payment.forward.processing_fee_percent
    )
    miner_fee: int | None
    try:
        miner_fee = -nodes.btc_to_sats(node.transaction(txid).get("fee", 0))
    except (nodes.NodeUnavailable, nodes.NodeError):
        miner_fee = None
    with transaction.atomic():
        recorded = ForwardedPayment.objects.filter(
            pk=payment_id, status=SendStatus.SENDING, label=label
        ).update(
            status=SendStatus.SENT,
            forward_txid=txid,
            forward_to_sats=to_sats - miner_fee if miner_fee is not None else None,
            processing_fee_sats=fee_sats,
            miner_fee_sats=miner_fee,
            claimed_until=None,
            forwarded_at=timezone.now(),
        )
    return recorded == 1


@transaction.atomic
def payment_forward_fail(*, payment_id: uuid.UUID, reason: str) -> None:
    """Mark a claimed payment failed and tell the forward's webhook URL."""
    payment = (
        ForwardedPayment.objects.select_for_update()
        .select_related("forward__webhook_endpoint__merchant")
        .get(pk=payment_id)
    )
    if payment.status != SendStatus.SENDING:
        return
    payment.status = SendStatus.FAILED
    payment.failure_reason = reason[:300]
    payment.claimed_until = None
    payment.save(update_fields=["status", "failure_reason", "claimed_until"])
    forward = payment.forward
    others = [p for p in forward.payments.all() if p.pk != payment.pk]
    webhooks.emit_to_endpoint(
        endpoint=forward.webhook_endpoint,
        type="payment_forward.failed",
        data=failure_data(forward, [*others, payment], payment),
    )


def forwards_reconcile(*, mode: str, node: nodes.Node) -> int:
    """Settle sends whose worker went quiet past its lease, by the label in the wallet:
    the transaction found is recorded; none found means none was sent, and the payment
    waits to be sent again. How many were settled."""
    stale = ForwardedPayment.objects.filter(
        forward__mode=mode, status=SendStatus.SENDING, claimed_until__lt=timezone.now()
    ).values_list("pk", "label", "claimed_at_block")
    settled = 0
    for payment_id, label, block in stale:
        listed = node.list_since_block(block, 1)
        found = [
            entry["txid"]
            for entry in listed.get("transactions", [])
            if entry.get("category") == "send" and entry.get("comment") == label
        ]
        if found:
            logger.warning(
                "Payment %s was forwarded in %s; recorded from the wallet", payment_id, found[0]
            )
            payment_forward_record(payment_id=payment_id, label=label, txid=found[0], node=node)
        else:
            _release(payment_id, label)
        settled += 1
    return settled
