"""Outbound HTTP for webhook deliveries: pinned to a checked address, bounded in time and size.

The technique is requests-hardened's (saleor): an adapter resolves the host, refuses
any private address, and has urllib3 connect to the checked address while `Host` and
TLS SNI/certificate checks keep the hostname. Selgeo's adapter differs in two ways: it
checks *every* address the host resolves to through the resolver seam of `ssrf.py`,
and it puts a wall-clock deadline on the whole exchange. A per-read socket timeout
alone lets a receiver that sends one byte every few seconds hold a worker for ever; a
timer shuts the socket down when the deadline passes, which ends any read in progress.

Redirects are never followed (a 3xx is a failed attempt), proxies from the environment
are ignored (they would bypass the pinning), and at most `max_body` bytes of the
response are read.
"""

from __future__ import annotations

import email.utils
import heapq
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from requests_hardened import Config, HTTPSession
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from webhooks import ssrf

USER_AGENT = "Selgeo-Webhooks/1.0 (+https://selgeo.com/docs/webhooks)"


class AddressRefused(requests.RequestException):
    """The host resolved to an address Selgeo does not connect to (or to nothing)."""


class _Deadline:
    """Shuts down the sockets of one exchange when its time is up."""

    def __init__(self, seconds: float) -> None:
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.expired = False
        self.done = False
        self.at = time.monotonic() + seconds

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired
        if expired:
            _shutdown(sock)

    def expire(self) -> None:
        with self._lock:
            if self.done:
                return
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shutdown(sock)

    def __enter__(self) -> _Deadline:
        _watchdog.add(self)
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self.done = True


