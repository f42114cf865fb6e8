"""A real HTTP receiver on 127.0.0.1, run in a thread by the tests, that records requests."""

from __future__ import annotations

import ssl
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)
    # Wait (without answering) until the receiver is released or this many seconds pass.
    hang_seconds: float = 0.0
    # Send this many body bytes after the headers (a huge answer), in 64 KiB chunks.
    body_size: int = 0
    # Send the body one byte at a time, this many seconds apart (a dribbling answer).
    dribble_seconds: float = 0.0
    # Answer normally, this many seconds after the request arrived (a slow receiver).
    delay_seconds: float = 0.0


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float
    # The status the receiver answered with.
    status: int = 0


class Receiver:
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.requests: list[Received] = []
        self.replies: deque[Reply] = deque()
        self.default = Reply()
        self.choose: Callable[[Received], Reply] | None = None
        self.release = threading.Event()
        self.arrived = threading.Event()
        self._lock = threading.Lock()
        # Requests being answered now, and the most there ever were at once.
        self.concurrent = 0
        self.most_concurrent = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                received = Received(
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                    at=time.monotonic(),
                )
                reply = receiver._record(received)
                try:
                    receiver._answer(self, reply)
                finally:
                    with receiver._lock:
                        receiver.concurrent -= 1

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # The server names clients asked for in their TLS handshakes (SNI).
        self.server_names: list[str | None] = []
        if tls is not None:
            tls.sni_callback = lambda sock, name, context: self.server_names.append(name)
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/selgeo"

    def _record(self, received: Received) -> Reply:
        with self._lock:
            self.requests.append(received)
            if self.choose is not None:
                reply = self.choose(received)
            else:
                reply = self.replies.popleft() if self.replies else self.default
            received.status = reply.status
            self.concurrent += 1
            self.most_concurrent = max(self.most_concurrent, self.concurrent)
        self.arrived.set()
        return reply

    def _answer(self, handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        if reply.delay_seconds:
            self.release.wait(reply.delay_seconds)
        if reply.hang_seconds:
            self.release.wait(reply.hang_seconds)
            handler.close_connection = True
            return
        try:
            handler.send_response(reply.status)
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            size = reply.body_size or len(reply.body)
            handler.send_header("Content-Length", str(size))
            handler.end_headers()
            if reply.dribble_seconds:
                for _ in range(size):
                    handler.wfile.write(b"x")
                    handler.wfile.flush()
                    if self.release.wait(reply.dribble_seconds):
                        break
            elif reply.body_size:
                chunk = b"x" * 65536
                sent = 0
                while sent < size:
                    handler.wfile.write(chunk[: size - sent])
                    sent += len(chunk)
            else:
                handler.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True

    def start(self) -> Receiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
