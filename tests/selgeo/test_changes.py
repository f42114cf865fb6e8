"""Every process hears at once that cached rows changed (`selgeo.changes`).

PostgreSQL only, with committed data: notifications are sent when a transaction commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import ApiKey
from accounts.services import api_key_revoke
from selgeo import changes
from selgeo.api import authentication
from tests.conftest import Keys, api_client, assert_error
from tests.selgeo.listening import eventually

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def notifications() -> Iterator[Callable[[], list[str]]]:
    settings = connection.get_connection_params()
    with psycopg.connect(**settings, autocommit=True) as pg:
        pg.execute(f"LISTEN {changes.CHANNEL}")

        def received() -> list[str]:
            return [notify.payload for notify in pg.notifies(timeout=0.5, stop_after=10)]

        yield received


def test_a_write_to_a_watched_table_is_announced_at_commit(notifications, keys: Keys):
    notifications()  # the fixtures' own writes
    api_key_revoke(api_key=ApiKey.objects.get(prefix=keys.sk_test[:20]))
    assert notifications() == ["accounts_apikey"]
    ApiKey.objects.filter(prefix=keys.pk_test[:20]).delete()
    assert notifications() == ["accounts_apikey"]


def test_the_generation_moves_when_anything_watched_changes(listener, keys: Keys, merchant):
    before = listener.generation()
    assert before is not None
    merchant.name = "Acme Renamed"
    merchant.save(update_fields=["name"])
    assert eventually(lambda: (listener.generation() or 0) > before)


def test_a_cached_key_is_dropped_as_soon_as_it_is_revoked(listener, keys: Keys):
    assert authentication.resolve_key_recent(keys.sk_test) is not None
    with CaptureQueriesContext(connection) as queries:
        assert authentication.resolve_key_recent(keys.sk_test) is not None
    assert len(queries) == 0

    generation = listener.generation() or 0
    api_key_revoke(api_key=ApiKey.objects.get(prefix=keys.sk_test[:20]))
    assert eventually(lambda: (listener.generation() or 0) > generation)
    assert authentication.resolve_key_recent(keys.sk_test) is None


def test_the_conversion_api_refuses_a_revoked_key_at_once(listener, keys: Keys):
    client = api_client(keys.sk_test)
    assert client.get("/api/v1/conversions").status_code == 200
    generation = listener.generation() or 0
    api_key_revoke(api_key=ApiKey.objects.get(prefix=keys.sk_test[:20]))
    assert eventually(lambda: (listener.generation() or 0) > generation)
    assert_error(client.get("/api/v1/conversions"), 401, "INVALID_API_KEY")


def test_a_key_that_expires_is_refused_from_the_cache_too(listener, keys: Keys, monkeypatch):
    key = authentication.resolve_key_recent(keys.sk_test)
    assert key is not None
    later = timezone.now() + timedelta(days=1)
    key.expires_at = timezone.now() + timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert authentication.resolve_key_recent(keys.sk_test) is None


def test_without_a_listener_nothing_is_cached(settings, keys: Keys):
    settings.SELGEO_LISTEN_FOR_CHANGES = False
    assert changes.generation() is None
    authentication.resolve_key_recent(keys.sk_test)
    with CaptureQueriesContext(connection) as queries:
        assert authentication.resolve_key_recent(keys.sk_test) is not None
    assert len(queries) == 1


def test_a_lost_listening_connection_empties_the_caches_and_reconnects(listener, keys: Keys):
    assert authentication.resolve_key_recent(keys.sk_test) is not None
    generation = listener.generation() or 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            [changes.APPLICATION_NAME],
        )
        cursor.execute("SELECT 1")
    # Back and listening, under a new generation: the cached key is looked up again.
    assert eventually(lambda: (listener.generation() or 0) > generation, timeout=10)
    with CaptureQueriesContext(connection) as queries:
        assert authentication.resolve_key_recent(keys.sk_test) is not None
    assert len(queries) == 1
