"""Database helpers shared by the apps."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import time
import uuid
import weakref
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import orjson
from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, models, transaction
from django.db.models import Q

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


def where_set(*fields: str, name: str) -> models.Index:
    """An index on a nullable key (and what follows it) holding only the rows where the
    key is set: no lookup asks for a NULL key, and a row without one costs no entry."""
    return models.Index(
        fields=list(fields), condition=Q(**{f"{fields[0]}__isnull": False}), name=name
    )


class JoinedLoader:
    """Load one row with some of its foreign-key parents in one hand-built query.

    Hot paths (API-key authentication, referral-code lookup) run this for every click;
    building the SQL once per process instead of compiling a queryset each time saves
    most of their cost. Values pass through the same converters the ORM applies, and the
    parents are cached on the instance exactly as `select_related` would.
    """

    def __init__(
        self,
        model: type[models.Model],
        related: tuple[str, ...],
        where: str,
        param_fields: tuple[str, ...],
        *,
        only: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """`where` is a constant SQL condition on alias t0 whose placeholders take values
        of `param_fields`, prepared for the database like the ORM prepares them.

        `only` names the fields to load, per model (`""` for `model`, else the related
        name), as `QuerySet.only` does: the others are deferred, and reading one costs a
        query. Primary keys are always loaded. A model it does not name is loaded whole.
        """
        self.model = model
        self.related = related
        self.where = where
        self.param_fields = [model._meta.get_field(name) for name in param_fields]
        self.only = {name: frozenset(fields) for name, fields in (only or {}).items()}
        unknown = set(self.only) - {"", *related}
        if unknown:
            raise ValueError(f"only names relations the loader does not join: {unknown}")
        self._sql: str | None = None
        # Per table: the model, and per column its attname, expression and converters.
        self._parts: list[tuple[type[models.Model], list[tuple[str, Any, list[Any]]]]] = []

    def _prepare(self, connection: Any) -> None:
        quote = connection.ops.quote_name
        tables: list[tuple[type[models.Model], str, str]] = [(self.model, "t0", "")]
        joins = []
        for index, name in enumerate(self.related, start=1):
            field: Any = self.model._meta.get_field(name)
            parent: Any = field.related_model
            alias = f"t{index}"
            tables.append((parent, alias, name))
            # A nullable key may point nowhere: its parent is then cached as None.
            join = "LEFT JOIN" if field.null else "JOIN"
            joins.append(
                f"{join} {quote(parent._meta.db_table)} {alias} ON {alias}."
                f"{quote(parent._meta.pk.column)} = t0.{quote(field.column)}"
            )
        columns = []
        self._parts = []
        for model, alias, name in tables:
            fields = self._fields(model, name)
            columns += [f"{alias}.{quote(f.column)}" for f in fields]
            described = []
            for f in fields:
                expression = f.get_col(alias)
                converters = connection.ops.get_db_converters(
                    expression
                ) + expression.get_db_converters(connection)
                described.append((f.attname, expression, converters))
            self._parts.append((model, described))
        # Identifiers come from model metadata and `where` is the caller's constant.
        select = ", ".join(columns)
        table = quote(self.model._meta.db_table)
        joined = " ".join(joins)
        sql = "SELECT " + select + " FROM " + table + " t0 " + joined  # noqa: S608
        self._sql = sql + " WHERE " + self.where + " LIMIT 1"

    def _fields(self, model: type[models.Model], name: str) -> list[Any]:
        # In the model's own order: `from_db` marks the missing ones deferred.
        wanted = self.only.get(name)
        if wanted is None:
            return list(model._meta.concrete_fields)
        for field_name in wanted:
            model._meta.get_field(field_name)  # a typo must fail, not defer silently
        return [
            f
            for f in model._meta.concrete_fields
            if f.primary_key or f.name in wanted or f.attname in wanted
        ]

    def first(self, params: list[Any]) -> Any:
        # The connection proxy costs a thread-local lookup per use: resolve it once.
        db = connections[DEFAULT_DB_ALIAS]
        if self._sql is None:
            self._prepare(db)
        assert self._sql is not None
        prepared = [
            field.get_db_prep_value(value, db)  # type: ignore[union-attr]
            for field, value in zip(self.param_fields, params, strict=True)
        ]
        if db.vendor == "postgresql":
            row = fetch_prepared(self._sql, prepared)
        else:
            with db.cursor() as cursor:
                cursor.execute(self._sql, prepared)
                row = cursor.fetchone()
        if row is None:
            return None
        instances = []
        offset = 0
        for model, described in self._parts:
            values = list(row[offset : offset + len(described)])
            for index, (_attname, expression, converters) in enumerate(described):
                for converter in converters:
                    values[index] = converter(values[index], expression, db)
            offset += len(described)
            names = [attname for attname, _expression, _converters in described]
            pk_value = values[names.index(model._meta.pk.attname)]
            instances.append(
                model.from_db(db.alias, names, values) if pk_value is not None else None
            )
        root = instances[0]
        for name, parent in zip(self.related, instances[1:], strict=True):
            self.model._meta.get_field(name).set_cached_value(root, parent)  # type: ignore[union-attr,arg-type]
        return root


@functools.cache
def supports_prepared() -> bool:
    """Whether `fetch_prepared` can run here (PostgreSQL through psycopg 3). The default
    database's engine is fixed for the life of the process: asked once."""
    return connections[DEFAULT_DB_ALIAS].vendor == "postgresql"


