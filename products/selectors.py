"""Reads of products: every query is scoped to one merchant and mode."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from accounts.models import Merchant
from products.models import LineItem, Product


def products_for(*, merchant: Merchant, mode: str) -> QuerySet[Product]:
    return Product.objects.filter(merchant=merchant, mode=mode)


def product_get(*, merchant: Merchant, mode: str, product_id: str) -> Product | None:
    """A product by its Selgeo id (a UUID) or by the shop's own code."""
    return products_by_reference(merchant=merchant, mode=mode, references=[product_id]).get(
        product_id
    )


def products_by_reference(
    *, merchant: Merchant, mode: str, references: Iterable[str]
) -> dict[str, Product]:
    """The products named by `references` (ids or codes), by reference; unknown ones are
    absent. One query whatever the number of references."""
    wanted = set(references)
    if not wanted:
        return {}
    ids = set()
    for reference in wanted:
        try:
            ids.add(uuid.UUID(reference))
        except ValueError:
            continue
    found = products_for(merchant=merchant, mode=mode).filter(Q(code__in=wanted) | Q(pk__in=ids))
    by_reference: dict[str, Product] = {
        str(product.pk): product for product in found if str(product.pk) in wanted
    }
    # A reference that is one product's code and another's id names the code's product.
    by_reference.update({product.code: product for product in found if product.code in wanted})
    return by_reference


def line_items_of(*, conversion_id: uuid.UUID) -> QuerySet[LineItem]:
    return LineItem.objects.filter(conversion_id=conversion_id).select_related("product")


def first_product_codes(*, conversion_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Each conversion's first line's product code (the commerce dialect's `product_id`)."""
    rows = (
        LineItem.objects.filter(conversion_id__in=list(conversion_ids), position=0)
        .values_list("conversion_id", "product__code")
        .order_by()
    )
    return dict(rows)
