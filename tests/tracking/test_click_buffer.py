"""Buffered clicks (`tracking.buffer`): answered at once, written in batches, never lost.

These run on PostgreSQL, where the buffer exists; the buffer is a fresh one without its
thread, so each test decides when a batch is written. The end-to-end tests at the
bottom run real gunicorn processes with their writer threads.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import ApiKey, Mode
from accounts.services import api_key_revoke
from conversions.models import Conversion
from partners.models import ProgramStatus
from selgeo import changes
from selgeo.ids import uuid7
from tests.conftest import api_client
from tests.selgeo.listening import eventually
from tests.tracking.conftest import BROWSER_UA, post_click
from tracking import buffer, services
from tracking.models import Click, ClickSource
from tracking.visitors import ip_hash

pytestmark = pytest.mark.postgresql

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def buffered(settings, monkeypatch):
    settings.SELGEO_RATELIMITS_ENABLED = False
    settings.SELGEO_CLICKS_BUFFER_MS = 50
    clicks = buffer.ClickBuffer(threaded=False)
    monkeypatch.setattr(buffer, "BUFFER", clicks)
    monkeypatch.setattr(services.RECENT, "answers", {})
    return clicks


def _click(client: Any, **body: Any) -> Any:
    response = post_click(client, {"referral_code": "JaneDoe", **body})
    assert response.status_code == 201, response.content
    return response.json()


def test_a_click_is_answered_at_once_and_written_with_its_batch(buffered, pk_test_client, code):
    answer = _click(
        pk_test_client,
        landing_url="https://acme.example.com/p/9",
        referrer="https://blog.example.org/",
        ip="203.0.113.9",
        country="de",
        user_agent=BROWSER_UA,
    )
    assert buffered.pending() == 1
    assert not Click.objects.exists()

    assert buffered.flush() == 1
    assert buffered.pending() == 0
    click = Click.objects.get(pk=answer["click_id"])
    assert uuid.UUID(answer["click_id"]).version == 7
    assert (click.merchant_id, click.mode) == (code.merchant_id, Mode.TEST)
    assert (click.program_id, click.partner_id) == (code.program_id, code.partner_id)
    assert click.referral_code_id == code.pk
    assert click.source == ClickSource.API
    assert click.landing_url == "https://acme.example.com/p/9"
    assert click.referrer == "https://blog.example.org/"
    assert click.user_agent == BROWSER_UA
    assert click.ip_hash == ip_hash("203.0.113.9")
    assert click.country == "DE"
    assert click.is_bot is False
    # What the answer promised is what was written, to the microsecond.
    expires = click.expires_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert answer == {
        "click_id": str(click.pk),
        "expires_at": expires,
        "program": code.program.code,
        "partner": str(code.partner_id),
        "attributable": True,
    }
    assert (click.expires_at - click.created_at) == timedelta(days=code.program.cookie_days)


def test_checks_are_cached_so_a_repeat_click_asks_nothing_of_the_database(
    buffered, pk_test_client, code
):
    _click(pk_test_client)
    with CaptureQueriesContext(connection) as queries:
        _click(pk_test_client)
        _click(pk_test_client, referral_code="janedoe")
    assert len(queries) == 0
    assert buffered.flush() == 3
    assert Click.objects.filter(referral_code=code).count() == 3


def test_with_rate_limits_on_the_key_is_counted_first_and_the_click_still_buffered(
    buffered, settings, pk_test_client, code
):
    settings.SELGEO_RATELIMITS_ENABLED = True
    settings.SELGEO_RATE_LIMITS = {**settings.SELGEO_RATE_LIMITS, "tracking": "2/m"}
    _click(pk_test_client)
    _click(pk_test_client)
    response = post_click(pk_test_client, {"referral_code": "JaneDoe"})
    assert response.status_code == 429
    assert response.json()["code"] == "RATE_LIMIT_EXCEEDED"
    assert buffered.pending() == 2


@pytest.mark.parametrize("rate_limits", [True, False])
def test_a_revoked_public_key_stops_within_the_caches_lifetime(
    buffered, settings, pk_test_client, code, keys, monkeypatch, rate_limits
):
    settings.SELGEO_RATELIMITS_ENABLED = rate_limits
    settings.SELGEO_CLICKS_CACHE_SECONDS = 5
    _click(pk_test_client)
    api_key_revoke(api_key=ApiKey.objects.get(prefix=keys.pk_test[:20]))
    with CaptureQueriesContext(connection) as queries:
        _click(pk_test_client)
    assert len(queries) == 0
    later = time.monotonic() + 6
    monkeypatch.setattr(changes.time, "monotonic", lambda: later)
    response = post_click(pk_test_client, {"referral_code": "JaneDoe"})
    assert response.status_code == 401
    assert response.json()["code"] == "INVALID_PUBLIC_KEY"
    assert buffered.pending() == 2


@pytest.mark.django_db(transaction=True)
def test_while_listening_for_changes_a_disabled_code_is_refused_at_once(
    buffered, pk_test_client, code, listener
):
    # `listener` comes last: it starts listening after the code is written.
    _click(pk_test_client)
    generation = listener.generation() or 0
    code.disabled_at = timezone.now()
    code.save(update_fields=["disabled_at"])
    assert eventually(lambda: (listener.generation() or 0) > generation)
    response = post_click(pk_test_client, {"referral_code": "JaneDoe"})
    assert response.status_code == 404
    assert buffered.pending() == 1


def test_a_refused_click_is_explained_by_the_general_path_and_not_buffered(
    buffered, pk_test_client, pk_live_client, code
):
    response = post_click(pk_test_client, {"referral_code": "Nobody"})
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    response = post_click(pk_live_client, {"referral_code": "JaneDoe"})
    assert response.status_code == 422
    assert response.json()["code"] == "MODE_MISMATCH"
    assert buffered.pending() == 0


def test_the_batch_checks_again_what_changed_since_the_cache_vouched(
    buffered, pk_test_client, code, partner
):
    _click(pk_test_client)
    code.disabled_at = timezone.now()
    code.save(update_fields=["disabled_at"])
    _click(pk_test_client)  # still cached: answered, but never recorded
    assert buffered.flush() == 0
    assert not Click.objects.exists()

    code.disabled_at = None
    code.save(update_fields=["disabled_at"])
    _click(pk_test_client)
    partner.erased_at = timezone.now()
    partner.save(update_fields=["erased_at"])
    # An erased partner's visitors are never written after the erasure.
    assert buffered.flush() == 0

    partner.erased_at = None
    partner.save(update_fields=["erased_at"])
    _click(pk_test_client)
    code.program.status = ProgramStatus.PAUSED
    code.program.save(update_fields=["status"])
    assert buffered.flush() == 0
    assert not Click.objects.exists()


def test_the_cache_expires(buffered, settings, pk_test_client, code, monkeypatch):
    settings.SELGEO_CLICKS_CACHE_SECONDS = 5
    _click(pk_test_client)
    code.disabled_at = timezone.now()
    code.save(update_fields=["disabled_at"])
    later = time.monotonic() + 6
    monkeypatch.setattr(changes.time, "monotonic", lambda: later)
    response = post_click(pk_test_client, {"referral_code": "JaneDoe"})
    assert response.status_code == 404
    assert buffered.pending() == 1


def test_a_tracking_link_is_buffered_too(buffered, client, code):
    response = client.get("/r/JaneDoe", HTTP_USER_AGENT=BROWSER_UA)
    assert response.status_code == 302
    click_id = parse_qs(urlsplit(response["Location"]).query)["selgeo_click_id"][0]
    assert not Click.objects.exists()
    assert buffered.flush() == 1
    click = Click.objects.get(pk=click_id)
    assert click.source == ClickSource.LINK
    assert click.landing_url == code.program.landing_url
    assert response["Location"].startswith(code.program.landing_url.split("#")[0])


def test_a_failing_database_keeps_the_rows_and_sends_new_clicks_the_direct_way(
    buffered, pk_test_client, code, monkeypatch
):
    first = _click(pk_test_client)["click_id"]

    def refuse(rows: Any) -> int:
        raise OperationalError("the server closed the connection")

    real_write = buffer._write
    monkeypatch.setattr(buffer, "_write", refuse)
    with pytest.raises(OperationalError):
        buffered.flush()
    assert buffered.pending() == 1

    # While batches fail, a click is written by its own request.
    second = _click(pk_test_client)["click_id"]
    assert Click.objects.filter(pk=second).exists()
    assert buffered.pending() == 1

    monkeypatch.setattr(buffer, "_write", real_write)
    assert buffered.flush() == 1
    assert Click.objects.filter(pk=first).exists()
    third = _click(pk_test_client)["click_id"]
    assert buffered.pending() == 1
    assert not Click.objects.filter(pk=third).exists()


def _row(code: Any, *, referrer: str = "", created_at: Any = None) -> buffer.Row:
    created_at = created_at or timezone.now()
    return buffer.as_row(
        click_id=uuid7(),
        code_id=code.pk,
        landing_url="",
        referrer=referrer,
        user_agent=BROWSER_UA,
        ip_hash="",
        country="",
        is_bot=False,
        source=ClickSource.API,
        created_at=created_at,
        expires_at=created_at + timedelta(days=30),
    )


@pytest.mark.django_db(transaction=True)
def test_a_row_postgresql_refuses_does_not_hold_back_the_others(buffered, code):
    # Batches are written in autocommit, as the writer thread writes them.
    good, bad, also_good = (
        _row(code, referrer=referrer) for referrer in ("a", "nul \x00 byte", "b")
    )
    for each in (good, bad, also_good):
        assert buffered.add(each)
    assert buffered.flush() == 2
    assert set(Click.objects.values_list("referrer", flat=True)) == {"a", "b"}
    assert buffered.pending() == 0


def test_a_batch_written_late_is_dated_when_written(buffered, code):
    # After an outage a click may reach PostgreSQL minutes late; the daily rollup, which
    # settles two minutes behind the clock, must still count it.
    long_ago = timezone.now() - timedelta(minutes=10)
    row = _row(code, created_at=long_ago)
    assert buffered.add(row)
    assert buffered.flush() == 1
    click = Click.objects.get(pk=row["id"])
    assert click.created_at > timezone.now() - timedelta(minutes=2)
    assert click.expires_at == long_ago + timedelta(days=30)


def test_a_forked_process_starts_with_an_empty_buffer(buffered, pk_test_client, code):
    _click(pk_test_client)
    buffered._forked()
    assert buffered.pending() == 0


def test_only_a_fresh_time_ordered_id_can_be_waiting_in_a_buffer(buffered, settings):
    assert buffer.written_by(uuid7()) is not None
    assert buffer.written_by(uuid.uuid4()) is None
    old = uuid.UUID(int=(uuid7().int & ~(((1 << 48) - 1) << 80)) | (1 << 80))
    assert buffer.written_by(old) is None
    settings.SELGEO_CLICKS_BUFFER_MS = 0
    assert buffer.written_by(uuid7()) is None


def test_a_lookup_waits_for_a_click_another_process_has_not_written_yet(buffered):
    answers = iter([None, None, "the click"])
    calls: list[float] = []

    def lookup() -> str | None:
        calls.append(time.monotonic())
        return next(answers)

    assert buffer.await_click(uuid7(), lookup) == "the click"
    assert len(calls) == 3

    missing: list[float] = []
    started = time.monotonic()
    assert buffer.await_click(uuid7(), lambda: missing.append(1)) is None
    waited = time.monotonic() - started
    # At most one interval and the slack, then the click is reported missing.
    assert 0.5 < waited < buffer.AWAIT_SLACK + 0.3

    stale: list[int] = []
    assert buffer.await_click(uuid.uuid4(), lambda: stale.append(1)) is None
    assert stale == [1]


@pytest.mark.django_db(transaction=True)
def test_a_conversion_right_after_its_click_is_attributed(buffered, pk_test_client, code, keys):
    click_id = _click(pk_test_client)["click_id"]
    assert not Click.objects.exists()
    response = api_client(keys.sk_test).post(
        "/api/v1/conversions",
        {
            "click_id": click_id,
            "event_type": "purchase",
            "external_transaction_id": "order-1",
            "amount_cents": 1000,
            "currency": "EUR",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["attributed"] is True
    assert Conversion.objects.get().click_id == uuid.UUID(click_id)
    assert buffered.pending() == 0


@pytest.mark.django_db(transaction=True)
def test_under_load_the_request_that_finds_the_batch_due_writes_it(buffered, pk_test_client, code):
    first = _click(pk_test_client)["click_id"]
    assert buffered.pending() == 1
    time.sleep(0.06)
    second = _click(pk_test_client)["click_id"]
    assert buffered.pending() == 0
    assert set(map(str, Click.objects.values_list("pk", flat=True))) == {first, second}


# End to end: gunicorn workers with their writer threads, on the test database.


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server(port: int, buffer_ms: int) -> subprocess.Popen[bytes]:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": django_settings.REDIS_URL,
        "SELGEO_ENV": "production",
        # Production refuses the development key; visitors' addresses hash as in the tests.
        "SECRET_KEY": "production-key-of-the-click-buffer-tests-0123456789abcdef",
        "SELGEO_IP_HASH_KEY": django_settings.SELGEO_IP_HASH_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SELGEO_REQUIRE_HTTPS": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SELGEO_RATELIMITS_ENABLED": "0",
        "SELGEO_TASKS_EAGER": "1",
        "SELGEO_CLICKS_BUFFER_MS": str(buffer_ms),
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "selgeo.wsgi",
            "--workers=2",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/ping", timeout=1):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise AssertionError("gunicorn did not start")


def _post_click(port: int, pk: str) -> str:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/clicks",
        data=json.dumps({"referral_code": "JaneDoe", "user_agent": BROWSER_UA}).encode(),
        headers={"Authorization": f"Bearer {pk}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 201
        return str(json.loads(response.read())["click_id"])


@pytest.mark.django_db(transaction=True)
def test_a_graceful_stop_writes_what_the_workers_had_buffered(settings, code, keys):
    settings.SELGEO_RATELIMITS_ENABLED = False
    port = _free_port()
    # An interval far longer than the test: only the stop can write these clicks.
    server = _server(port, buffer_ms=600_000)
    try:
        answered = {_post_click(port, keys.pk_test) for _ in range(40)}
        assert len(answered) == 40
        assert not Click.objects.exists()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    written = {str(pk) for pk in Click.objects.values_list("pk", flat=True)}
    assert written == answered


@pytest.mark.django_db(transaction=True)
def test_running_workers_write_their_batches_every_interval(settings, code, keys):
    port = _free_port()
    server = _server(port, buffer_ms=50)
    try:
        answered = {_post_click(port, keys.pk_test) for _ in range(20)}
        deadline = time.monotonic() + 5
        while Click.objects.count() < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        written = {str(pk) for pk in Click.objects.values_list("pk", flat=True)}
        assert written == answered
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
