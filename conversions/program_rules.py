"""The program's rules for a conversion whose signal resolved: currency, CPA, RevShare.

- The currency, when sent, must be the program's: a commission cannot be computed
  across currencies.
- CPA pays once per customer (`customer_id`) and once per click. Without a customer id
  only the per-click limit applies.
- RevShare pays every conversion of a customer within `recurring_months` (calendar
  months) of the customer's first attributed conversion in the program; a program
  without `recurring_months` shares revenue without end.
A reversed conversion paid nothing, so it counts towards none of these limits.
"""

from __future__ import annotations

from datetime import datetime

from conversions import selectors
from conversions.explanations import (
    CPA_CLICK_LIMIT,
    CPA_CUSTOMER_LIMIT,
    CURRENCY_MISMATCH,
    PASS,
    REVSHARE_WINDOW_OVER,
    SKIPPED,
    Failure,
    Steps,
    iso,
)
from conversions.locks import serialise_on
from conversions.money import add_months
from partners.models import CommissionType, Program
from tracking.models import Click


def check_program_rules(
    program: Program,
    *,
    via_click: Click | None,
    customer_ref: str,
    occurred_at: datetime,
    currency: str | None,
    steps: Steps,
) -> Failure | None:
    """The first rule the conversion breaks, or None; each check is added to `steps`."""
    if currency and currency != program.currency:
        return steps.fail(
            "currency",
            CURRENCY_MISMATCH,
            f"The conversion is in {currency} but program {program.code} pays in "
            f"{program.currency}.",
        )
    steps.add("currency", PASS, f"Program {program.code} pays in {program.currency}.")
    if program.commission_type == CommissionType.CPA:
        return _check_cpa(program, via_click=via_click, customer_ref=customer_ref, steps=steps)
    if program.commission_type == CommissionType.REVSHARE:
        return _check_revshare(
            program, customer_ref=customer_ref, occurred_at=occurred_at, steps=steps
        )
    return None


def _check_cpa(
    program: Program, *, via_click: Click | None, customer_ref: str, steps: Steps
) -> Failure | None:
    # Two concurrent conversions of one customer (or one click) must not both pass the
    # once-only checks: each waits for the other's transaction on a lock of its own.
    keys = []
    if customer_ref:
        keys.append(f"cpa-customer:{program.pk}:{customer_ref}")
    if via_click is not None:
        keys.append(f"cpa-click:{program.pk}:{via_click.pk}")
    serialise_on(*keys)
    if customer_ref:
        if selectors.cpa_customer_converted(program=program, customer_ref=customer_ref):
            return steps.fail(
                "cpa_customer_limit",
                CPA_CUSTOMER_LIMIT,
                f"This customer already converted under CPA program {program.code}; "
                "CPA pays once per customer.",
            )
        steps.add("cpa_customer_limit", PASS, "First attributed conversion of this customer.")
    else:
        steps.add(
            "cpa_customer_limit",
            SKIPPED,
            "No customer_id was sent, so only the once-per-click limit applies.",
        )
    if via_click is not None:
        if selectors.cpa_click_converted(program=program, click=via_click):
            return steps.fail(
                "cpa_click_limit",
                CPA_CLICK_LIMIT,
                f"Click {via_click.pk} already converted under CPA program {program.code}; "
                "CPA pays once per click.",
            )
        steps.add("cpa_click_limit", PASS, "First attributed conversion of this click.")
    return None


def _check_revshare(
    program: Program, *, customer_ref: str, occurred_at: datetime, steps: Steps
) -> Failure | None:
    if not customer_ref:
        steps.add(
            "revshare_window",
            SKIPPED,
            "No customer_id was sent, so the conversion cannot be tied to earlier payments.",
        )
        return None
    first = selectors.revshare_first_conversion(program=program, customer_ref=customer_ref)
    if first is None or first.occurred_at >= occurred_at:
        steps.add(
            "revshare_window", PASS, "First attributed conversion of this customer in the program."
        )
        return None
    if program.recurring_months is None:
        steps.add("revshare_window", PASS, "The program shares revenue without a time limit.")
        return None
    ends = add_months(first.occurred_at, program.recurring_months)
    if occurred_at > ends:
        return steps.fail(
            "revshare_window",
            REVSHARE_WINDOW_OVER,
            f"The customer's first attributed conversion was at {iso(first.occurred_at)}; "
            f"revenue is shared for {program.recurring_months} months, until {iso(ends)}.",
        )
    steps.add(
        "revshare_window",
        PASS,
        f"Within {program.recurring_months} months of the customer's first attributed "
        f"conversion ({iso(first.occurred_at)}), until {iso(ends)}.",
    )
    return None
