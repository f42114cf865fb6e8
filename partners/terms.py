"""Which commission terms apply to a partner on a program at a moment: `effective_terms`.

The rate, in order of precedence (the first that applies wins):
1. the partner's own rate on the program (`CommissionOverride` naming the partner);
2. the rate of the partner's group on the program (a partner is in at most one of the
   merchant's groups per mode);
3. the program's best performance tier the partner has reached this month;
4. the program's terms version in force at the moment.
An override or tier sets the amount of the program's commission type (the CPA amount,
or the basis points of CPS and RevShare); one without that amount is passed over.

Tiers count the partner's attributed, not reversed, conversions in the program whose
`occurred_at` falls in the same calendar month (UTC) as this conversion's and that were
recorded before it. A tier of N applies from the (N+1)th conversion: "20% above 50 sales
a month" is a tier of 50, and the 51st sale of the month earns 20%. Counting happens
under a lock per partner and program held until the conversion's transaction ends, so
concurrent conversions count each other exactly once. A later reversal does not rewrite
commissions already earned at a tier.

The type, the RevShare months and the program's rules (CPA limits, RevShare window)
are always the terms version's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import models
from django.db.models import F, Q, QuerySet, Value

from accounts.models import Partner

# The lock helper holds no domain logic of its own: one advisory lock implementation
# for the whole project.
from conversions.locks import serialise_on
from partners.models import (
    CommissionOverride,
    CommissionTier,
    CommissionType,
    PartnerGroup,
    Program,
    TermsVersion,
)

PROGRAM, TIER, GROUP, PARTNER = "program", "tier", "group", "partner"
SOURCES = (PROGRAM, TIER, GROUP, PARTNER)


@dataclass(frozen=True)
class EffectiveTerms:
    kind: str
    cpa_amount_cents: int | None
    percent_bps: int | None
    recurring_months: int | None
    version: TermsVersion | None
    source: str
    tier: CommissionTier | None = None
    group: PartnerGroup | None = None
    # The conversions counted for the tiers (None when no tier was looked at).
    counted: int | None = None

    @property
    def rate_text(self) -> str:
        if self.kind == CommissionType.CPA:
            return f"{self.cpa_amount_cents} minor units per conversion"
        return f"{bps_text(self.percent_bps or 0)} of the amount"

    def explanation(self) -> str:
        """One sentence for the attribution steps: the rate, the version and why."""
        version = f"terms version {self.version.number}" if self.version else "the program's terms"
        if self.source == PARTNER:
            why = "the partner's own rate on this program"
        elif self.source == GROUP:
            assert self.group is not None
            why = f"the rate of the partner's group {self.group.name!r}"
        elif self.source == TIER:
            assert self.tier is not None
            why = (
                f"performance tier 'above {self.tier.min_conversions} conversions a month' "
                f"({self.counted} counted this month)"
            )
        elif self.counted is not None:
            why = (
                f"the program's rate ({self.counted} conversions counted this month, "
                "no tier reached)"
            )
        else:
            why = "the program's rate"
        return f"Commission: {self.rate_text} ({self.kind}), {why}, under {version}."


def bps_text(bps: int) -> str:
    whole, rest = divmod(bps, 100)
    return f"{whole}.{rest:02d}%".replace(".00%", "%")


def _choose_version(versions: list[TermsVersion], at: datetime) -> TermsVersion | None:
    """The version effective at `at`; a moment before the first version gets the first."""
    in_force = [v for v in versions if v.effective_from <= at]
    if in_force:
        return max(in_force, key=lambda v: (v.effective_from, v.number))
    return min(versions, key=lambda v: v.number) if versions else None


def version_in_force(program: Program, at: datetime) -> TermsVersion | None:
    return _choose_version(list(TermsVersion.objects.filter(program=program)), at)


# The columns every row of `_terms_rows` has, whatever its table.
_ROW_COLUMNS: dict[str, Any] = {
    "row_number": models.IntegerField(),
    "row_effective_from": models.DateTimeField(),
    "row_type": models.CharField(),
    "row_cpa": models.BigIntegerField(),
    "row_bps": models.IntegerField(),
    "row_months": models.IntegerField(),
    "row_partner": models.UUIDField(),
    "row_group": models.UUIDField(),
    "row_group_name": models.CharField(),
}


def _row_values(table: str, **columns: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"row_table": Value(table, output_field=models.CharField())}
    for name, field in _ROW_COLUMNS.items():
        values[name] = columns.get(name, Value(None, output_field=field))
    return values


@dataclass(frozen=True)
class TermsRows:
    """What `effective_terms` decides from: the program's versions, the partner's and its
    group's rates on the program, and the program's tiers."""

    versions: list[TermsVersion]
    overrides: list[CommissionOverride]
    tiers: list[CommissionTier]

    @property
    def may_count(self) -> bool:
        """Whether deciding may count the partner's month (under a transaction lock)."""
        return bool(self.tiers)


