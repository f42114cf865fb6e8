"""The API's JSON body parser."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import IO, Any

import orjson
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as DRFJSONParser
from rest_framework.parsers import get_encoding  # type: ignore[attr-defined]

# Twenty digits in a row: possibly an integer no 64-bit integer holds.
_LONG_DIGITS = re.compile(rb"[0-9]{20}")
# The end of an object key: a closing quote, then a colon. Every key of a valid body
# ends this way, and outside keys the pair only occurs after an escaped quote in a text.
_KEY_END = re.compile(rb'"[ \t\r\n]*:')


class DuplicateKey(ValueError):
    pass


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise DuplicateKey(f'Duplicate key "{name}" in a JSON object')
        result[name] = value
    return result


def _count_keys(data: Any) -> int:
    """How many keys the parsed objects hold (a duplicate key left one of them)."""
    count = 0
    stack = [data]
    while stack:
        value = stack.pop()
        items = value.values() if type(value) is dict else value
        if type(value) is dict:
            count += len(value)
        for item in items:
            if type(item) is dict or type(item) is list:
                stack.append(item)
    return count


def _has_duplicate_keys(raw: bytes, data: Any) -> bool | None:
    """False when no key was dropped; None when only a full read can tell."""
    if type(data) is not dict and type(data) is not list:
        return False
    if len(_KEY_END.findall(raw)) == _count_keys(data):
        return False
    return None


class JSONParser(DRFJSONParser):
    """JSON bodies, parsed by orjson.

    JSON's grammar admits values that no stored text or number can hold, which Python's
    json module passes on and the database or the response renderer would then fail on
    (a 500): a lone surrogate (`"\\ud800"`), a number beyond a double's range (`1e400`),
    and nesting deep enough to exhaust the stack. orjson refuses each of them, as it
    refuses NaN and Infinity, so they are a 400 like any malformed body. It is also
    several times faster.

    A key repeated in one object is refused too (RFC 8259 leaves its meaning open and
    parsers disagree on which value wins, so a proxy and Selgeo could read different
    amounts). orjson keeps the last value silently; rather than parse every body twice,
    the parser counts the key ends in the raw body and the keys orjson kept: when they
    are equal no key was dropped. Only a body where they differ (a duplicate, or an
    escaped quote before a colon inside a text) is read again, by json, which names
    the repeated key.
    """

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        raw = stream.read()
        encoding = get_encoding(parser_context or {})
        try:
            if encoding.replace("-", "").lower() != "utf8":
                raw = raw.decode(encoding).encode("utf-8")
            data = orjson.loads(raw)
            if _LONG_DIGITS.search(raw) or _has_duplicate_keys(raw, data) is not False:
                # Read again by json: it keeps an integer beyond 64 bits exact (orjson
                # reads it as a float, which would change a merchant's number) and it
                # lets the hook see every key of every object.
                data = json.loads(raw, object_pairs_hook=_refuse_duplicates)
        except (orjson.JSONDecodeError, UnicodeError, LookupError, RecursionError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        except DuplicateKey as exc:
            raise ParseError(str(exc)) from exc
        return data
