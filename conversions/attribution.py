"""Attribution: which partner a conversion is credited to, and why (or why not).

The decision, in order:
1. A signal of the other mode (a live click id with a test key, or the reverse) is an
   integration error: 422 MODE_MISMATCH, whichever signal it is.
2. The click id, if sent: the merchant's click, not a bot, its program published, its
   partner not erased, its referral code not disabled, the conversion inside the
   click's window (`expires_at`, set from the program's `cookie_days` when the click
   was recorded) and not before the click (with a few minutes of clock skew).
3. Otherwise, or when the click fails, the promo code: the merchant's code, not
   disabled, its program published, its partner not erased.
   When both signals resolve the click wins: it is the customer's last click through a
   tracked link, the promo code only says which partner they heard of.
4. The program's rules for the chosen partner (`conversions.program_rules`): currency,
   CPA once per customer and per click, the RevShare window. A failure here does not
   fall back to the other signal: it is the same customer and the same program.

Messages name partners by id, never by name: explanations outlive a partner's erasure.
Each check is recorded as a step, and the outcome as a stable explanation code.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from accounts.models import Merchant, Partner
from conversions import selectors
from conversions.explanations import (
    ATTRIBUTED_CLICK,
    ATTRIBUTED_PROMO_CODE,
    CLICK_AFTER_CONVERSION,
    CLICK_EXPIRED,
    CLICK_IS_BOT,
    CLICK_NOT_FOUND,
    INFO,
    PARTNER_ERASED,
    PASS,
    PROGRAM_NOT_ACTIVE,
    PROMO_CODE_DISABLED,
    PROMO_CODE_UNKNOWN,
    REFERRAL_CODE_DISABLED,
    SKIPPED,
    Failure,
    Steps,
    iso,
)
from conversions.models import Conversion
from conversions.program_rules import Exchange, check_currency, check_program_rules
from partners.models import CommissionType, Program, ProgramStatus, PromoCode
from partners.selectors import promo_code_resolve
from selgeo.api.errors import ModeMismatch
from tracking.models import Click

# Servers' clocks disagree a little; a conversion a few minutes "before" its click is
# treated as after it.
CLOCK_SKEW = timedelta(minutes=5)


def click_window_over(click: Click, moment: datetime) -> bool:
    """Whether a conversion at `moment` is past the click's window. `expires_at` is the
    window's last instant: a conversion at exactly that moment is still inside."""
    return moment > click.expires_at