def terms_rows(program: Program, partner: Partner) -> TermsRows:
    """The rows `effective_terms` decides from, in one query: a conversion reads them all,
    and each query is a round trip. A caller may read them first to know whether the
    decision needs a transaction (`TermsRows.may_count`)."""
    columns = ("id", "row_table", *_ROW_COLUMNS)
    versions = (
        TermsVersion.objects.filter(program=program)
        .annotate(
            **_row_values(
                "version",
                row_number=F("number"),
                row_effective_from=F("effective_from"),
                row_type=F("commission_type"),
                row_cpa=F("cpa_amount_cents"),
                row_bps=F("percent_bps"),
                row_months=F("recurring_months"),
            )
        )
        .values_list(*columns)
    )
    overrides = (
        CommissionOverride.objects.filter(program=program)
        .filter(Q(partner=partner) | Q(group__members__partner=partner))
        .annotate(
            **_row_values(
                "override",
                row_cpa=F("cpa_amount_cents"),
                row_bps=F("percent_bps"),
                row_partner=F("partner_id"),
                row_group=F("group_id"),
                row_group_name=F("group__name"),
            )
        )
        .values_list(*columns)
    )
    tiers = (
        CommissionTier.objects.filter(program=program)
        .annotate(
            **_row_values(
                "tier",
                row_number=F("min_conversions"),
                row_cpa=F("cpa_amount_cents"),
                row_bps=F("percent_bps"),
            )
        )
        .values_list(*columns)
    )
    found: tuple[list[Any], list[Any], list[Any]] = ([], [], [])
    for (
        pk,
        table,
        number,
        effective_from,
        type_,
        cpa,
        bps,
        months,
        partner_id,
        group_id,
        name,
    ) in versions.union(overrides, tiers, all=True):
        if table == "version":
            found[0].append(
                TermsVersion(
                    id=pk,
                    program=program,
                    number=number,
                    effective_from=effective_from,
                    commission_type=type_,
                    cpa_amount_cents=cpa,
                    percent_bps=bps,
                    recurring_months=months,
                )
            )
        elif table == "override":
            group = PartnerGroup(id=group_id, name=name) if group_id is not None else None
            found[1].append(
                CommissionOverride(
                    id=pk,
                    program=program,
                    partner_id=partner_id,
                    group=group,
                    cpa_amount_cents=cpa,
                    percent_bps=bps,
                )
            )
        else:
            found[2].append(
                CommissionTier(
                    id=pk,
                    program=program,
                    min_conversions=number,
                    cpa_amount_cents=cpa,
                    percent_bps=bps,
                )
            )
    return TermsRows(*found)


def month_bounds(at: datetime) -> tuple[datetime, datetime]:
    at = at.astimezone(UTC)
    start = at.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    return start, end


