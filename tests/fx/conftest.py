"""Exchange-rate fixtures: a real rates server on loopback, each process's set cache
emptied between tests (the database is)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fx import selectors
from tests.fx.server import RatesServer


@pytest.fixture(autouse=True)
def _empty_set_cache() -> Iterator[None]:
    selectors._SETS.clear()
    yield
    selectors._SETS.clear()


@pytest.fixture
def rates_server(settings: Any) -> Iterator[RatesServer]:
    server = RatesServer().start()
    settings.SELGEO_FX_URL = server.url
    settings.SELGEO_FX_TIMEOUT_SECONDS = 1.0
    yield server
    server.stop()
