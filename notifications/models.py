"""Email notifications: what each recipient switched off, and what was already sent.

Every notification is on until its recipient switches it off, so only the switches
that are off are stored. A merchant's notifications are switched per member (the
membership: one person may want a merchant's mails and not another's); a partner's
per partner profile.

`SentNotification` is how a task that runs twice sends once: the row for (kind,
subject, recipient) is inserted in the transaction that sends the mail, and the
unique constraint turns the second attempt away. It names the recipient by user, not
by address, so that it holds no personal data of its own.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from accounts.models import Membership, Partner, User


class Kind(models.TextChoices):
    APPLICATION_NEW = "application_new", "A partner applies to one of your programs"
    FIRST_CONVERSION = "first_conversion", "A partner's first attributed conversion"
    ENDPOINT_DISABLED = "endpoint_disabled", "Selgeo disables one of your webhook endpoints"
    DYNAMIC_URL_DISABLED = (
        "dynamic_url_disabled",
        "Selgeo disables a program's dynamic delivery URL",
    )
    APPLICATION_APPROVED = "application_approved", "Your application is approved"
    APPLICATION_REJECTED = "application_rejected", "Your application is rejected"
    COMMISSION_APPROVED = "commission_approved", "A commission of yours is approved"
    PAYOUT_SENT = "payout_sent", "A payout is sent to you"


MERCHANT_KINDS: tuple[str, ...] = (
    Kind.APPLICATION_NEW,
    Kind.FIRST_CONVERSION,
    Kind.ENDPOINT_DISABLED,
    Kind.DYNAMIC_URL_DISABLED,
)
PARTNER_KINDS: tuple[str, ...] = (
    Kind.APPLICATION_APPROVED,
    Kind.APPLICATION_REJECTED,
    Kind.COMMISSION_APPROVED,
    Kind.PAYOUT_SENT,
)


class MemberOptOut(models.Model):
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="notification_opt_outs"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["membership", "kind"], name="notifications_member_opt_out_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership} ✕ {self.kind}"


class PartnerOptOut(models.Model):
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="notification_opt_outs"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["partner", "kind"], name="notifications_partner_opt_out_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} ✕ {self.kind}"


class SentNotification(models.Model):
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # What the mail is about: an application, a conversion's partner, a commission…
    subject_key = models.CharField(max_length=120)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["kind", "subject_key", "user"], name="notifications_sent_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_key} → {self.user_id}"