def month_count(program: Program, partner: Partner, at: datetime) -> int:
    """The partner's conversions that count for the tiers at `at` (see the module's docstring)."""
    start, end = month_bounds(at)
    return (
        program.conversions.filter(
            partner=partner, attributed=True, occurred_at__gte=start, occurred_at__lt=end
        )
        .exclude(status="reversed")
        .count()
    )


def _amount_of(kind: str, row: CommissionOverride | CommissionTier) -> int | None:
    return row.cpa_amount_cents if kind == CommissionType.CPA else row.percent_bps


def effective_terms(
    program: Program, partner: Partner, at: datetime, *, rows: TermsRows | None = None
) -> EffectiveTerms:
    """The terms a conversion of `partner` on `program` at `at` earns (from `rows`, read
    here unless given).

    With tiers to count (`TermsRows.may_count`), call inside the transaction that records
    the conversion: the count is serialised per partner and program until it commits.
    """
    rows = rows if rows is not None else terms_rows(program, partner)
    versions, overrides, all_tiers = rows.versions, rows.overrides, rows.tiers
    version = _choose_version(versions, at)
    base = version if version is not None else program
    kind = base.commission_type
    terms = EffectiveTerms(
        kind=kind,
        cpa_amount_cents=base.cpa_amount_cents if kind == CommissionType.CPA else None,
        percent_bps=base.percent_bps if kind != CommissionType.CPA else None,
        recurring_months=base.recurring_months,
        version=version,
        source=PROGRAM,
    )
    for source in (PARTNER, GROUP):
        for override in overrides:
            amount = _amount_of(kind, override)
            if amount is None or (override.partner_id is not None) != (source == PARTNER):
                continue
            return _with_amount(terms, amount, source=source, group=override.group)
    tiers = sorted(
        (t for t in all_tiers if _amount_of(kind, t) is not None),
        key=lambda t: t.min_conversions,
        reverse=True,
    )
    if not tiers:
        return terms
    serialise_on(f"terms-tier:{program.pk}:{partner.pk}")
    counted = month_count(program, partner, at)
    for tier in tiers:
        if counted >= tier.min_conversions:
            amount = _amount_of(kind, tier)
            assert amount is not None
            return _with_amount(terms, amount, source=TIER, tier=tier, counted=counted)
    return EffectiveTerms(**{**terms.__dict__, "counted": counted})


def _with_amount(
    terms: EffectiveTerms,
    amount: int,
    *,
    source: str,
    group: PartnerGroup | None = None,
    tier: CommissionTier | None = None,
    counted: int | None = None,
) -> EffectiveTerms:
    cpa = terms.kind == CommissionType.CPA
    return EffectiveTerms(
        kind=terms.kind,
        cpa_amount_cents=amount if cpa else None,
        percent_bps=None if cpa else amount,
        recurring_months=terms.recurring_months,
        version=terms.version,
        source=source,
        tier=tier,
        group=group,
        counted=counted,
    )


# Scoped reads for the API and the dashboard --------------------------------------------


def groups_for(*, merchant: Any, mode: str) -> QuerySet[PartnerGroup]:
    return PartnerGroup.objects.filter(merchant=merchant, mode=mode).prefetch_related("members")


def terms_versions_of(program: Program) -> QuerySet[TermsVersion]:
    return TermsVersion.objects.filter(program=program).select_related("changed_by")


def overrides_of(program: Program) -> QuerySet[CommissionOverride]:
    return CommissionOverride.objects.filter(program=program).select_related("partner", "group")


def tiers_of(program: Program) -> QuerySet[CommissionTier]:
    return CommissionTier.objects.filter(program=program)


def recent_versions_for_partner(*, partner: Partner, mode: str, since: datetime) -> list[Any]:
    """Terms changes (version 2 on) since `since` of the programs the partner is approved
    in, newest first: the portal's notices."""
    return list(
        TermsVersion.objects.filter(
            mode=mode,
            number__gt=1,
            effective_from__gte=since,
            program__applications__partner=partner,
            program__applications__status="approved",
        )
        .select_related("program", "program__merchant")
        .order_by("-effective_from")
    )
