"""Program writes: create, edit within what the status allows, and the status machine."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Merchant, Mode, User
from partners import rules
from partners.errors import status_conflict
from partners.models import CommissionType, Program, ProgramStatus
from partners.services._common import PROGRAM_CODE_CONSTRAINT, violated_constraint
from partners.services.terms import terms_first_version_ensure, terms_version_record
from selgeo.api.errors import ValidationFailed

EDITABLE_FIELDS = frozenset(
    {
        "code",
        "name",
        "description",
        "currency",
        "accepted_currencies",
        "commission_type",
        "cpa_amount_cents",
        "percent_bps",
        "recurring_months",
        "cookie_days",
        "hold_days",
        "landing_url",
        "is_public",
        "terms",
        "auto_approve_applications",
    }
)

# The commission fields each type leaves unused; they are cleared when the type changes.
_UNUSED_BY_TYPE = {
    CommissionType.CPA: ("percent_bps", "recurring_months"),
    CommissionType.CPS: ("cpa_amount_cents", "recurring_months"),
    CommissionType.REVSHARE: ("cpa_amount_cents",),
}
_VERBS: dict[str, str] = {
    ProgramStatus.PUBLISHED: "published",
    ProgramStatus.PAUSED: "paused",
    ProgramStatus.ARCHIVED: "archived",
}
_CODE_TAKEN = {"field": "code", "message": "This merchant already has a program with this code"}


def _values(program: Program) -> dict[str, Any]:
    return {name: getattr(program, name) for name in EDITABLE_FIELDS}


def _raise_if(errors: rules.Details) -> None:
    if errors:
        raise ValidationFailed(details=errors)


def _save(program: Program, *, create: bool) -> None:
    try:
        with transaction.atomic():
            if create:
                program.save(force_insert=True)
            else:
                program.save()
    except IntegrityError as exc:
        if PROGRAM_CODE_CONSTRAINT in violated_constraint(exc):
            raise ValidationFailed(details=[_CODE_TAKEN]) from exc
        raise


@transaction.atomic
def program_create(
    *,
    merchant: Merchant,
    mode: str,
    code: str,
    name: str,
    currency: str,
    commission_type: str,
    landing_url: str,
    description: str = "",
    cpa_amount_cents: int | None = None,
    percent_bps: int | None = None,
    recurring_months: int | None = None,
    cookie_days: int = 30,
    hold_days: int = 30,
    is_public: bool = True,
    terms: str = "",
    accepted_currencies: list[str] | None = None,
    auto_approve_applications: bool = False,
) -> Program:
    """A new program, always a draft: it is published by `program_publish`."""
    if mode not in Mode.values:
        raise ValidationFailed.field("mode", "mode must be test or live")
    program = Program(
        merchant=merchant,
        mode=mode,
        code=code,
        name=name,
        description=description,
        status=ProgramStatus.DRAFT,
        currency=currency,
        accepted_currencies=[] if accepted_currencies is None else accepted_currencies,
        commission_type=commission_type,
        cpa_amount_cents=cpa_amount_cents,
        percent_bps=percent_bps,
        recurring_months=recurring_months,
        cookie_days=cookie_days,
        hold_days=hold_days,
        landing_url=landing_url,
        is_public=is_public,
        terms=terms,
        auto_approve_applications=auto_approve_applications,
    )
    _raise_if(rules.program_errors(_values(program)))
    _save(program, create=True)
    return program


@transaction.atomic
def program_update(
    *,
    program: Program,
    changes: Mapping[str, Any],
    changed_by: User | None = None,
    terms_note: str = "",
) -> Program:
    """Apply `changes` if the program's status allows them (see `rules.program_change_errors`).

    A change of the commission terms of a program that was published is a new terms
    version, effective now, and its partners are told (`partners.services.terms`).

    Changing the commission type clears the fields the new type does not use unless the
    same request sets them (which is then an error): a cpa→cps switch needs no cleanup.
    """
    _raise_if(
        [
            {"field": name, "message": "This field cannot be changed"}
            for name in sorted(set(changes) - EDITABLE_FIELDS)
        ]
    )
    locked = Program.objects.select_for_update().get(pk=program.pk)
    current = _values(locked)
    changed = {name for name, value in changes.items() if current[name] != value}
    conflicts = rules.program_change_errors(locked.status, changed)
    if conflicts:
        raise ValidationFailed(conflicts[0]["message"], details=conflicts)
    values = {**current, **changes}
    if "commission_type" in changed:
        for name in _UNUSED_BY_TYPE.get(values["commission_type"], ()):
            if name not in changes:
                values[name] = None
    _raise_if(rules.program_errors(values))
    for name, value in values.items():
        setattr(locked, name, value)
    _save(locked, create=False)
    terms_changed = any(current[name] != values[name] for name in rules.TERMS_FIELDS)
    if terms_changed and locked.status != ProgramStatus.DRAFT:
        # A program published without a recorded version (before versions existed, or
        # by a direct status change) gets its previous terms as version 1 first.
        terms_first_version_ensure(program=locked, terms=current, since=locked.created_at)
        terms_version_record(program=locked, changed_by=changed_by, note=terms_note)
    return locked


def _transition(program: Program, to: str) -> Program:
    # A conditional UPDATE: of two concurrent transitions only the valid one changes
    # the row, and the loser reports the status it found.
    sources = [source for source, targets in rules.PROGRAM_TRANSITIONS.items() if to in targets]
    changed = Program.objects.filter(pk=program.pk, status__in=sources).update(
        status=to, updated_at=timezone.now()
    )
    program.refresh_from_db()
    if not changed:
        article = "An" if program.status[0] in "aeiou" else "A"
        raise status_conflict(f"{article} {program.status} program cannot be {_VERBS[to]}")
    return program


@transaction.atomic
def program_publish(*, program: Program) -> Program:
    """draft → published, and paused → published (resume). The first publication
    records the terms as version 1."""
    program = _transition(program, ProgramStatus.PUBLISHED)
    terms_first_version_ensure(program=Program.objects.select_for_update().get(pk=program.pk))
    return program


@transaction.atomic
def program_pause(*, program: Program) -> Program:
    return _transition(program, ProgramStatus.PAUSED)


@transaction.atomic
def program_archive(*, program: Program) -> Program:
    """Any status but archived → archived, for good (archived is terminal)."""
    return _transition(program, ProgramStatus.ARCHIVED)
