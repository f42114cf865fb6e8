"""Writes for products: create and update, each in one transaction, validated as a whole."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Merchant, Mode
from products.errors import code_taken
from products.models import CommissionRule, Product, ProductType
from selgeo.api.errors import ValidationFailed
from selgeo.currencies import CURRENCIES
from selgeo.db import violated_constraint

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
CUSTOM_MAX_FIELDS = 20
CUSTOM_MAX_BYTES = 4096
EDITABLE_FIELDS = frozenset(
    {
        "code",
        "title",
        "description",
        "price_cents",
        "currency",
        "product_type",
        "stock",
        "private",
        "unlisted",
        "seller_note",
        "minimum_quantity",
        "maximum_quantity",
        "custom",
        "commission_rule",
        "commission_percent_bps",
        "commission_cpa_amount_cents",
    }
)
_DEFAULTS: dict[str, Any] = {
    "description": "",
    "product_type": ProductType.FILE,
    "stock": None,
    "private": False,
    "unlisted": False,
    "seller_note": "",
    "minimum_quantity": 1,
    "maximum_quantity": None,
    "custom": {},
    "commission_rule": CommissionRule.PROGRAM,
    "commission_percent_bps": None,
    "commission_cpa_amount_cents": None,
}
# The figures each rule needs; the others must be empty.
_RULE_FIGURES = {
    CommissionRule.CPS: "commission_percent_bps",
    CommissionRule.CPA: "commission_cpa_amount_cents",
}


def new_code() -> str:
    """A code like the reference's (`7b84a62b`) for a product created without one."""
    return secrets.token_hex(4)


def custom_problem(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "Expected a JSON object"
    if len(value) > CUSTOM_MAX_FIELDS:
        return f"At most {CUSTOM_MAX_FIELDS} fields are allowed"
    encoded = json.dumps(value, ensure_ascii=False)
    if "\\u0000" in encoded:
        return "Null characters are not allowed."
    if len(encoded.encode()) > CUSTOM_MAX_BYTES:
        return f"At most {CUSTOM_MAX_BYTES} bytes of JSON are allowed"
    return None


def product_errors(values: Mapping[str, Any]) -> list[dict[str, str]]:
    """Everything wrong with a product's values at once, as the envelope's details."""
    errors: list[dict[str, str]] = []

    def add(field: str, message: str) -> None:
        errors.append({"field": field, "message": message})

    if not CODE_PATTERN.match(values["code"]):
        add("code", "1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit")
    if not values["title"].strip():
        add("title", "This field may not be blank.")
    if values["currency"] not in CURRENCIES:
        add("currency", "Unknown ISO 4217 currency code")
    if values["product_type"] not in ProductType.values:
        add("product_type", f"One of {', '.join(map(str, ProductType.values))}")
    elif values["product_type"] == ProductType.SERVICE:
        if values["stock"] is None:
            add("stock", "Required for product_type 2 (counted stock)")
    elif values["stock"] is not None:
        add("stock", "Only product_type 2 counts stock; the others are unlimited (send null)")
    maximum = values["maximum_quantity"]
    if maximum is not None and maximum < values["minimum_quantity"]:
        add("maximum_quantity", "Must not be below minimum_quantity")
    problem = custom_problem(values["custom"])
    if problem is not None:
        add("custom", problem)
    rule = values["commission_rule"]
    needed = _RULE_FIGURES.get(rule)
    for name in _RULE_FIGURES.values():
        if name == needed and values[name] is None:
            add(name, f"Required when commission_rule is {rule}")
        elif name != needed and values[name] is not None:
            add(name, f"Only used when commission_rule is {'cps' if 'bps' in name else 'cpa'}")
    bps = values["commission_percent_bps"]
    if bps is not None and not 0 <= bps <= 10_000:
        add("commission_percent_bps", "Between 0 and 10000 (100%)")
    return errors


def _save(product: Product, *, create: bool) -> None:
    try:
        with transaction.atomic():
            product.save(force_insert=create)
    except IntegrityError as exc:
        if violated_constraint(exc) == "products_product_unique_code":
            raise code_taken() from exc
        raise


@transaction.atomic
def product_create(*, merchant: Merchant, mode: str, values: Mapping[str, Any]) -> Product:
    """A new product; `values` holds `title`, `price_cents`, `currency` and any of the
    other editable fields (the rest take their defaults)."""
    if mode not in Mode.values:
        raise ValidationFailed.field("mode", "mode must be test or live")
    unknown = sorted(set(values) - EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(details=[{"field": n, "message": "Unknown field"} for n in unknown])
    full = {**_DEFAULTS, "code": values.get("code") or new_code(), **values}
    full["code"] = full["code"] or new_code()
    if full["product_type"] == ProductType.SERVICE and full["stock"] is None:
        full["stock"] = 0
    errors = product_errors(full)
    if errors:
        raise ValidationFailed(details=errors)
    now = timezone.now()
    product = Product(merchant=merchant, mode=mode, created_at=now, updated_at=now, **full)
    _save(product, create=True)
    return product


@transaction.atomic
def product_update(*, product: Product, changes: Mapping[str, Any]) -> Product:
    """Apply `changes`; a change of rule clears the figures the new rule does not use
    unless the same request sets them."""
    unknown = sorted(set(changes) - EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(
            details=[{"field": n, "message": "This field cannot be changed"} for n in unknown]
        )
    locked = Product.objects.select_for_update().get(pk=product.pk)
    values = {name: getattr(locked, name) for name in EDITABLE_FIELDS}
    values.update(changes)
    if "commission_rule" in changes:
        kept = _RULE_FIGURES.get(values["commission_rule"])
        for name in _RULE_FIGURES.values():
            if name != kept and name not in changes:
                values[name] = None
    if (
        "product_type" in changes
        and values["product_type"] != ProductType.SERVICE
        and "stock" not in changes
    ):
        values["stock"] = None
    errors = product_errors(values)
    if errors:
        raise ValidationFailed(details=errors)
    for name, value in values.items():
        setattr(locked, name, value)
    locked.updated_at = timezone.now()
    _save(locked, create=False)
    return locked