class _Watchdog:
    """One thread for every deadline of the process, rather than a timer thread per request
    (starting a thread costs about as much as a request to a nearby receiver)."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._heap: list[tuple[float, int, _Deadline]] = []
        self._count = 0
        self._thread: threading.Thread | None = None
        self._pid = 0

    def add(self, deadline: _Deadline) -> None:
        with self._condition:
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                # A forked child inherits the list but not the thread.
                self._heap, self._pid = [], os.getpid()
                self._thread = threading.Thread(
                    target=self._run, name="webhook-deadlines", daemon=True
                )
                self._thread.start()
            self._count += 1
            heapq.heappush(self._heap, (deadline.at, self._count, deadline))
            if self._heap[0][2] is deadline:
                self._condition.notify()

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    if self._heap and self._heap[0][2].done:
                        heapq.heappop(self._heap)
                        continue
                    wait = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._condition.wait(wait)
                _, _, deadline = heapq.heappop(self._heap)
            deadline.expire()


_watchdog = _Watchdog()


def _shutdown(sock: socket.socket) -> None:
    # The plain socket's shutdown, even for TLS: it unblocks the reader without
    # touching the SSL object another thread is using.
    with suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


_current_deadline: ContextVar[_Deadline | None] = ContextVar("webhook_deadline", default=None)


class _WatchedHTTPConnection(HTTPConnection):
    def getresponse(self) -> Any:
        deadline = _current_deadline.get()
        if deadline is not None:
            deadline.watch(self.sock)
        return super().getresponse()


class _WatchedHTTPSConnection(HTTPSConnection):
    def getresponse(self) -> Any:
        deadline = _current_deadline.get()
        if deadline is not None:
            deadline.watch(self.sock)
        return super().getresponse()


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class PinnedAddressAdapter(HTTPAdapter):
    """Connects to the address that passed the SSRF check, keeping the hostname for TLS."""

    def __init__(self, *, https: bool, allow_loopback: bool) -> None:
        self._https = https
        self._allow_loopback = allow_loopback
        super().__init__(pool_connections=4, pool_maxsize=4)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedHTTPPool,
            "https": _WatchedHTTPSPool,
        }

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: Any, cert: Any = None
    ) -> Any:
        params: Any = super().build_connection_pool_key_attributes(request, verify, cert)
        host_params: dict[str, Any] = params[0]
        pool_kwargs: dict[str, Any] = params[1]
        hostname = str(host_params["host"])
        port = host_params["port"] or (443 if self._https else 80)
        try:
            address = ssrf.checked_address(hostname, port, allow_loopback=self._allow_loopback)
        except ssrf.UrlRefused as exc:
            raise AddressRefused(str(exc)) from exc
        host_header = f"[{hostname}]" if ":" in hostname else hostname
        if host_params["port"] is not None:
            host_header += f":{host_params['port']}"
        request.headers = CaseInsensitiveDict(request.headers or {})
        request.headers["Host"] = host_header
        if self._https:
            pool_kwargs["assert_hostname"] = hostname
            pool_kwargs["server_hostname"] = hostname
        host_params["host"] = f"[{address}]" if ":" in address else address
        return host_params, pool_kwargs


def session(*, allow_loopback: bool) -> requests.Session:
    http = HTTPSession(
        Config(
            ip_filter_enable=False,
            ip_filter_allow_loopback_ips=False,
            never_redirect=True,
            default_timeout=(15, 15),
            user_agent_override=USER_AGENT,
        )
    )
    http.trust_env = False
    http.mount("http://", PinnedAddressAdapter(https=False, allow_loopback=allow_loopback))
    http.mount("https://", PinnedAddressAdapter(https=True, allow_loopback=allow_loopback))
    return http


_sessions = threading.local()


def _session_for(allow_loopback: bool) -> requests.Session:
    # One session per thread and loopback policy: connections to a receiver are reused
    # between deliveries, and the address check runs for every request (on an answer
    # kept at most SELGEO_WEBHOOKS_DNS_CACHE_SECONDS, see `ssrf.checked_address`).
    key = f"s{int(allow_loopback)}"
    cached = getattr(_sessions, key, None)
    if cached is None:
        cached = session(allow_loopback=allow_loopback)
        setattr(_sessions, key, cached)
    return cached


@dataclass(frozen=True)
class HttpResult:
    status_code: int | None
    body_excerpt: bytes
    latency_ms: int
    error: str
    retry_after_seconds: int | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@contextmanager
def _deadline(seconds: float) -> Iterator[_Deadline]:
    with _Deadline(seconds) as deadline:
        token = _current_deadline.set(deadline)
        try:
            yield deadline
        finally:
            _current_deadline.reset(token)


def parse_retry_after(value: str | None, *, now: float | None = None) -> int | None:
    """Seconds from a Retry-After header (delay-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    reference = now if now is not None else datetime.now(tz=UTC).timestamp()
    return max(0, int(when.timestamp() - reference))


def post(
    url: str,
    *,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    max_body: int,
    allow_loopback: bool,
    ca_bundle: str = "",
) -> HttpResult:
    """POST once. Never raises for network or receiver trouble: it is in the result."""
    started = time.monotonic()
    status: int | None = None
    excerpt = b""
    retry_after: int | None = None
    error = ""
    request_headers = {
        "Content-Type": "application/json",
        "Accept-Encoding": "identity",
        **headers,
    }
    with _deadline(timeout) as deadline:
        try:
            response = _session_for(allow_loopback).post(
                url,
                data=body,
                headers=request_headers,
                timeout=(min(timeout, 10.0), timeout),
                allow_redirects=False,
                stream=True,
                verify=ca_bundle or True,
            )
            try:
                status = response.status_code
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                excerpt = response.raw.read(max_body, decode_content=False) or b""
            finally:
                response.close()
        except AddressRefused as exc:
            error = f"Refused: {exc}"
        except requests.Timeout:
            error = f"Timed out after {timeout:g} s"
        except (
            requests.RequestException,
            urllib3.exceptions.HTTPError,
            OSError,
            ValueError,
        ) as exc:
            error = _describe(exc)
    latency_ms = int((time.monotonic() - started) * 1000)
    if deadline.expired:
        # Whatever arrived before the deadline is not a complete answer.
        status = None
        error = f"Timed out after {timeout:g} s"
    return HttpResult(
        status_code=status,
        body_excerpt=excerpt,
        latency_ms=latency_ms,
        error=error,
        retry_after_seconds=retry_after,
    )


def _describe(exc: BaseException) -> str:
    if isinstance(exc, requests.ConnectionError):
        return "Connection failed: " + str(exc)[:300]
    return f"{type(exc).__name__}: {str(exc)[:300]}"
