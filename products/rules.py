"""Commission of a conversion's line items: a pure function of the lines and the base terms.

The base terms are whatever the conversion's program pays (its kind, its fixed CPA amount,
its percentage in basis points), however they were decided; each line applies its
product's rule on top of them:

- `excluded`: the line earns nothing;
- `cps`: the product's own percentage of the line's amount;
- `cpa`: the product's fixed amount times the line's quantity;
- `program`: the program's terms. A percentage program pays its percentage of the line's
  amount; a CPA program pays its fixed amount once per conversion, carried by the first
  such line (a basket of three items is one action, not three).

Each percentage is rounded on its own line, half to even, to a whole minor unit
(`conversions.money.percent_of`); the commission is the sum of the lines. Amounts arrive
in the commission's currency: conversion from the sale's currency happens before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from conversions.money import percent_of
from products.models import CommissionRule

# Program kinds that pay a percentage of the amount (partners.models.CommissionType).
PERCENTAGE_KINDS = frozenset({"cps", "revshare"})


@dataclass(frozen=True)
class Line:
    """A line ready to be priced: its product's rule and figures, amounts in the
    commission's currency."""

    rule: str
    quantity: int
    amount_cents: int
    percent_bps: int | None = None
    cpa_amount_cents: int | None = None


@dataclass(frozen=True)
class PricedLine:
    rule: str
    rate_bps: int | None
    commission_cents: int


@dataclass(frozen=True)
class PricedLines:
    commission_cents: int
    lines: tuple[PricedLine, ...]


def lines_commission(
    lines: Sequence[Line], *, kind: str, cpa_amount_cents: int, percent_bps: int | None
) -> PricedLines:
    """Price each line by its rule against the base terms; the total is their sum."""
    priced: list[PricedLine] = []
    program_cpa_paid = False
    for line in lines:
        if line.rule == CommissionRule.EXCLUDED:
            priced.append(PricedLine(line.rule, None, 0))
        elif line.rule == CommissionRule.CPS:
            bps = line.percent_bps or 0
            priced.append(PricedLine(line.rule, bps, percent_of(line.amount_cents, bps)))
        elif line.rule == CommissionRule.CPA:
            priced.append(PricedLine(line.rule, None, (line.cpa_amount_cents or 0) * line.quantity))
        elif kind in PERCENTAGE_KINDS:
            bps = percent_bps or 0
            priced.append(PricedLine(line.rule, bps, percent_of(line.amount_cents, bps)))
        else:
            amount = 0 if program_cpa_paid else cpa_amount_cents
            program_cpa_paid = True
            priced.append(PricedLine(line.rule, None, amount))
    return PricedLines(sum(p.commission_cents for p in priced), tuple(priced))