_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%s|%%")


@functools.lru_cache(maxsize=64)
def _numbered(sql: str) -> tuple[bytes, tuple[str | int, ...]]:
    """`sql` with `%s` / `%(name)s` turned into `$1`, `$2`..., and which value each takes."""
    order: list[str | int] = []
    numbers: dict[str | int, int] = {}

    def number(match: re.Match[str]) -> str:
        if match.group(0) == "%%":
            return "%"
        key: str | int = match.group(1) if match.group(1) else len(order)
        if key not in numbers:
            order.append(key)
            numbers[key] = len(order)
        return f"${numbers[key]}"

    return _PLACEHOLDER.sub(number, sql).encode(), tuple(order)


def _text(value: Any) -> bytes | None:
    # PostgreSQL's text input for each type a hot-path statement passes.
    if value is None:
        return None
    if isinstance(value, bool):
        return b"t" if value else b"f"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat().encode()
    return str(value).encode()


class _Prepared:
    """A connection's statements prepared by `fetch_prepared`, and its row loader."""

    def __init__(self, pg: Any) -> None:
        from psycopg.adapt import Transformer

        self.names: dict[bytes, bytes] = {}
        # Names are never reused: a name whose statement the server still holds would clash.
        self.prepared = 0
        self.loader = Transformer(pg)


_PREPARED: weakref.WeakKeyDictionary[Any, _Prepared] = weakref.WeakKeyDictionary()


def fetch_prepared(sql: str, params: Sequence[Any] | Mapping[str, Any]) -> tuple[Any, ...] | None:
    """The first row of `sql` run as a server-side prepared statement, or None.

    Django binds parameters client-side, so PostgreSQL parses and plans every query it
    sends; for a statement run on every click or conversion the planning costs more than
    the execution. This runs on Django's own connection (its transaction, if one is open;
    otherwise the statement commits on its own), prepared once per connection.

    Outside a transaction (the hot paths) it talks to libpq directly, in one blocking
    call: psycopg's non-blocking execution loop costs several times the statement's own
    client-side work. Values are sent as text of unspecified type (placeholders whose
    type PostgreSQL cannot infer, such as values in a SELECT list, carry a cast in
    `sql`); rows come back through psycopg's loaders for the connection, as a cursor
    would return them. Database errors are raised as Django's, as the ORM raises them.
    """
    import psycopg
    from psycopg import pq
    from psycopg.errors import error_from_result

    db = connections[DEFAULT_DB_ALIAS]
    db.ensure_connection()
    db.validate_no_broken_transaction()
    pg = db.connection
    if not pg.autocommit:
        # Inside a transaction psycopg must open it, and its rollback deallocates every
        # prepared statement (a failed retry could not run in the aborted transaction):
        # transactions go through a psycopg cursor, which keeps its own prepared ones.
        return _fetch_through_cursor(sql, params)
    query, order = _numbered(sql)
    values = [_text(params[key]) for key in order]  # type: ignore[index]
    state = _PREPARED.get(pg)
    if state is None:
        state = _PREPARED[pg] = _Prepared(pg)
    started = time.monotonic()
    with db.wrap_database_errors, pg.lock:
        for attempt in (1, 2):
            name = state.names.get(query)
            if name is None:
                state.prepared += 1
                name = b"selgeo_%d" % state.prepared
                prepared = pg.pgconn.prepare(name, query)
                if prepared.status != pq.ExecStatus.COMMAND_OK:
                    raise error_from_result(prepared, encoding="utf-8")
                state.names[query] = name
            result = pg.pgconn.exec_prepared(name, values)
            if result.status in (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK):
                break
            if pg.pgconn.status != pq.ConnStatus.OK:
                # The server went away: what psycopg itself raises then.
                message = result.error_message.decode("utf-8", "replace").strip()
                raise psycopg.OperationalError(message or "the connection was lost")
            if attempt == 1 and result.error_field(pq.DiagnosticField.SQLSTATE) == b"26000":
                # The statement is gone (a psycopg rollback deallocates them all, as do
                # DISCARD ALL and poolers): prepare again. In autocommit nothing failed.
                state.names.clear()
                continue
            raise error_from_result(result, encoding="utf-8")
        row = None
        if result.status == pq.ExecStatus.TUPLES_OK and result.ntuples:
            state.loader.set_pgresult(result)
            row = state.loader.load_row(0, tuple)
    if db.queries_logged:
        _log_query(sql, started)
    return row


def _fetch_through_cursor(
    sql: str, params: Sequence[Any] | Mapping[str, Any]
) -> tuple[Any, ...] | None:
    import psycopg

    started = time.monotonic()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        row = cursor.fetchone() if cursor.description is not None else None
    _log_query(sql, started)
    return row


