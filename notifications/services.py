"""Sending notifications once, and each recipient's switches.

The owning services call `notify_after_commit` inside their transaction: the task is
queued only if the change commits, and it re-reads what happened, so a rolled-back
change mails nobody and a task that runs late says what is true when it runs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from accounts.models import Membership, Partner
from notifications import selectors
from notifications.messages import BUILDERS, Mail
from notifications.models import (
    MERCHANT_KINDS,
    PARTNER_KINDS,
    MemberOptOut,
    PartnerOptOut,
    SentNotification,
)

logger = logging.getLogger(__name__)


def notify_after_commit(*, kind: str, subject_ids: Iterable[Any]) -> None:
    """Queue the `kind` notification about these rows once the current transaction commits."""
    from notifications.tasks import send_notifications

    ids = [str(subject_id) for subject_id in subject_ids]
    if not ids:
        return
    if kind not in BUILDERS:
        raise ValueError(f"Unknown notification kind {kind!r}")
    transaction.on_commit(lambda: send_notifications.delay(kind, ids))


def _claim(mail: Mail, key: str) -> bool:
    try:
        with transaction.atomic():
            SentNotification.objects.create(kind=mail.kind, subject_key=key, user=mail.user)
    except IntegrityError:
        return False
    return True


def _message(mail: Mail, context: dict[str, Any]) -> EmailMultiAlternatives:
    template = f"notifications/email/{mail.kind}"
    context = {**context, "subject": mail.subject, "user": mail.user}
    message = EmailMultiAlternatives(
        subject=mail.subject,
        body=render_to_string(f"{template}.txt", context),
        to=[mail.user.email],
        headers={
            "X-Selgeo-Notification": mail.kind,
            # Mail clients offer their "unsubscribe" button for it: the switches page.
            "List-Unsubscribe": f"<{context['preferences_url']}>",
        },
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def _send_one(mail: Mail) -> bool:
    # The record and the mail share a transaction: a failed send leaves no record (the
    # task's retry sends it), and of two runs of one task the second waits on the
    # first's row and then finds it, so it sends nothing.
    with transaction.atomic():
        if mail.items:
            fresh = [item for key, item in mail.items.items() if _claim(mail, key)]
            if not fresh:
                return False
            context = {**mail.context, "items": fresh}
        else:
            if not _claim(mail, mail.subject_key):
                return False
            context = mail.context
        _message(mail, context).send()
    return True


def notifications_send(*, kind: str, subject_ids: list[str]) -> int:
    """Send the `kind` mails these rows call for, once each; returns how many went out."""
    sent = 0
    for mail in BUILDERS[kind](subject_ids):
        if not selectors.wants(kind=kind, membership=mail.membership, partner=mail.partner):
            continue
        if _send_one(mail):
            sent += 1
    return sent


@transaction.atomic
def member_preferences_set(*, membership: Membership, enabled: Iterable[str]) -> None:
    """Switch the merchant notifications of one member: those in `enabled` on, the rest off."""
    off = set(MERCHANT_KINDS) - set(enabled)
    MemberOptOut.objects.filter(membership=membership).exclude(kind__in=off).delete()
    existing = set(
        MemberOptOut.objects.filter(membership=membership).values_list("kind", flat=True)
    )
    MemberOptOut.objects.bulk_create(
        [MemberOptOut(membership=membership, kind=kind) for kind in sorted(off - existing)],
        ignore_conflicts=True,
    )


@transaction.atomic
def partner_preferences_set(*, partner: Partner, enabled: Iterable[str]) -> None:
    """Switch a partner's notifications: those in `enabled` on, the rest off."""
    off = set(PARTNER_KINDS) - set(enabled)
    PartnerOptOut.objects.filter(partner=partner).exclude(kind__in=off).delete()
    existing = set(PartnerOptOut.objects.filter(partner=partner).values_list("kind", flat=True))
    PartnerOptOut.objects.bulk_create(
        [PartnerOptOut(partner=partner, kind=kind) for kind in sorted(off - existing)],
        ignore_conflicts=True,
    )


# Partners this process already queued a first-conversion check for. The check itself
# (the task) is exact; this only spares the hot conversion path a queued task for every
# later conversion of the same partner. Bounded, and per process: a restart or another
# process queues one more check, which then finds the mail already sent.
_FIRST_CONVERSION_SEEN: dict[tuple[str, str, str], None] = {}
_FIRST_CONVERSION_SEEN_MAX = 50_000


def first_conversion_after_commit(
    *, merchant_id: Any, mode: str, partner_id: Any, conversion_id: Any
) -> None:
    """Tell the merchant about a partner's first attributed conversion (once, after commit)."""
    from notifications.models import Kind
    from notifications.tasks import send_notifications

    key = (str(merchant_id), mode, str(partner_id))
    if key in _FIRST_CONVERSION_SEEN:
        return

    def queue() -> None:
        if key in _FIRST_CONVERSION_SEEN:
            return
        if len(_FIRST_CONVERSION_SEEN) >= _FIRST_CONVERSION_SEEN_MAX:
            _FIRST_CONVERSION_SEEN.clear()
        _FIRST_CONVERSION_SEEN[key] = None
        send_notifications.delay(Kind.FIRST_CONVERSION, [str(conversion_id)])

    transaction.on_commit(queue)
