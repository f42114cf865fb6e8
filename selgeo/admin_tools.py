"""Admin building blocks shared by the apps."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class NoCountPaginator(Paginator):
    """Pages without a total: big tables (clicks, conversions, events) are never counted.

    COUNT(*) over millions of rows would take seconds on every changelist view.
    """

    @cached_property
    def count(self) -> int:
        return 10**9
