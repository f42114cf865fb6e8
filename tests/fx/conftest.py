"""Exchange-rate fixtures: a real rates server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.fx.server import RatesServer


@pytest.fixture
def rates_server(settings: Any) -> Iterator[RatesServer]:
    server = RatesServer().start()
    settings.SELGEO_FX_URL = server.url
    settings.SELGEO_FX_TIMEOUT_SECONDS = 1.0
    yield server
    server.stop()
