"""Query parameters of the dialect's reads, checked as its document describes them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from compat.affspace.errors import DialectError
from compat.affspace.schema import MAX_MILLIS
from compat.affspace.shapes import from_millis


def query_text(request: Request, name: str) -> str | None:
    """A parameter's text; a blank parameter is absent, as on Selgeo's own API."""
    value = request.query_params.get(name)
    if value is None:
        return None
    return value.strip() or None


def query_integer(request: Request, name: str, *, low: int, high: int) -> int | None:
    raw = query_text(request, name)
    if raw is None:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18 or not low <= int(raw) <= high:
        raise DialectError(f"{name} must be an integer from {low} to {high}", field=name)
    return int(raw)


def query_choice(request: Request, name: str, choices: tuple[str, ...] | list[str]) -> str | None:
    raw = query_text(request, name)
    if raw is not None and raw not in choices:
        raise DialectError(f"{name} must be one of: {', '.join(choices)}", field=name)
    return raw


def query_moment(request: Request, name: str) -> datetime | None:
    """A Unix-milliseconds parameter as a UTC moment."""
    value = query_integer(request, name, low=0, high=MAX_MILLIS)
    return from_millis(value) if value is not None else None


def ok(data: Any, **extra: Any) -> Response:
    """The dialect's success envelope."""
    return Response({"success": True, "data": data, **extra})
