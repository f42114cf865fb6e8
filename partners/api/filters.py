"""Query-string filters for the partners lists: each bad value is a 400 with its field."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from rest_framework.request import Request

from selgeo.api.errors import ValidationFailed
from selgeo.api.serializers import currency_error

SEARCH_MAX = 100


def choice(request: Request, name: str, choices: Iterable[str]) -> str | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    allowed = list(choices)
    if raw not in allowed:
        raise ValidationFailed.field(name, f"{name} must be one of: {', '.join(allowed)}")
    return raw


def uuid_value(request: Request, name: str) -> uuid.UUID | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise ValidationFailed.field(name, f"{name} must be a UUID") from exc


def boolean(request: Request, name: str) -> bool | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if raw not in ("true", "false"):
        raise ValidationFailed.field(name, f"{name} must be true or false")
    return raw == "true"


def text(request: Request, name: str) -> str | None:
    raw = request.query_params.get(name)
    if raw is None or raw.strip() == "":
        return None
    if len(raw) > SEARCH_MAX:
        raise ValidationFailed.field(name, f"{name} must be at most {SEARCH_MAX} characters")
    return raw.strip()


def currency(request: Request, name: str = "currency") -> str | None:
    """`?currency=EUR`: an ISO 4217 code in upper case, as bodies take it."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    error = currency_error(raw)
    if error is not None:
        raise ValidationFailed.field(name, error)
    return raw


def code_status(request: Request, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """`?status=active|disabled` for referral and promo codes."""
    status = choice(request, "status", ["active", "disabled"])
    if status is not None:
        queryset = queryset.filter(disabled_at__isnull=(status == "active"))
    return queryset


def by_ids(request: Request, queryset: QuerySet[Any], *names: str) -> QuerySet[Any]:
    """`?program=<uuid>`, `?partner=<uuid>`: filter on those foreign keys."""
    for name in names:
        value = uuid_value(request, name)
        if value is not None:
            queryset = queryset.filter(**{f"{name}_id": value})
    return queryset


def search(request: Request, queryset: QuerySet[Any], *fields: str) -> QuerySet[Any]:
    """`?q=`: case-insensitive substring over `fields`."""
    term = text(request, "q")
    if term is None:
        return queryset
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": term})
    return queryset.filter(condition)
