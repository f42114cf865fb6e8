"""Fixtures for the notification tests: tasks inline, a public URL to find in the links."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from selgeo.celery import app as celery_app

PUBLIC_URL = "https://affiliates.acme.example"


@pytest.fixture(autouse=True)
def _public_url(settings: Any) -> None:
    settings.SELGEO_PUBLIC_URL = PUBLIC_URL


@pytest.fixture(autouse=True)
def _tasks_run_inline() -> Iterator[None]:
    # With REDIS_URL set the app would publish to the broker; here tasks run in-process.
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def notices(outbox: list[Any], kind: str) -> list[Any]:
    """The mails of one notification kind (other mails, such as invitations, left out)."""
    return [m for m in outbox if m.extra_headers.get("X-Selgeo-Notification") == kind]


def html_of(message: Any) -> str:
    (html,) = [content for content, mimetype in message.alternatives if mimetype == "text/html"]
    return str(html)
