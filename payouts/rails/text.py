"""Cells of the CSV files: exact amounts in major units, text a spreadsheet will not run."""

from __future__ import annotations

from selgeo.currencies import minor_unit_exponent

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def major_units(amount_cents: int, currency: str) -> str:
    """12345 EUR → "123.45", 500 JPY → "500", computed on integers (never a float)."""
    exponent = minor_unit_exponent(currency)
    sign = "-" if amount_cents < 0 else ""
    units, minor = divmod(abs(amount_cents), 10**exponent)
    return f"{sign}{units}" if exponent == 0 else f"{sign}{units}.{minor:0{exponent}d}"


def safe_cell(text: str) -> str:
    # OWASP CSV injection: a cell starting like a formula is quoted.
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text
