"""Commission terms over time and per partner: versions, groups, overrides and tiers.

Imported by `partners.models`, so the rows belong to the partners app. Which of them
applies to one conversion is decided in one place, `partners.terms.effective_terms`.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import Merchant, Mode, Partner, User
from partners.models import CommissionType, Program


class TermsVersion(models.Model):
    """The program's commission terms from `effective_from` on, until the next version.

    Version 1 is recorded when a program is first published; every later change of its
    terms adds a version, effective from the moment of the change. A conversion is paid
    on the version in force at its `occurred_at`, and its commission keeps a reference to
    it: a change never rewrites what was earned before.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=4, choices=Mode.choices)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="terms_versions")
    number = models.PositiveIntegerField()
    commission_type = models.CharField(max_length=10, choices=CommissionType.choices)
    cpa_amount_cents = models.BigIntegerField(null=True, blank=True)
    percent_bps = models.PositiveIntegerField(null=True, blank=True)
    recurring_months = models.PositiveSmallIntegerField(null=True, blank=True)
    effective_from = models.DateTimeField()
    # Who changed the terms (blank for a version recorded by the system) and why.
    changed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Set when the partners' mails are claimed for sending: each version is announced once.
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["program", "number"], name="partners_terms_version_num"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["program", "-effective_from"], name="partners_terms_in_force"),
        ]

    def __str__(self) -> str:
        return f"{self.program_id} v{self.number}"


class PartnerGroup(models.Model):
    """A named set of the merchant's partners (one mode) that can share a rate."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=4, choices=Mode.choices)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                "merchant", "mode", Lower("name"), name="partners_group_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PartnerGroupMember(models.Model):
    """A partner's place in a group. A partner is in at most one of a merchant's groups
    per mode, so which group rate applies is never ambiguous."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=4, choices=Mode.choices)
    group = models.ForeignKey(PartnerGroup, on_delete=models.CASCADE, related_name="members")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["merchant", "mode", "partner"], name="partners_group_one_per_partner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} in {self.group_id}"


class CommissionOverride(models.Model):
    """A program's own rate for one partner or for one group of partners.

    It sets the amount of the program's commission type: `cpa_amount_cents` for CPA,
    `percent_bps` for CPS and RevShare. The type itself, the RevShare months and the
    program's rules stay the program's.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=4, choices=Mode.choices)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="overrides")
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    group = models.ForeignKey(
        PartnerGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="overrides"
    )
    cpa_amount_cents = models.BigIntegerField(null=True, blank=True)
    percent_bps = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(partner__isnull=True, group__isnull=False)
                | Q(partner__isnull=False, group__isnull=True),
                name="partners_override_partner_xor_group",
            ),
            models.UniqueConstraint(
                fields=["program", "partner"],
                condition=Q(partner__isnull=False),
                name="partners_override_one_per_partner",
            ),
            models.UniqueConstraint(
                fields=["program", "group"],
                condition=Q(group__isnull=False),
                name="partners_override_one_per_group",
            ),
        ]

    def __str__(self) -> str:
        return f"override {self.program_id} {self.partner_id or self.group_id}"


class CommissionTier(models.Model):
    """A performance tier: partners with at least `min_conversions` counted conversions
    in the program this calendar month earn this rate on the next ones (see
    `partners.terms` for what is counted)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=4, choices=Mode.choices)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="tiers")
    min_conversions = models.PositiveIntegerField()
    cpa_amount_cents = models.BigIntegerField(null=True, blank=True)
    percent_bps = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["program", "min_conversions"], name="partners_tier_unique_threshold"
            ),
        ]

    def __str__(self) -> str:
        return f"tier {self.program_id} >= {self.min_conversions}"
