"""Page-numbered tables: a page of rows and the query string that keeps the filters."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PER_PAGE = 25


def paginate(request: HttpRequest, rows: QuerySet[Any], per_page: int = PER_PAGE) -> dict[str, Any]:
    """Context for `includes/pagination.html`: `page_obj` and the filters without `page`.

    A page number that is not a number or is past the end gives the nearest page, never an
    error: links are shared and rows disappear.
    """
    page_obj = Paginator(rows, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return {"page_obj": page_obj, "querystring_without_page": f"{encoded}&" if encoded else ""}
