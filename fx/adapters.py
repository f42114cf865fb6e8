"""Parsers for the rate documents Selgeo fetches; each returns a `ParsedRates` or raises.

- The European Central Bank's daily reference rates (`eurofxref-daily.xml`): one
  `<Cube time="YYYY-MM-DD">` of `<Cube currency="XXX" rate="1.2345"/>`, per one euro.
- One JSON shape, openexchangerates.org's `latest.json`, which exchangerate.host,
  Open Exchange Rates' clones and most self-hosted rate services share:
  `{"base": "USD", "timestamp": 1700000000, "rates": {"EUR": 0.93897, ...}}`
  (`timestamp` in Unix seconds, or `date` as YYYY-MM-DD; both optional). Numbers are
  read as decimals straight from the text, never through a float.

A document that is not well formed, names no rates, has a rate that is not a positive
finite number, or (for a set that is not already USD-based) lacks the USD rate needed to
read it in dollars is refused whole: a partial answer never replaces good rates.
Codes that ISO 4217 gives no minor unit (XAU, XDR, BTC...) are left out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.etree import ElementTree

from fx.currencies import exponent

ECB_NAMESPACE = "{http://www.ecb.int/vocabulary/2002-08-01/eurofxref}"
# The ECB publishes around 16:00 CET; the reference day's rates are dated at 15:00 UTC.
ECB_PUBLICATION_TIME = time(15, 0, tzinfo=UTC)


class MalformedRates(Exception):
    """The document cannot be read as a set of rates; the message says why."""


@dataclass(frozen=True)
class ParsedRates:
    source: str
    base: str
    rates: dict[str, Decimal]
    published_at: datetime | None


def _rate(code: str, raw: Any) -> Decimal:
    try:
        value = Decimal(str(raw).strip()) if not isinstance(raw, Decimal) else raw
    except InvalidOperation:
        raise MalformedRates(f"the rate of {code} is not a number: {str(raw)[:40]!r}") from None
    if isinstance(raw, bool) or not value.is_finite() or value <= 0:
        raise MalformedRates(f"the rate of {code} is not a positive number: {str(raw)[:40]!r}")
    return value


def _finish(
    source: str, base: str, rates: dict[str, Decimal], published_at: datetime | None
) -> ParsedRates:
    if exponent(base) is None:
        raise MalformedRates(f"the base {base!r} is not an ISO 4217 currency")
    kept = {code: value for code, value in rates.items() if exponent(code) is not None}
    kept.pop(base, None)
    if not kept:
        raise MalformedRates("the document has no rates")
    if base != "USD" and "USD" not in kept:
        raise MalformedRates(f"the {base}-based rates have no USD rate to read them in dollars")
    return ParsedRates(source=source, base=base, rates=kept, published_at=published_at)


def parse_ecb(body: bytes) -> ParsedRates:
    # Python's expat parser fetches no external entities and refuses entity expansion
    # bombs (expat >= 2.4); the URL is the operator's, not a user's.
    try:
        root = ElementTree.fromstring(body)  # noqa: S314
    except ElementTree.ParseError as exc:
        raise MalformedRates(f"not well-formed XML ({exc})") from None
    days = [c for c in root.iter(ECB_NAMESPACE + "Cube") if c.get("time")]
    if len(days) != 1:
        raise MalformedRates(f"expected one dated <Cube time=...>, found {len(days)}")
    try:
        day = date.fromisoformat(days[0].get("time", ""))
    except ValueError:
        raise MalformedRates("the reference day is not a date") from None
    rates: dict[str, Decimal] = {}
    for cube in days[0].findall(ECB_NAMESPACE + "Cube"):
        code, raw = cube.get("currency"), cube.get("rate")
        if not code or raw is None:
            raise MalformedRates("a <Cube> has no currency or no rate")
        rates[code] = _rate(code, raw)
    return _finish("ecb", "EUR", rates, datetime.combine(day, ECB_PUBLICATION_TIME))


def parse_json(body: bytes) -> ParsedRates:
    try:
        doc = json.loads(body, parse_float=Decimal, parse_int=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedRates(f"not JSON ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("rates"), dict):
        raise MalformedRates('expected an object with "base" and a "rates" object')
    base = doc.get("base")
    if not isinstance(base, str):
        raise MalformedRates('"base" must be a currency code')
    rates = {str(code): _rate(str(code), raw) for code, raw in doc["rates"].items()}
    return _finish("json", base, rates, _json_moment(doc))


def _json_moment(doc: dict[str, Any]) -> datetime | None:
    stamp, day = doc.get("timestamp"), doc.get("date")
    try:
        if isinstance(stamp, Decimal) and stamp == stamp.to_integral_value():
            return datetime.fromtimestamp(int(stamp), tz=UTC)
        if isinstance(day, str):
            return datetime.combine(date.fromisoformat(day), time(0, tzinfo=UTC))
    except (ValueError, OverflowError, OSError):
        raise MalformedRates("the timestamp or date is out of range") from None
    return None


def parse(body: bytes) -> ParsedRates:
    """The document's adapter chosen by its first character: `<` is the ECB's XML."""
    if body.lstrip()[:1] == b"<":
        return parse_ecb(body)
    return parse_json(body)
