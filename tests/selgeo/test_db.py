"""The hot paths' database helpers: prepared statements and rows written together.

`fetch_prepared` talks to libpq directly outside transactions, so these tests run with
real commits (`transaction=True`): inside the usual test transaction it takes psycopg's
own path.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import UniqueConstraint
from django.test.utils import CaptureQueriesContext

from accounts.models import ApiKey, Merchant
from accounts.services import api_key_create
from conversions.models import Commission, Conversion
from selgeo.db import JoinedLoader, fetch_prepared, insert_together, supports_prepared
from tests.factories import MerchantFactory
from tracking.models import Click
from webhooks.models import Event

postgresql_only = pytest.mark.postgresql

TYPED = """
SELECT %(id)s::uuid, %(at)s::timestamptz, %(flag)s::boolean, %(n)s::bigint, %(text)s,
       %(missing)s::text, 100 %% 7, %(id)s::uuid = %(id)s::uuid
"""


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_values_go_in_as_text_and_rows_come_back_typed():
    assert connection.get_autocommit()
    ident = uuid.uuid4()
    moment = datetime(2026, 11, 23, 15, 30, 1, 123456, tzinfo=UTC)
    params = {"id": ident, "at": moment, "flag": False, "n": 10**15, "text": "é'\";--"}
    row = fetch_prepared(TYPED, {**params, "missing": None})
    assert row == (ident, moment, False, 10**15, "é'\";--", None, 2, True)
    # Positional placeholders too, and the prepared statement is reused.
    assert fetch_prepared("SELECT %s::int + %s::int", [2, 3]) == (5,)
    assert fetch_prepared("SELECT %s::int + %s::int", [4, 5]) == (9,)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_statements_survive_a_rollback_that_deallocates_them():
    assert fetch_prepared("SELECT %s::int * 2", [21]) == (42,)
    with pytest.raises(IntegrityError), transaction.atomic():
        # psycopg answers a rollback with DEALLOCATE ALL: the statement above is gone.
        Merchant.objects.create(name="a", slug="dup-slug")
        Merchant.objects.create(name="b", slug="dup-slug")
    assert fetch_prepared("SELECT %s::int * 2", [4]) == (8,)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_errors_are_djangos_and_the_connection_stays_usable():
    with pytest.raises(DatabaseError, match="division by zero"):
        fetch_prepared("SELECT 1 / %s::int", [0])
    assert fetch_prepared("SELECT 1 / %s::int", [1]) == (1,)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_statements_are_logged_like_the_orms():
    with CaptureQueriesContext(connection) as queries:
        fetch_prepared("SELECT %s::int", [7])
    assert [q["sql"] for q in queries] == ["SELECT %s::int"]


@postgresql_only
@pytest.mark.django_db
def test_inside_a_transaction_psycopg_runs_the_statement():
    # The test transaction is open: the statement joins it through psycopg.
    merchant = Merchant.objects.create(name="Acme", slug="acme-db")
    row = fetch_prepared("SELECT name FROM accounts_merchant WHERE id = %s", [merchant.pk])
    assert row == ("Acme",)


@pytest.mark.django_db(transaction=True)
def test_insert_together_writes_all_or_nothing():
    merchant = MerchantFactory()

    def conversion(txid: str) -> Conversion:
        return Conversion(
            merchant=merchant,
            mode="live",
            event_type="purchase",
            external_transaction_id=txid,
            amount_cents=1999,
            currency="EUR",
            attribution_explanation={"code": "click_not_found", "message": "…"},
            attribution_steps=[{"check": "signals", "result": "info", "message": "é"}],
            metadata={"nested": {"a": [1, 2.5, None]}},
            occurred_at=datetime(2026, 11, 1, 8, 0, 0, 1, tzinfo=UTC),
        )

    def event(conv: Conversion) -> Event:
        return Event(
            merchant=merchant,
            mode="live",
            type="conversion.created",
            payload={"id": str(conv.pk)},
            created_at=conv.created_at,
            dispatched_at=conv.created_at,
        )

    first = conversion("order-1")
    events = [event(first), event(first)]
    assert insert_together(
        first, conflict=("merchant", "mode", "external_transaction_id"), dependents=events
    )
    stored = Conversion.objects.get(pk=first.pk)
    assert stored.metadata == {"nested": {"a": [1, 2.5, None]}}
    assert stored.attribution_steps[0]["message"] == "é"
    assert stored.occurred_at == first.occurred_at  # to the microsecond
    assert stored.amount_cents == 1999
    assert Event.objects.filter(payload__id=str(first.pk)).count() == 2
    assert not first._state.adding

    again = conversion("order-1")
    assert not insert_together(
        again, conflict=("merchant", "mode", "external_transaction_id"), dependents=[event(again)]
    )
    assert not Conversion.objects.filter(pk=again.pk).exists()
    assert not Event.objects.filter(payload__id=str(again.pk)).exists()
    assert Commission.objects.count() == 0

    # An integer beyond 64 bits, which orjson refuses to encode.
    wide = conversion("order-2")
    wide.metadata = {"n": 10**30}
    assert insert_together(wide, conflict=("merchant", "mode", "external_transaction_id"))
    assert Conversion.objects.get(pk=wide.pk).metadata == {"n": 10**30}


@pytest.mark.django_db(transaction=True)
def test_insert_together_raises_other_violations():
    bad = Conversion(
        merchant=MerchantFactory(),
        mode="live",
        event_type="purchase",
        external_transaction_id="order-neg",
        amount_cents=-1,
        occurred_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    with pytest.raises(IntegrityError):
        insert_together(bad, conflict=("merchant", "mode", "external_transaction_id"))
    assert not Conversion.objects.filter(external_transaction_id="order-neg").exists()


def test_prepared_statements_are_postgresqls():
    assert supports_prepared() == (connection.vendor == "postgresql")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_statement_the_server_forgot_alone_is_prepared_again():
    assert fetch_prepared("SELECT %s::int + 1", [1]) == (2,)
    assert fetch_prepared("SELECT %s::int + 2", [1]) == (3,)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM pg_prepared_statements WHERE statement = %s",
            ["SELECT $1::int + 1"],
        )
        (name,) = cursor.fetchone()
        # Only this statement goes (as a pooler's or an operator's DEALLOCATE would).
        cursor.execute(f"DEALLOCATE {name}")
    assert fetch_prepared("SELECT %s::int + 1", [5]) == (6,)
    assert fetch_prepared("SELECT %s::int + 2", [5]) == (7,)


@pytest.mark.django_db
def test_joined_loader_loads_only_the_named_fields_and_defers_the_rest():
    key = api_key_create(merchant=MerchantFactory(), kind="secret", mode="live").api_key
    loader = JoinedLoader(
        ApiKey,
        ("merchant",),
        't0."id" = %s',
        ("id",),
        only={"": ["prefix", "merchant"], "merchant": ["name"]},
    )
    with CaptureQueriesContext(connection) as queries:
        found = loader.first([key.pk])
        assert (found.pk, found.prefix, found.merchant_id) == (key.pk, key.prefix, key.merchant_id)
        assert (found.merchant.pk, found.merchant.name) == (key.merchant.pk, key.merchant.name)
    assert len(queries) == 1
    assert found.get_deferred_fields() == {
        f.attname
        for f in ApiKey._meta.concrete_fields
        if f.attname not in {"id", "prefix", "merchant_id"}
    }
    assert "slug" in found.merchant.get_deferred_fields()
    # A deferred field still reads, at the cost of a query, as with QuerySet.only.
    with CaptureQueriesContext(connection) as queries:
        assert found.merchant.slug == key.merchant.slug
    assert len(queries) == 1


def test_joined_loader_refuses_fields_and_relations_it_does_not_know():
    with pytest.raises(ValueError, match="partner"):
        JoinedLoader(ApiKey, ("merchant",), "true", (), only={"partner": ["name"]})
    loader = JoinedLoader(ApiKey, ("merchant",), "true", (), only={"merchant": ["nmae"]})
    with pytest.raises(FieldDoesNotExist, match="nmae"):
        loader.first([])


@pytest.mark.parametrize("model", [Click, Conversion, Commission, Event], ids=lambda m: m.__name__)
def test_hot_tables_have_no_index_another_already_leads_with(model):
    # Every conversion writes these rows: an index whose column leads a composite index
    # (or a unique constraint) covering every row costs each write and serves no read.
    covering = [
        [model._meta.get_field(name.lstrip("-")).column for name in index.fields]
        for index in model._meta.indexes
        if index.condition is None and len(index.fields) > 1
    ] + [
        [model._meta.get_field(name).column for name in constraint.fields]
        for constraint in model._meta.constraints
        if isinstance(constraint, UniqueConstraint) and constraint.condition is None
    ]
    own = [f.column for f in model._meta.concrete_fields if f.db_index and not f.unique]
    assert [column for column in own if any(c[0] == column for c in covering)] == []


@pytest.mark.parametrize("model", [Click, Conversion, Commission, Event], ids=lambda m: m.__name__)
def test_hot_tables_index_their_nullable_keys_only_where_set(model):
    # No lookup asks for a NULL key: an index holding them costs writes and space only.
    full = [f.column for f in model._meta.concrete_fields if f.db_index and not f.unique] + [
        model._meta.get_field(index.fields[0].lstrip("-")).column
        for index in model._meta.indexes
        if index.condition is None
    ]
    nullable = {f.column for f in model._meta.concrete_fields if f.is_relation and f.null}
    assert nullable.intersection(full) == set()


@postgresql_only
@pytest.mark.django_db
def test_the_partial_indexes_serve_the_lookups_they_are_for():
    merchant = MerchantFactory()
    lookups = {
        "conv_click": Conversion.objects.filter(click_id=uuid.uuid4()),
        "conv_promo_code": Conversion.objects.filter(promo_code_id=uuid.uuid4()),
        "conv_program": Conversion.objects.filter(program_id__in=[uuid.uuid4()]),
        "conv_partner_time": Conversion.objects.filter(partner_id=uuid.uuid4()).order_by(
            "-created_at"
        ),
        "event_undispatched": Event.objects.filter(
            dispatched_at__isnull=True, created_at__lte=datetime.now(UTC)
        ).order_by("created_at"),
        "event_target_endpoint": Event.objects.filter(target_endpoint_id__in=[uuid.uuid4()]),
        "event_merchant_time": Event.objects.filter(merchant=merchant, mode="live"),
        "click_referral_code": Click.objects.filter(referral_code_id__in=[uuid.uuid4()]),
    }
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for index, queryset in lookups.items():
            assert index in queryset.explain(), index
