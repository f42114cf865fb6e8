"""CSV downloads of dashboard tables, streamed row by row so that large exports stay flat.

Cells come partly from outside (transaction ids, codes the merchant's server sent), and a
spreadsheet runs a cell starting with = + - @ (or a tab or carriage return) as a formula:
such cells are prefixed with a quote (OWASP "CSV injection"). Numbers are written as
numbers: the guard applies to text only.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from django.http import StreamingHttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose `write` hands the line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def cell(value: Any) -> Any:
    """A value as it is written to the CSV: timestamps in ISO 8601 UTC, text guarded."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, int):
        return value
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
