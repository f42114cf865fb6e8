"""Admin building blocks shared by the apps: honest counts for big tables, bounded search,
read-only money rows and actions that call services.

COUNT(*) over millions of rows takes seconds on every changelist view, so the big tables
(clicks, conversions, commissions, events, deliveries) are never counted. A list reads
the ids of its page plus one row: on its last page it knows its exact length; before
that it says what it knows, PostgreSQL's own estimate of the table's size for the whole
table ("about 2,400,000", kept up to date by ANALYZE and autovacuum) or "more than 100"
for a search or filter. Pages run up to the next one. A made-up total is never shown.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import PAGE_VAR, ChangeList
from django.core.paginator import Paginator
from django.core.validators import MaxLengthValidator
from django.db import connection
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.functional import cached_property

from selgeo.api.errors import ApiError

# Partners a search term may name at most: their ids then select rows by an index.
SEARCH_PARTNERS_MAX = 100


class WindowPaginator(Paginator):
    """Knows the rows up to the end of the requested page plus one, and no more.

    `count` is the rows before the page plus those read for it (at most one more than
    a page): the page links run to the next page when there is one. `exact` says whether
    `count` is the true number of matching rows (the page read was the last one).
    """

    def __init__(self, object_list: Any, per_page: int, *, page_number: int = 1, **kw: Any):
        super().__init__(object_list, per_page, **kw)
        self.page_number = max(1, page_number)

    @cached_property
    def _window(self) -> tuple[int, int]:
        before = (self.page_number - 1) * self.per_page
        rows: QuerySet[Any] = self.object_list  # type: ignore[assignment]
        ids = rows.values_list("pk", flat=True)[before : before + self.per_page + 1]
        return before, len(ids)

    @cached_property
    def count(self) -> int:
        before, read = self._window
        return before + read

    @property
    def exact(self) -> bool:
        return self._window[1] <= self.per_page

    @property
    def known_rows(self) -> int:
        """Rows known to match: up to the end of the requested page."""
        before, read = self._window
        return before + min(read, self.per_page)


def table_estimate(model: type[Model]) -> int | None:
    """PostgreSQL's estimate of a table's rows (updated by ANALYZE/autovacuum), if it has one."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            [model._meta.db_table],
        )
        row = cursor.fetchone()
    # -1 says the table was never analysed: there is no estimate to give.
    if row is None or row[0] is None or row[0] < 0:
        return None
    return int(row[0])


class HonestChangeList(ChangeList):
    """A changelist whose count label is exact, an estimate marked "about", or "more than"."""

    @cached_property
    def result_count_label(self) -> str:
        paginator = self.paginator
        if not isinstance(paginator, WindowPaginator) or paginator.exact:
            return f"{self.result_count:,}"
        known = paginator.known_rows
        if not self.query and not self.has_active_filters:
            estimate = table_estimate(self.model)
            # An estimate below what the page already shows is out of date: not shown.
            if estimate is not None and estimate > known:
                return f"about {estimate:,}"
        return f"more than {known:,}"


class BigTableAdmin(admin.ModelAdmin):
    """The admin of a big table: never a full count, never a made-up one."""

    show_full_result_count = False
    # "Show all" would read the whole table into one page.
    list_max_show_all = 0

    def get_paginator(
        self, request: HttpRequest, queryset: Any, per_page: int, *args: Any, **kwargs: Any
    ) -> WindowPaginator:
        try:
            page_number = int(request.GET.get(PAGE_VAR, 1))
        except ValueError:
            page_number = 1
        return WindowPaginator(queryset, per_page, page_number=page_number, **kwargs)

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return HonestChangeList

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        response = super().changelist_view(request, extra_context)
        # "All 101 selected" would be a made-up number too.
        if isinstance(response, TemplateResponse) and response.context_data:
            cl = response.context_data.get("cl")
            if isinstance(cl, HonestChangeList):
                response.context_data["selection_note_all"] = (
                    f"All {cl.result_count_label} selected"
                )
        return response


# What staff may type into a text the model leaves unbounded (a TextField, a JSONField).
TEXT_MAX = 10_000


class BoundedTextAdmin(admin.ModelAdmin):
    """Every text input of the admin has a bound the server enforces, as the API's do:
    `text_max` names a field's own; the others that have none get `TEXT_MAX`."""

    text_max: ClassVar[dict[str, int]] = {}

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(field, forms.CharField) and field.max_length is None:
            maximum = self.text_max.get(db_field.name, TEXT_MAX)
            field.max_length = maximum
            field.validators.append(MaxLengthValidator(maximum))
            field.widget.attrs["maxlength"] = str(maximum)
        return field


class ReadOnlyMoneyAdmin(BigTableAdmin):
    """Money rows change only through their services (which emit events and keep the
    history): the admin shows them and offers actions for the allowed transitions."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def run_each(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: Iterable[Any],
    call: Callable[[Any], Any],
    done_message: str,
) -> None:
    """Call a service for each selected row; refusals are reported by row, not raised."""
    done = 0
    for obj in queryset:
        try:
            call(obj)
        except ApiError as exc:
            modeladmin.message_user(request, f"{obj}: {exc.message}", level=messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, f"{done} {done_message}", level=messages.SUCCESS)


def partner_ids_matching(term: str) -> list[Any]:
    """Partners named by a search term: display name, login email, referral or promo code.

    Bounded to `SEARCH_PARTNERS_MAX` partners, so the big table is then filtered by an
    indexed `partner_id IN (…)`, never scanned for text.
    """
    from accounts.models import Partner

    matching = Partner.objects.filter(
        Q(display_name__icontains=term)
        | Q(user__email__iexact=term)
        | Q(referral_codes__code__iexact=term)
        | Q(promo_codes__code__iexact=term)
    )
    return list(matching.values_list("pk", flat=True).distinct()[:SEARCH_PARTNERS_MAX])


def as_uuid(term: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(term)
    except ValueError:
        return None


# The name the apps first imported; every big table now counts up to the cap.
NoCountPaginator = WindowPaginator
