"""Writes for commission terms: versions, partner groups, per-partner and group rates, tiers.

A rate (override or tier) carries the amount of the program's commission type: the CPA
amount in minor units for CPA programs, basis points for CPS and RevShare. Which rate a
conversion earns is decided in `partners.terms.effective_terms`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Partner, User
from partners import rules
from partners.errors import status_conflict
from partners.models import (
    CommissionOverride,
    CommissionTier,
    CommissionType,
    PartnerGroup,
    PartnerGroupMember,
    Program,
    ProgramStatus,
    TermsVersion,
)
from partners.selectors import partners_for
from partners.services._common import lock_partner, violated_constraint
from selgeo.api.errors import ValidationFailed

GROUP_NAME_MAX = 100
GROUP_DESCRIPTION_MAX = 500
NOTE_MAX = 500
TIER_MIN_CONVERSIONS_MAX = 1_000_000
_GROUP_NAME_TAKEN = {"field": "name", "message": "This merchant already has a group with this name"}


# Versions ------------------------------------------------------------------------------


def terms_version_record(
    *,
    program: Program,
    changed_by: User | None = None,
    note: str = "",
    terms: Mapping[str, Any] | None = None,
    effective_from: datetime | None = None,
) -> TermsVersion:
    """Record the program's terms (or `terms`) as its next version, effective now (or
    from `effective_from`); from version 2 on, the program's partners are told.

    The caller holds the program's row lock (`program_update`, `program_publish`), so
    version numbers never collide; the unique (program, number) constraint backs it.
    """
    if len(note) > NOTE_MAX:
        raise ValidationFailed.field("note", f"At most {NOTE_MAX} characters")
    values = terms if terms is not None else {n: getattr(program, n) for n in rules.TERMS_FIELDS}
    last = TermsVersion.objects.filter(program=program).aggregate(last=Max("number"))["last"]
    version = TermsVersion.objects.create(
        merchant_id=program.merchant_id,
        mode=program.mode,
        program=program,
        number=(last or 0) + 1,
        commission_type=values["commission_type"],
        cpa_amount_cents=values["cpa_amount_cents"],
        percent_bps=values["percent_bps"],
        recurring_months=values["recurring_months"],
        effective_from=effective_from or timezone.now(),
        changed_by=changed_by if isinstance(changed_by, User) else None,
        note=note,
    )
    if version.number > 1:
        version_id = version.pk
        # Imported here: tasks import the services they delegate to.
        from partners.tasks import notify_terms_changed

        transaction.on_commit(lambda: notify_terms_changed.delay(str(version_id)))
    return version


def terms_first_version_ensure(
    *,
    program: Program,
    terms: Mapping[str, Any] | None = None,
    since: datetime | None = None,
) -> TermsVersion | None:
    """Version 1 (the program's terms, or `terms`, effective now or `since`), unless the
    program has versions already."""
    if TermsVersion.objects.filter(program=program).exists():
        return None
    return terms_version_record(program=program, terms=terms, effective_from=since)


# Groups --------------------------------------------------------------------------------


def _group_values_errors(name: Any, description: Any) -> rules.Details:
    errors: rules.Details = []
    if not isinstance(name, str) or not name.strip() or len(name) > GROUP_NAME_MAX:
        errors.append(
            {"field": "name", "message": f"name must be 1 to {GROUP_NAME_MAX} characters"}
        )
    if not isinstance(description, str) or len(description) > GROUP_DESCRIPTION_MAX:
        errors.append(
            {
                "field": "description",
                "message": f"description must be at most {GROUP_DESCRIPTION_MAX} characters",
            }
        )
    return errors


def _save_group(group: PartnerGroup) -> PartnerGroup:
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError as exc:
        if "partners_group_name_unique" in violated_constraint(exc):
            raise ValidationFailed(details=[_GROUP_NAME_TAKEN]) from exc
        raise
    return group


@transaction.atomic
def partner_group_create(
    *, merchant: Any, mode: str, name: str, description: str = ""
) -> PartnerGroup:
    errors = _group_values_errors(name, description)
    if errors:
        raise ValidationFailed(details=errors)
    return _save_group(
        PartnerGroup(merchant=merchant, mode=mode, name=name.strip(), description=description)
    )


@transaction.atomic
def partner_group_update(
    *, group: PartnerGroup, name: str | None = None, description: str | None = None
) -> PartnerGroup:
    new_name = group.name if name is None else name
    new_description = group.description if description is None else description
    errors = _group_values_errors(new_name, new_description)
    if errors:
        raise ValidationFailed(details=errors)
    group.name, group.description = new_name.strip(), new_description
    return _save_group(group)


@transaction.atomic
def partner_group_delete(*, group: PartnerGroup) -> None:
    """The group, its members' places and its rates go; the partners stay."""
    group.delete()


def _merchants_partner(*, merchant: Any, mode: str, partner_id: Any, field: str) -> Partner:
    partner = partners_for(merchant=merchant, mode=mode).filter(pk=partner_id).first()
    if partner is None:
        raise ValidationFailed.field(field, "No partner of this merchant has this id")
    return partner


@transaction.atomic
def partner_group_add_member(*, group: PartnerGroup, partner_id: Any) -> PartnerGroupMember:
    """Put the partner in the group. A partner is in one group at most: adding it to
    another moves it (its previous group's rate no longer applies)."""
    partner = _merchants_partner(
        merchant=group.merchant, mode=group.mode, partner_id=partner_id, field="partner"
    )
    # Concurrent moves of one partner are serialised on the partner row.
    partner = lock_partner(partner)
    scope = {"merchant_id": group.merchant_id, "mode": group.mode, "partner": partner}
    current = PartnerGroupMember.objects.filter(**scope).first()
    if current is not None and current.group_id == group.pk:
        return current
    if current is not None:
        current.delete()
    return PartnerGroupMember.objects.create(group=group, **scope)


@transaction.atomic
def partner_group_remove_member(*, group: PartnerGroup, partner_id: Any) -> bool:
    deleted, _ = PartnerGroupMember.objects.filter(group=group, partner_id=partner_id).delete()
    return deleted > 0


# Rates ---------------------------------------------------------------------------------


def rate_errors(program: Program, *, cpa_amount_cents: Any, percent_bps: Any) -> rules.Details:
    """A rate gives the amount of the program's commission type, and nothing else."""
    values = {"cpa_amount_cents": cpa_amount_cents, "percent_bps": percent_bps}
    if program.commission_type == CommissionType.CPA:
        used, unused, low, high = "cpa_amount_cents", "percent_bps", 0, rules.CPA_AMOUNT_MAX
    else:
        used, unused, low, high = "percent_bps", "cpa_amount_cents", 0, rules.BPS_MAX
    errors: rules.Details = []
    value = values[used]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors.append(
            {
                "field": used,
                "message": f"{used} must be an integer from {low} to {high} "
                f"({program.commission_type} program)",
            }
        )
    if values[unused] is not None:
        errors.append(
            {
                "field": unused,
                "message": f"{unused} does not apply to {program.commission_type} programs",
            }
        )
    return errors


def _check_program_open(program: Program) -> None:
    if program.status == ProgramStatus.ARCHIVED:
        raise status_conflict("An archived program cannot be changed")


@transaction.atomic
def commission_override_set(
    *,
    program: Program,
    partner_id: Any = None,
    group_id: Any = None,
    cpa_amount_cents: int | None = None,
    percent_bps: int | None = None,
) -> tuple[CommissionOverride, bool]:
    """Give one partner, or a group, its own rate on the program; setting it again
    replaces the amount. Returns the override and whether it was created."""
    _check_program_open(program)
    if (partner_id is None) == (group_id is None):
        raise ValidationFailed.field("partner", "Send exactly one of partner and group")
    errors = rate_errors(program, cpa_amount_cents=cpa_amount_cents, percent_bps=percent_bps)
    if errors:
        raise ValidationFailed(details=errors)
    target: dict[str, Any]
    if partner_id is not None:
        partner = _merchants_partner(
            merchant=program.merchant, mode=program.mode, partner_id=partner_id, field="partner"
        )
        target = {"partner": lock_partner(partner)}
    else:
        group = PartnerGroup.objects.filter(
            merchant_id=program.merchant_id, mode=program.mode, pk=group_id
        ).first()
        if group is None:
            raise ValidationFailed.field("group", "No group of this merchant has this id")
        target = {"group": group}
    amounts = {"cpa_amount_cents": cpa_amount_cents, "percent_bps": percent_bps}
    # The program row lock serialises concurrent sets of one target: no duplicate
    # insert to recover from.
    Program.objects.select_for_update().filter(pk=program.pk).first()
    override = CommissionOverride.objects.filter(program=program, **target).first()
    if override is not None:
        CommissionOverride.objects.filter(pk=override.pk).update(
            **amounts, updated_at=timezone.now()
        )
        override.refresh_from_db()
        return override, False
    override = CommissionOverride.objects.create(
        merchant_id=program.merchant_id, mode=program.mode, program=program, **target, **amounts
    )
    return override, True


@transaction.atomic
def commission_override_delete(*, override: CommissionOverride) -> None:
    override.delete()


def _save_tier(tier: CommissionTier) -> CommissionTier:
    try:
        with transaction.atomic():
            tier.save()
    except IntegrityError as exc:
        if "partners_tier_unique_threshold" in violated_constraint(exc):
            raise ValidationFailed.field(
                "min_conversions", "The program already has a tier at this number of conversions"
            ) from exc
        raise
    return tier


def _tier_errors(program: Program, values: dict[str, Any]) -> rules.Details:
    errors: rules.Details = []
    minimum = values.get("min_conversions")
    if (
        isinstance(minimum, bool)
        or not isinstance(minimum, int)
        or not 1 <= minimum <= TIER_MIN_CONVERSIONS_MAX
    ):
        errors.append(
            {
                "field": "min_conversions",
                "message": f"min_conversions must be an integer from 1 to "
                f"{TIER_MIN_CONVERSIONS_MAX}",
            }
        )
    return errors + rate_errors(
        program,
        cpa_amount_cents=values.get("cpa_amount_cents"),
        percent_bps=values.get("percent_bps"),
    )


@transaction.atomic
def commission_tier_create(
    *,
    program: Program,
    min_conversions: int,
    cpa_amount_cents: int | None = None,
    percent_bps: int | None = None,
) -> CommissionTier:
    """A rate for partners above `min_conversions` counted conversions this month."""
    _check_program_open(program)
    values = {
        "min_conversions": min_conversions,
        "cpa_amount_cents": cpa_amount_cents,
        "percent_bps": percent_bps,
    }
    errors = _tier_errors(program, values)
    if errors:
        raise ValidationFailed(details=errors)
    return _save_tier(
        CommissionTier(
            merchant_id=program.merchant_id, mode=program.mode, program=program, **values
        )
    )


@transaction.atomic
def commission_tier_update(*, tier: CommissionTier, changes: dict[str, Any]) -> CommissionTier:
    program = tier.program
    _check_program_open(program)
    values = {
        "min_conversions": tier.min_conversions,
        "cpa_amount_cents": tier.cpa_amount_cents,
        "percent_bps": tier.percent_bps,
        **changes,
    }
    errors = _tier_errors(program, values)
    if errors:
        raise ValidationFailed(details=errors)
    for name, value in values.items():
        setattr(tier, name, value)
    return _save_tier(tier)


@transaction.atomic
def commission_tier_delete(*, tier: CommissionTier) -> None:
    tier.delete()