def _log_query(sql: str, started: float) -> None:
    if connection.queries_logged:
        # Visible to CaptureQueriesContext and DEBUG like the ORM's own queries.
        connection.queries_log.append(
            {"sql": sql.strip(), "time": f"{time.monotonic() - started:.3f}"}
        )


_INSERT_STATEMENTS: dict[tuple[Any, ...], str] = {}


def _insert_statement(
    primary: type[models.Model], conflict: tuple[str, ...], others: tuple[Any, ...]
) -> str:
    """The statement for `insert_together`, built once per shape.

    Each table's rows arrive as one JSON parameter expanded to the table's own row type,
    so the statement stays short and its parameters few however wide the rows are (psycopg
    caches the parsing of such statements only).
    """
    quote = connection.ops.quote_name

    def rows_of(model: type[models.Model], *, many: bool) -> str:
        table = quote(model._meta.db_table)
        function = "jsonb_populate_recordset" if many else "jsonb_populate_record"
        return "SELECT r.* FROM " + function + "(NULL::" + table + ", %s::jsonb) r"  # noqa: S608

    # Identifiers come from model metadata; every value is a parameter.
    conflict_columns = ", ".join(
        quote(str(getattr(primary._meta.get_field(f), "column", f))) for f in conflict
    )
    sql = "WITH first AS (INSERT INTO " + quote(primary._meta.db_table) + " "
    sql += rows_of(primary, many=False) + " ON CONFLICT (" + conflict_columns + ")"
    sql += " DO NOTHING RETURNING 1)"
    for index, model in enumerate(others):
        sql += ", then" + str(index) + " AS (INSERT INTO " + quote(model._meta.db_table) + " "
        sql += rows_of(model, many=True) + " JOIN first ON true)"
    return sql + " SELECT count(*) FROM first"  # noqa: S608


def _json_default(value: Any) -> Any:
    # Full precision: DjangoJSONEncoder would cut datetimes to milliseconds.
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _json(value: Any) -> str:
    """`value` as JSON for PostgreSQL: orjson, several times faster than json on the rows
    of a reported conversion. What orjson refuses and json takes (an integer beyond 64
    bits) goes through json, so that PostgreSQL answers for it as it always did."""
    try:
        return orjson.dumps(value, default=_json_default).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value, default=_json_default)


_COLUMNS: dict[type[models.Model], list[tuple[str, str, Any]]] = {}


def _row(obj: models.Model) -> dict[str, Any]:
    """The instance's values by column, as it holds them; fields that compute their value
    when saved (`auto_now`, `auto_now_add`) compute it here, as the ORM's save would."""
    columns = _COLUMNS.get(type(obj))
    if columns is None:
        columns = _COLUMNS[type(obj)] = [
            (
                str(field.column),
                field.attname,
                field
                if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
                else None,
            )
            for field in obj._meta.concrete_fields
        ]
    return {
        column: getattr(obj, attname) if computed is None else computed.pre_save(obj, add=True)
        for column, attname, computed in columns
    }


def insert_together(
    primary: models.Model, *, conflict: tuple[str, ...], dependents: Sequence[models.Model] = ()
) -> bool:
    """Insert `primary` and, only if it went in, `dependents`: one atomic statement.

    A row conflicting with `primary` on the unique `conflict` fields makes the whole
    statement insert nothing and return False (a concurrent insert of the same row is
    waited for, as INSERT ... ON CONFLICT does). Field values go through each field's
    `pre_save` and `get_prep_value`, as the ORM's; ids must be set beforehand.
    On PostgreSQL this is one prepared statement. SQLite has no INSERT in a WITH
    clause: there the rows are saved in a savepoint, and a violation of the `conflict`
    constraint (and no other) rolls it back and returns False.
    """
    if not supports_prepared():
        return _insert_together_saving(primary, conflict=conflict, dependents=dependents)
    groups: dict[type[models.Model], list[dict[str, Any]]] = {}
    for obj in dependents:
        groups.setdefault(type(obj), []).append(_row(obj))
    shape = (type(primary), conflict, *groups)
    sql = _INSERT_STATEMENTS.get(shape)
    if sql is None:
        sql = _INSERT_STATEMENTS[shape] = _insert_statement(type(primary), conflict, tuple(groups))
    params = [_json(rows) for rows in (_row(primary), *groups.values())]
    row = fetch_prepared(sql, params)
    inserted = bool(row and row[0])
    if inserted:
        for obj in (primary, *dependents):
            obj._state.adding = False
            obj._state.db = connection.alias
    return inserted


def _insert_together_saving(
    primary: models.Model, *, conflict: tuple[str, ...], dependents: Sequence[models.Model]
) -> bool:
    constraint = next(
        c.name
        for c in primary._meta.constraints
        if isinstance(c, models.UniqueConstraint) and tuple(c.fields) == conflict
    )
    try:
        with transaction.atomic():
            primary.save(force_insert=True)
            for obj in dependents:
                obj.save(force_insert=True)
    except IntegrityError as exc:
        if violated_constraint(exc) == constraint:
            return False
        raise
    return True
