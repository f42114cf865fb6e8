"""Programs (offers), applications, referral codes and promo codes."""

from __future__ import annotations

import hashlib
import uuid
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import Merchant, Mode, Partner


class ProgramStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    PAUSED = "paused", "Paused"
    ARCHIVED = "archived", "Archived"


class CommissionType(models.TextChoices):
    CPA = "cpa", "CPA (fixed amount per action)"
    CPS = "cps", "CPS (percentage of the sale)"
    REVSHARE = "revshare", "RevShare (percentage of recurring revenue)"


class Program(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="programs")
    mode = models.CharField(max_length=4, choices=Mode.choices)
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=ProgramStatus.choices, default=ProgramStatus.DRAFT
    )
    currency = models.CharField(max_length=3)
    # Other currencies whose sales the program converts and pays on; empty accepts
    # every currency with a stored exchange rate.
    accepted_currencies = models.JSONField(default=list, blank=True)
    commission_type = models.CharField(max_length=10, choices=CommissionType.choices)
    cpa_amount_cents = models.BigIntegerField(null=True, blank=True)
    percent_bps = models.PositiveIntegerField(
        null=True, blank=True, help_text="Basis points: 1500 = 15%"
    )
    recurring_months = models.PositiveSmallIntegerField(null=True, blank=True)
    cookie_days = models.PositiveSmallIntegerField(default=30)
    hold_days = models.PositiveSmallIntegerField(default=30)
    landing_url = models.URLField(max_length=2000)
    is_public = models.BooleanField(default=True)
    terms = models.TextField(blank=True)
    # Applications to the program are approved as they arrive, without a decision.
    auto_approve_applications = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                "merchant", Lower("code"), name="partners_program_code_unique_per_merchant"
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["merchant", "mode", "status"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        # The admin's forms validate with the same rules as the services.
        from partners.rules import program_errors

        names = {f.name for f in self._meta.fields}
        errors: dict[str, list[str]] = {}
        for error in program_errors({name: getattr(self, name) for name in names}):
            field = error["field"] if error["field"] in names else "__all__"
            errors.setdefault(field, []).append(error["message"])
        if errors:
            raise ValidationError(errors)


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Application(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="applications")
    mode = models.CharField(max_length=4, choices=Mode.choices)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="applications")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="applications")
    status = models.CharField(
        max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.PENDING
    )
    invited = models.BooleanField(default=False)
    message = models.TextField(blank=True, help_text="The partner's pitch")
    decision_message = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["partner", "program"], name="partners_application_unique_pair"
            )
        ]
        indexes: ClassVar = [models.Index(fields=["merchant", "mode", "status"])]

    def __str__(self) -> str:
        return f"{self.partner_id} -> {self.program_id} ({self.status})"


class ReferralCode(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="referral_codes")
    mode = models.CharField(max_length=4, choices=Mode.choices)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="referral_codes")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="referral_codes")
    code = models.CharField(max_length=40)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    disabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            # Unique per merchant across modes and case: a code names one partner.
            models.UniqueConstraint(
                "merchant", Lower("code"), name="partners_referral_code_unique_per_merchant"
            ),
            # Approval creates one default code per partner and program, never two.
            models.UniqueConstraint(
                fields=["partner", "program"],
                condition=models.Q(is_default=True),
                name="partners_referral_code_one_default",
            ),
        ]
        indexes: ClassVar = [
            # /r/<code> looks a code up without its merchant.
            models.Index(Lower("code"), name="partners_referral_code_lower"),
        ]

    def __str__(self) -> str:
        return self.code


class PromoCode(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="promo_codes")
    mode = models.CharField(max_length=4, choices=Mode.choices)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="promo_codes")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="promo_codes")
    code = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)
    disabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                "merchant", Lower("code"), name="partners_promo_code_unique_per_merchant"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class InvitationStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    REVOKED = "revoked", "Revoked"


class Invitation(models.Model):
    """A merchant's offer to join a program, addressed to an email, until the partner answers.

    The invitation names no partner until it is answered: the merchant learns nothing of
    the account behind the email (or whether there is one). The emailed link carries a
    random token of which only the SHA-256 digest is stored; it works while the
    invitation is open, so it is single-use.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="invitations")
    mode = models.CharField(max_length=4, choices=Mode.choices)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="invitations")
    email = models.CharField(max_length=254, help_text="Lower case; blank once erased")
    message = models.TextField(blank=True)
    token_digest = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.INVITED
    )
    # Who answered, and the application accepting made: never shown to the merchant
    # beyond the application's id.
    partner = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations"
    )
    application = models.ForeignKey(
        Application, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            # One open invitation per program and address: inviting again is idempotent.
            models.UniqueConstraint(
                fields=["program", "email"],
                condition=models.Q(status="invited"),
                name="partners_invitation_one_open",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["merchant", "mode", "status"]),
            models.Index(fields=["email", "mode"]),
        ]

    def __str__(self) -> str:
        return f"{self.email} -> {self.program_id} ({self.status})"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


# Commission terms over time and per partner live in their own module.
from partners.terms_models import (  # noqa: E402
    CommissionOverride,
    CommissionTier,
    PartnerGroup,
    PartnerGroupMember,
    TermsVersion,
)

__all__ = [
    "Application",
    "ApplicationStatus",
    "CommissionOverride",
    "CommissionTier",
    "CommissionType",
    "Invitation",
    "InvitationStatus",
    "PartnerGroup",
    "PartnerGroupMember",
    "Program",
    "ProgramStatus",
    "PromoCode",
    "ReferralCode",
    "TermsVersion",
]
