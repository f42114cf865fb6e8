"""Line items of a conversion: resolving the products they name, pricing them, their rows.

`conversions.services` calls these while it records a conversion: `lines_resolve` before
anything is written (an unknown product is the merchant's error, a clear 400), then
`lines_price` with the program's base terms once attribution has chosen the program.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from accounts.models import Merchant
from fx.rates import RateUnavailable, convert_minor
from fx.selectors import RateSet, rate_set_at
from products import selectors
from products.models import LineItem, Product
from products.rules import Line, PricedLines, lines_commission
from selgeo.api.errors import ValidationFailed

MAX_LINE_ITEMS = 100


@dataclass(frozen=True)
class LineItemInput:
    """A line as the merchant sent it: `product_id` is the product's id or its code."""

    product_id: str
    quantity: int
    amount_cents: int


@dataclass(frozen=True)
class ResolvedLine:
    product: Product
    quantity: int
    amount_cents: int


def lines_resolve(
    *, merchant: Merchant, mode: str, items: Sequence[LineItemInput]
) -> tuple[ResolvedLine, ...]:
    """The products the lines name, in this merchant and mode; every unknown one is
    reported at once."""
    found = selectors.products_by_reference(
        merchant=merchant, mode=mode, references=[item.product_id for item in items]
    )
    errors = [
        {
            "field": f"line_items.{index}.product_id",
            "message": f"No product {item.product_id!r} in {mode} mode",
        }
        for index, item in enumerate(items)
        if item.product_id not in found
    ]
    if errors:
        raise ValidationFailed(details=errors)
    return tuple(
        ResolvedLine(found[item.product_id], item.quantity, item.amount_cents) for item in items
    )


def lines_price(
    lines: Sequence[ResolvedLine],
    *,
    kind: str,
    cpa_amount_cents: int,
    percent_bps: int | None,
    sale_currency: str,
    commission_currency: str,
    occurred_at: datetime,
) -> PricedLines:
    """Each line's commission in `commission_currency` (`products.rules`).

    Line amounts in another currency, and fixed product amounts in the product's own
    currency, are converted first, one line at a time (half to even), at the rate set in
    effect at `occurred_at`: the one the sale's own amount is converted at.
    """
    rate_sets: list[RateSet] = []

    def converted(amount: int, currency: str, field: str) -> int:
        if currency == commission_currency:
            return amount
        if not rate_sets:
            rate_sets.append(rate_set_at(occurred_at))
        try:
            rate = rate_sets[0].rate(source=currency, target=commission_currency)
            return convert_minor(amount, source=currency, target=commission_currency, rate=rate)
        except RateUnavailable as exc:
            raise ValidationFailed.field(
                field,
                f"No stored rate converts {currency} to {commission_currency}, the program's "
                "currency",
            ) from exc

    priced = [
        Line(
            rule=line.product.commission_rule,
            quantity=line.quantity,
            amount_cents=converted(
                line.amount_cents, sale_currency, f"line_items.{index}.amount_cents"
            ),
            percent_bps=line.product.commission_percent_bps,
            cpa_amount_cents=(
                None
                if line.product.commission_cpa_amount_cents is None
                else converted(
                    line.product.commission_cpa_amount_cents,
                    line.product.currency,
                    f"line_items.{index}.product_id",
                )
            ),
        )
        for index, line in enumerate(lines)
    ]
    return lines_commission(
        priced, kind=kind, cpa_amount_cents=cpa_amount_cents, percent_bps=percent_bps
    )


def line_item_rows(
    lines: Sequence[ResolvedLine], *, conversion_id: uuid.UUID, priced: PricedLines | None
) -> list[LineItem]:
    """The unsaved rows of a conversion's lines (written with the conversion)."""
    rows = []
    for index, line in enumerate(lines):
        price = priced.lines[index] if priced is not None else None
        rows.append(
            LineItem(
                conversion_id=conversion_id,
                product=line.product,
                position=index,
                quantity=line.quantity,
                amount_cents=line.amount_cents,
                rule=price.rule if price is not None else "",
                rate_bps=price.rate_bps if price is not None else None,
                commission_cents=price.commission_cents if price is not None else None,
            )
        )
    return rows
