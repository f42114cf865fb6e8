"""The `listener` fixture: this test process listening for changes (`selgeo.changes`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from selgeo import changes
from selgeo.api import authentication
from tests.conftest import Keys


def eventually(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


@pytest.fixture
def listener(
    settings: Any, monkeypatch: pytest.MonkeyPatch, keys: Keys
) -> Iterator[changes.ChangeListener]:
    # The keys (and their merchant) are written before listening starts, so that the
    # tests hear only their own changes.
    settings.SELGEO_LISTEN_FOR_CHANGES = True
    heard = changes.ChangeListener()
    monkeypatch.setattr(changes, "LISTENER", heard)
    monkeypatch.setattr(authentication.RECENT_KEYS, "answers", {})
    assert heard.generation() is None  # the first call starts the listener
    assert eventually(lambda: heard.generation() is not None)
    yield heard
    heard.stop()
