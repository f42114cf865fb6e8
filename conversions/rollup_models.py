"""Daily rollups of conversions and commissions, up to the sales watermark.

One row per merchant, mode, UTC day of `created_at`, program, partner, status and
currencies holds the count and the sums of the rows created before the watermark
(`tracking.RollupWatermark` named "sales"). A row is counted under its status at the
moment: a status change of a row already rolled up moves it from one status's rollup row
to the other's in the same transaction (`conversions.rollups`), so the rollups plus the
raw rows after the watermark always equal a count over the raw rows.

Program and partner are kept as plain ids, with `NO_ID` for "none" (an unattributed
conversion has neither): the unique key then holds no NULL, which both databases treat
as distinct, and the rows never block deleting what they count (conversions already do).
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models

from accounts.models import Merchant, Mode

NO_ID = uuid.UUID(int=0)
# Every row is also counted under this partner id, the sum over partners: merchant-wide
# reports read one row per program and day instead of one per partner too.
ALL_PARTNERS = uuid.UUID(int=1)


class _SalesStat(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=4, choices=Mode.choices)
    program_id = models.UUIDField()
    partner_id = models.UUIDField()
    status = models.CharField(max_length=10)
    currency = models.CharField(max_length=3, blank=True)
    reporting_currency = models.CharField(max_length=3, blank=True)
    amount_cents = models.BigIntegerField(default=0)
    reporting_amount_cents = models.BigIntegerField(default=0)
    # Rows with an amount but no reporting amount (no stored rate), and their amount.
    unreported = models.BigIntegerField(default=0)
    unreported_amount_cents = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class _SalesDailyStat(_SalesStat):
    day = models.DateField()

    class Meta:
        abstract = True


class _SalesMonthlyStat(_SalesStat):
    """The daily rows summed over UTC months (`month` is the month's first day), kept
    exact by the same runs and status moves: reports per partner over long ranges read
    these for the whole months and daily rows only for the days at the range's ends."""

    month = models.DateField()

    class Meta:
        abstract = True


class ConversionDailyStat(_SalesDailyStat):
    attributed = models.BooleanField()
    conversions = models.BigIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=[
                    "merchant",
                    "mode",
                    "day",
                    "program_id",
                    "partner_id",
                    "attributed",
                    "status",
                    "currency",
                    "reporting_currency",
                ],
                name="conversion_daily_stat_unique",
            )
        ]
        indexes: ClassVar = [
            # A merchant's sums over partners (ALL_PARTNERS) or one partner's, by day.
            models.Index(
                fields=["merchant", "mode", "partner_id", "day"], name="conv_stat_merchant_day"
            ),
            # A partner's own figures across merchants.
            models.Index(fields=["partner_id", "mode", "day"], name="conv_stat_partner_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.status}: {self.conversions}"


class CommissionDailyStat(_SalesDailyStat):
    commissions = models.BigIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=[
                    "merchant",
                    "mode",
                    "day",
                    "program_id",
                    "partner_id",
                    "status",
                    "currency",
                    "reporting_currency",
                ],
                name="commission_daily_stat_unique",
            )
        ]
        indexes: ClassVar = [
            models.Index(
                fields=["merchant", "mode", "partner_id", "day"], name="comm_stat_merchant_day"
            ),
            models.Index(fields=["partner_id", "mode", "day"], name="comm_stat_partner_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.status}: {self.commissions}"


class ConversionMonthlyStat(_SalesMonthlyStat):
    attributed = models.BooleanField()
    conversions = models.BigIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=[
                    "merchant",
                    "mode",
                    "month",
                    "program_id",
                    "partner_id",
                    "attributed",
                    "status",
                    "currency",
                    "reporting_currency",
                ],
                name="conversion_monthly_stat_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.status}: {self.conversions}"


class CommissionMonthlyStat(_SalesMonthlyStat):
    commissions = models.BigIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=[
                    "merchant",
                    "mode",
                    "month",
                    "program_id",
                    "partner_id",
                    "status",
                    "currency",
                    "reporting_currency",
                ],
                name="commission_monthly_stat_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.status}: {self.commissions}"