@dataclass
class Attribution:
    attributed: bool
    code: str
    message: str
    steps: list[dict[str, str]]
    program: Program | None = None
    partner: Partner | None = None
    # The signals' rows when they exist in this merchant and mode, attributed or not.
    click: Click | None = None
    promo_code: PromoCode | None = None
    # Set when the conversion is in another currency than its program's.
    exchange: Exchange | None = None

    @property
    def explanation(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass
class _Candidate:
    via: str
    program: Program
    partner: Partner


@dataclass
class Resolution:
    """The signals read and checked (steps 1-3): a candidate, or why there is none."""

    steps: Steps
    click: Click | None
    promo: PromoCode | None
    candidate: _Candidate | None
    failures: list[Failure]

    @property
    def needs_lock(self) -> bool:
        """Whether the program's rules read other conversions (CPA, RevShare): they must
        then run in the conversion's transaction, serialised per customer and click."""
        return (
            self.candidate is not None
            and self.candidate.program.commission_type != CommissionType.CPS
        )


def resolve(
    *,
    merchant: Merchant,
    mode: str,
    click_id: uuid.UUID | None,
    promo_code: str | None,
    customer_ref: str,
    occurred_at: datetime,
) -> Resolution:
    """Read the signals and check them (steps 1-3). Reads only: no transaction needed."""
    steps = Steps()
    click = (
        selectors.click_for_attribution(merchant=merchant, click_id=click_id) if click_id else None
    )
    promo = promo_code_resolve(merchant=merchant, code=promo_code) if promo_code else None
    _refuse_other_mode(mode=mode, click=click, promo=promo)

    sent = [name for name, value in (("click_id", click_id), ("promo_code", promo_code)) if value]
    customer = "a customer_id" if customer_ref else "no customer_id"
    steps.add("signals", INFO, f"Received {' and '.join(sent)} with {customer}.")

    candidate: _Candidate | None = None
    failures: list[Failure] = []
    if click_id is not None:
        result = _check_click(click, click_id, occurred_at, customer_ref, steps)
        if isinstance(result, Failure):
            failures.append(result)
        else:
            candidate = result
    if promo_code:
        if candidate is not None:
            steps.add(
                "promo_code",
                SKIPPED,
                "The promo code was not used: the click takes precedence (last click wins).",
            )
        else:
            result = _check_promo(promo, promo_code, occurred_at, steps)
            if isinstance(result, Failure):
                failures.append(result)
            else:
                candidate = result
    return Resolution(steps, click, promo, candidate, failures)


def decide(
    resolution: Resolution, *, customer_ref: str, occurred_at: datetime, currency: str | None
) -> Attribution:
    """The program's rules for the candidate (step 4) and the outcome. With
    `resolution.needs_lock`, call inside the transaction that records the conversion."""
    steps, click, promo, candidate = (
        resolution.steps,
        resolution.click,
        resolution.promo,
        resolution.candidate,
    )
    if candidate is None:
        # The strongest signal's failure explains the outcome; every step is kept.
        first = resolution.failures[0]
        return Attribution(
            False, first.code, first.message, steps.items, click=click, promo_code=promo
        )

    currency_check = check_currency(
        candidate.program, currency=currency, occurred_at=occurred_at, steps=steps
    )
    exchange = currency_check if isinstance(currency_check, Exchange) else None
    rule_failure = (
        currency_check
        if isinstance(currency_check, Failure)
        else check_program_rules(
            candidate.program,
            via_click=click if candidate.via == "click" else None,
            customer_ref=customer_ref,
            occurred_at=occurred_at,
            steps=steps,
        )
    )
    if rule_failure is not None:
        return Attribution(
            False,
            rule_failure.code,
            rule_failure.message,
            steps.items,
            click=click,
            promo_code=promo,
        )

    program, partner = candidate.program, candidate.partner
    if candidate.via == "click":
        assert click is not None
        code = ATTRIBUTED_CLICK
        message = f"Attributed to partner {partner.pk} through click {click.pk}"
    else:
        assert promo is not None
        code = ATTRIBUTED_PROMO_CODE
        message = f"Attributed to partner {partner.pk} through promo code {promo.code}"
    message += f" (program {program.code})."
    steps.add("attributed", PASS, message)
    return Attribution(
        True,
        code,
        message,
        steps.items,
        program=program,
        partner=partner,
        click=click,
        promo_code=promo,
        exchange=exchange,
    )


def _refuse_other_mode(*, mode: str, click: Click | None, promo: PromoCode | None) -> None:
    if click is not None and click.mode != mode:
        raise ModeMismatch(f"click_id is a {click.mode}-mode click but the key is a {mode} key")
    if promo is not None and promo.mode != mode:
        raise ModeMismatch(
            f"promo_code is a {promo.mode}-mode promo code but the key is a {mode} key"
        )


def _check_partner_and_program(
    program: Program, partner: Partner, steps: Steps, prefix: str
) -> Failure | None:
    if program.status != ProgramStatus.PUBLISHED:
        return steps.fail(
            f"{prefix}_program",
            PROGRAM_NOT_ACTIVE,
            f"Program {program.code} is {program.status}, not published.",
        )
    steps.add(f"{prefix}_program", PASS, f"Program {program.code} is published.")
    if partner.erased_at is not None:
        return steps.fail(
            f"{prefix}_partner",
            PARTNER_ERASED,
            f"Partner {partner.pk} has been erased and can no longer earn commissions.",
        )
    steps.add(f"{prefix}_partner", PASS, f"Partner {partner.pk} is active.")
    return None


def _check_click(
    click: Click | None,
    click_id: uuid.UUID,
    occurred_at: datetime,
    customer_ref: str,
    steps: Steps,
) -> _Candidate | Failure:
    if click is None:
        return steps.fail(
            "click_found", CLICK_NOT_FOUND, f"No click {click_id} exists for this merchant."
        )
    steps.add(
        "click_found",
        PASS,
        f"Click {click.pk} was recorded at {iso(click.created_at)} for program "
        f"{click.program.code} and partner {click.partner_id}.",
    )
    if click.is_bot:
        return steps.fail(
            "click_not_bot",
            CLICK_IS_BOT,
            "The click was made by a bot or crawler; bots never earn.",
        )
    steps.add("click_not_bot", PASS, "The click was made by a person, not a known bot.")
    failure = _check_partner_and_program(click.program, click.partner, steps, "click")
    if failure is not None:
        return failure
    code = click.referral_code
    if code is not None and code.disabled_at is not None and code.disabled_at <= occurred_at:
        return steps.fail(
            "click_referral_code",
            REFERRAL_CODE_DISABLED,
            f"Referral code {code.code} was disabled at {iso(code.disabled_at)}.",
        )
    if code is not None:
        steps.add("click_referral_code", PASS, f"Referral code {code.code} is active.")
    if click_window_over(click, occurred_at):
        first = _revshare_customer_won(click, customer_ref, occurred_at)
        if first is None:
            return steps.fail(
                "click_window",
                CLICK_EXPIRED,
                f"The conversion occurred at {iso(occurred_at)}, after the click's attribution "
                f"window closed at {iso(click.expires_at)} "
                f"(program cookie window: {click.program.cookie_days} days).",
            )
        steps.add(
            "click_window",
            PASS,
            f"The click's window closed at {iso(click.expires_at)}, but this customer's first "
            f"attributed conversion in RevShare program {click.program.code} "
            f"({iso(first.occurred_at)}) went to partner {click.partner_id}: later payments "
            "follow it.",
        )
        return _Candidate("click", click.program, click.partner)
    if occurred_at < click.created_at - CLOCK_SKEW:
        return steps.fail(
            "click_window",
            CLICK_AFTER_CONVERSION,
            f"The conversion occurred at {iso(occurred_at)}, before the click was recorded.",
        )
    steps.add(
        "click_window",
        PASS,
        f"The conversion occurred within the click's window (until {iso(click.expires_at)}).",
    )
    return _Candidate("click", click.program, click.partner)


def _revshare_customer_won(
    click: Click, customer_ref: str, occurred_at: datetime
) -> Conversion | None:
    """The customer's first attributed conversion in the click's RevShare program, when
    it went to the click's partner before `occurred_at`: a subscription's renewals are
    reported with the click that won the customer, long after its cookie window."""
    if click.program.commission_type != CommissionType.REVSHARE or not customer_ref:
        return None
    first = selectors.revshare_first_conversion(program=click.program, customer_ref=customer_ref)
    if first is None or first.partner_id != click.partner_id or first.occurred_at > occurred_at:
        return None
    return first


def _check_promo(
    promo: PromoCode | None, raw: str, occurred_at: datetime, steps: Steps
) -> _Candidate | Failure:
    if promo is None:
        return steps.fail(
            "promo_code_found",
            PROMO_CODE_UNKNOWN,
            f"No promo code {raw!r} exists for this merchant.",
        )
    steps.add(
        "promo_code_found",
        PASS,
        f"Promo code {promo.code} belongs to program {promo.program.code} "
        f"and partner {promo.partner_id}.",
    )
    if promo.disabled_at is not None and promo.disabled_at <= occurred_at:
        return steps.fail(
            "promo_code_active",
            PROMO_CODE_DISABLED,
            f"Promo code {promo.code} was disabled at {iso(promo.disabled_at)}.",
        )
    steps.add("promo_code_active", PASS, f"Promo code {promo.code} is active.")
    failure = _check_partner_and_program(promo.program, promo.partner, steps, "promo_code")
    if failure is not None:
        return failure
    return _Candidate("promo_code", promo.program, promo.partner)
