"""Page pagination in the reference's shape: {"data", "total", "page", "limit"}."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response

from selgeo.api.errors import ValidationFailed

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# Past a million pages a list is not being read but scanned; the bound also keeps the
# offset PostgreSQL is asked to skip within reason.
MAX_PAGE = 1_000_000


def _positive_int(request: Request, name: str, default: int, maximum: int | None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValidationFailed.field(name, f"{name} must be a positive integer")
    value = int(raw)
    if maximum is not None and value > maximum:
        raise ValidationFailed.field(name, f"{name} must be at most {maximum}")
    return value


class PagePagination(BasePagination):
    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        self.limit = _positive_int(request, "limit", DEFAULT_LIMIT, MAX_LIMIT)
        self.page = _positive_int(request, "page", 1, MAX_PAGE)
        self.total = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
        start = (self.page - 1) * self.limit
        return list(queryset[start : start + self.limit])

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"data": data, "total": self.total, "page": self.page, "limit": self.limit})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["data", "total", "page", "limit"],
            "properties": {
                "data": schema,
                "total": {"type": "integer", "example": 142},
                "page": {"type": "integer", "example": 1},
                "limit": {"type": "integer", "example": DEFAULT_LIMIT},
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
            },
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_LIMIT,
                    "default": DEFAULT_LIMIT,
                },
            },
        ]
