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


class JSONParser(DRFJSONParser):
    """JSON bodies, parsed by orjson.

    JSON's grammar admits values that no stored text or number can hold, which Python's
    json module passes on and the database or the response renderer would then fail on
    (a 500): a lone surrogate (`"\\ud800"`), a number beyond a double's range (`1e400`),
    and nesting deep enough to exhaust the stack. orjson refuses each of them, as it
    refuses NaN and Infinity, so they are a 400 like any malformed body. It is also
    several times faster.
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
            if _LONG_DIGITS.search(raw):
                # orjson reads an integer beyond 64 bits as a float, which would change a
                # merchant's number: such a body, valid by the checks above, is read again
                # by json, which keeps it exact.
                data = json.loads(raw)
        except (orjson.JSONDecodeError, UnicodeError, LookupError, RecursionError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        return data
