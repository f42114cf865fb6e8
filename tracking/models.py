"""Clicks: the hot, append-only table."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from accounts.models import Merchant, Mode, Partner
from partners.models import Program, ReferralCode
from selgeo.db import where_set
from selgeo.ids import uuid7


class ClickSource(models.TextChoices):
    LINK = "link", "Tracking link"
    BROWSER = "browser", "Browser snippet (selgeo.js)"
    API = "api", "Server-side API call"
    # Test sessions (conversions app) record a click for an integration check.
    TEST = "test", "Test session"


class Click(models.Model):
    """One visit brought by a partner. Rows are only ever inserted, never updated in place
    (except GDPR anonymisation), so inserts take no lock that other inserts wait for.

    Indexes: the primary key (time-ordered uuid7) for lookups by click id, and one
    composite index per aggregation (merchant + mode, program, partner; each by time).
    The composite indexes lead with their foreign key, so the single-column indexes
    Django adds to foreign keys by default would only cost writes: they are turned off.

    The foreign keys are not database constraints: checking four of them cost a fifth of
    PostgreSQL's work per click (a locking read of each parent at commit). Clicks are
    written by statements that join the parents they name (`tracking.services`), and
    deletions cascade through the ORM, which does not need the constraint.
    """

    # Time-ordered ids keep inserts at the right edge of the primary-key index.
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    mode = models.CharField(max_length=4, choices=Mode.choices)
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    referral_code = models.ForeignKey(
        ReferralCode,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        # Indexed where set only (Meta): clicks named by program and partner have none.
        db_index=False,
    )
    landing_url = models.CharField(max_length=2000, blank=True)
    referrer = models.CharField(max_length=2000, blank=True)
    user_agent = models.CharField(max_length=1000, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True)
    country = models.CharField(max_length=2, blank=True)
    is_bot = models.BooleanField(default=False)
    source = models.CharField(max_length=10, choices=ClickSource.choices, default=ClickSource.API)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["merchant", "mode", "created_at"], name="click_merchant_time"),
            models.Index(fields=["program", "created_at"], name="click_program_time"),
            models.Index(fields=["partner", "created_at"], name="click_partner_time"),
            where_set("referral_code", name="click_referral_code"),
        ]

    def __str__(self) -> str:
        return str(self.id)


class ClickDailyStat(models.Model):
    """Clicks per merchant, mode, program, partner and UTC day, up to the rollup watermark.

    Reports add the raw clicks after the watermark, so figures are exact at all times
    while the big table is only scanned for the last minutes.
    """

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=4, choices=Mode.choices)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    clicks = models.BigIntegerField(default=0)
    bot_clicks = models.BigIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["merchant", "mode", "day", "program", "partner"],
                name="click_daily_stat_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.program_id}/{self.partner_id}: {self.clicks}"


class ClickProgramDailyStat(models.Model):
    """`ClickDailyStat` summed over partners: merchant-wide reports over long ranges read
    one row per program and day instead of one per partner, program and day."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=4, choices=Mode.choices)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    clicks = models.BigIntegerField(default=0)
    bot_clicks = models.BigIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["merchant", "mode", "day", "program"],
                name="click_program_daily_stat_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.program_id}: {self.clicks}"


class ClickMonthlyStat(models.Model):
    """`ClickDailyStat` summed over UTC months (`month` is the month's first day): reports
    per partner over long ranges read one row per partner, program and month for the
    whole months in the range, and daily rows only for the days at its ends."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=4, choices=Mode.choices)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    clicks = models.BigIntegerField(default=0)
    bot_clicks = models.BigIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["merchant", "mode", "month", "program", "partner"],
                name="click_monthly_stat_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.program_id}/{self.partner_id}: {self.clicks}"


class RollupWatermark(models.Model):
    """How far a rollup has counted: every row created before `position` is included."""

    name = models.CharField(max_length=40, primary_key=True)
    position = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.position.isoformat()}"
