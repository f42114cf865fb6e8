"""The program's rules for a conversion whose signal resolved: currency, CPA, RevShare.

- A conversion in another currency than the program's is converted at the stored
  rate of its `occurred_at` (the last rate set stored at or before it) and earns its
  commission on the converted amount. A program that lists `accepted_currencies`
  refuses the others (`currency_mismatch`), as does a currency no stored set has a
  rate for.
- CPA pays once per customer (`customer_id`) and once per click. Without a customer id
  only the per-click limit applies.
- RevShare pays every conversion of a customer within `recurring_months` (calendar
  months) of the customer's first attributed conversion in the program; a program
  without `recurring_months` shares revenue without end.
A reversed conversion paid nothing, so it counts towards none of these limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

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
from fx.rates import RateUnavailable
from fx.selectors import RateSet, rate_set_at
from partners.models import CommissionType, Program
from tracking.models import Click


@dataclass(frozen=True)
class Exchange:
    """The rate a conversion in another currency was converted at, and its set."""

    source: str
    target: str
    rate: Decimal
    rate_set: RateSet


def check_currency(
    program: Program, *, currency: str | None, occurred_at: datetime, steps: Steps
) -> Failure | Exchange | None:
    """The currency step: a failure, the exchange to apply, or None (the program's own
    currency, or none sent)."""
    if not currency or currency == program.currency:
        steps.add("currency", PASS, f"Program {program.code} pays in {program.currency}.")
        return None
    accepted = program.accepted_currencies or []
    if accepted and currency not in accepted:
        return steps.fail(
            "currency",
            CURRENCY_MISMATCH,
            f"The conversion is in {currency} but program {program.code} accepts only "
            f"{', '.join([program.currency, *accepted])}.",
        )
    rate_set = rate_set_at(occurred_at)
    try:
        rate = rate_set.rate(source=currency, target=program.currency)
    except RateUnavailable:
        return steps.fail(
            "currency",
            CURRENCY_MISMATCH,
            f"The conversion is in {currency} but program {program.code} pays in "
            f"{program.currency}, and the {rate_set.describe()} have no rate for "
            f"{currency} to convert it.",
        )
    steps.add(
        "currency",
        PASS,
        f"The conversion is in {currency}; program {program.code} pays in "
        f"{program.currency}: converted at {rate} {program.currency} per {currency}, "
        f"{rate_set.describe()}.",
    )
    return Exchange(source=currency, target=program.currency, rate=rate, rate_set=rate_set)


def check_program_rules(
    program: Program,
    *,
    via_click: Click | None,
    customer_ref: str,
    occurred_at: datetime,
    steps: Steps,
) -> Failure | None:
    """The first CPA or RevShare rule the conversion breaks, or None; each check is added
    to `steps`. The currency is checked before (`check_currency`)."""
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
