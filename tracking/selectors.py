"""Reads for tracking: which referral code a click names, and whether it may record one.

A click is recorded only for an active referral code: not disabled, its partner not
erased, its program published. The API answers 409 PARTICIPANT_ERASED for an erased
partner's code (the reference's code for it), 404 NOT_FOUND for anything else (unknown,
another merchant's, inactive) and 422 MODE_MISMATCH for a code of the key's other mode;
tracking links fall back to the merchant's website or a plain 404 page instead.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from django.db.models import Q

from accounts import selectors as accounts_selectors
from accounts.models import Merchant, Mode
from partners import selectors as partners_selectors
from partners.errors import ParticipantErased
from partners.models import Program, ProgramStatus, ReferralCode
from selgeo.api.errors import ModeMismatch, NotFound
from tracking.buffer import await_click
from tracking.models import Click

# The partners app's code alphabet; anything else cannot name a code, so it is refused
# before any query (and a NUL byte never reaches PostgreSQL).
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
SLUG_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,60}$")


@dataclass(frozen=True)
class CodeSignal:
    """An API call naming a referral code."""

    referral_code: str


@dataclass(frozen=True)
class PartnerSignal:
    """An API call naming a program (code or id) and a partner (id)."""

    program: str
    partner_id: uuid.UUID


ReferralSignal = CodeSignal | PartnerSignal


def inactive_reason(referral_code: ReferralCode) -> str:
    """Why this code may not record a click, or "" when it may."""
    if referral_code.disabled_at is not None:
        return "This referral code is disabled"
    if referral_code.partner.erased_at is not None:
        return "This referral code's partner no longer takes part in the program"
    if referral_code.program.status != ProgramStatus.PUBLISHED:
        return "This referral code's program is not published"
    return ""


def _other_mode(mode: str) -> str:
    return Mode.LIVE if mode == Mode.TEST else Mode.TEST


def _mode_mismatch(found_mode: str) -> ModeMismatch:
    return ModeMismatch(f"This is a {found_mode}-mode signal; send it with a {found_mode} key")


def _program_filter(reference: str) -> Q:
    try:
        return Q(pk=uuid.UUID(reference))
    except ValueError:
        return Q(code__iexact=reference)


def _program(*, merchant: Merchant, mode: str, reference: str) -> Program:
    program = (
        partners_selectors.programs_for(merchant=merchant, mode=mode)
        .filter(_program_filter(reference))
        .first()
    )
    if program is not None:
        return program
    other = _other_mode(mode)
    if (
        partners_selectors.programs_for(merchant=merchant, mode=other)
        .filter(_program_filter(reference))
        .exists()
    ):
        raise _mode_mismatch(other)
    raise NotFound("Unknown program")


def _active(referral_code: ReferralCode) -> ReferralCode:
    if referral_code.partner.erased_at is not None:
        raise ParticipantErased(inactive_reason(referral_code))
    reason = inactive_reason(referral_code)
    if reason:
        raise NotFound(reason)
    return referral_code


def referral_code_for_signal(
    *, merchant: Merchant, mode: str, signal: ReferralSignal
) -> ReferralCode:
    """The active referral code an API call names, else NotFound, ModeMismatch or
    ParticipantErased."""
    if isinstance(signal, CodeSignal):
        found = partners_selectors.referral_code_resolve(
            merchant=merchant, code=signal.referral_code
        )
        if found is None:
            raise NotFound("Unknown referral code")
        if found.mode != mode:
            raise _mode_mismatch(found.mode)
        return _active(found)
    program = _program(merchant=merchant, mode=mode, reference=signal.program)
    # A partner takes part in a program through its referral codes (issued on approval);
    # the click names the partner's default code, else its oldest active one.
    code = (
        program.referral_codes.select_related("program", "partner")
        .filter(partner_id=signal.partner_id, disabled_at__isnull=True)
        .order_by("-is_default", "created_at")
        .first()
    )
    if code is None:
        raise NotFound("This partner has no active referral code in the program")
    return _active(code)


@dataclass(frozen=True)
class LinkTarget:
    """Where a tracking link leads: an active code, else a fallback (website or nothing)."""

    referral_code: ReferralCode | None
    fallback_url: str = ""


def link_target(*, code: str, merchant_slug: str = "") -> LinkTarget:
    """Resolve `/r/<code>` (any merchant, unambiguous codes only) or `/r/<slug>/<code>`."""
    if not CODE_PATTERN.match(code):
        return LinkTarget(None)
    if merchant_slug:
        if not SLUG_PATTERN.match(merchant_slug):
            return LinkTarget(None)
        merchant = accounts_selectors.merchant_by_slug(slug=merchant_slug)
        if merchant is None:
            return LinkTarget(None)
        found = partners_selectors.referral_code_resolve(merchant=merchant, code=code)
    else:
        matches = list(partners_selectors.referral_codes_matching(code=code)[:2])
        # Codes are unique per merchant only: a code two merchants use names neither.
        if len(matches) != 1:
            return LinkTarget(None)
        found = matches[0]
        merchant = found.merchant
    if found is None or inactive_reason(found):
        return LinkTarget(None, fallback_url=merchant.website)
    return LinkTarget(found)


def click_of_key(*, merchant: Merchant, mode: str, click_id: uuid.UUID) -> Click | None:
    """The merchant's click of this mode, waited for while it may still be in a buffer
    (a tracking link's visitor asks for it as soon as the landing page loads)."""
    return await_click(
        click_id,
        Click.objects.select_related("program")
        .only("id", "expires_at", "is_bot", "partner_id", "program__code")
        .filter(merchant=merchant, mode=mode, pk=click_id)
        .first,
    )
