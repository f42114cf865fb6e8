"""Database helpers shared by the apps."""

from __future__ import annotations

import re

from django.apps import apps
from django.db import IntegrityError, models

_SQLITE_COLUMNS = re.compile(r"UNIQUE constraint failed: (?P<columns>[\w.]+(?:, [\w.]+)*)")
_SQLITE_INDEX = re.compile(r"UNIQUE constraint failed: index '(?P<name>\w+)'")


def _constraint_for_columns(table: str, columns: set[str]) -> str | None:
    for model in apps.get_models():
        if model._meta.db_table != table:
            continue
        for constraint in model._meta.constraints:
            if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
                names = {getattr(model._meta.get_field(f), "column", f) for f in constraint.fields}
                if names == columns:
                    return constraint.name
    return None


def violated_constraint(exc: IntegrityError) -> str:
    """The name of the unique constraint an insert violated, on PostgreSQL and SQLite.

    PostgreSQL reports it in the error diagnostics. SQLite names the index for functional
    constraints and only the columns for plain ones, which are mapped back to the model's
    constraint; anything else returns the error text.
    """
    diag = getattr(exc.__cause__, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name:
        return str(name)
    text = str(exc)
    if match := _SQLITE_INDEX.search(text):
        return match.group("name")
    if match := _SQLITE_COLUMNS.search(text):
        pairs = [c.split(".", 1) for c in match.group("columns").split(", ")]
        tables = {table for table, _column in pairs}
        if len(tables) == 1:
            found = _constraint_for_columns(tables.pop(), {column for _t, column in pairs})
            if found:
                return found
    return text
