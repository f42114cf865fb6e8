"""Payment-forwarding fixtures: a real regtest node (one per test session), a wallet of
its own for each test, a webhook receiver on loopback, tasks inline."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from selgeo.celery import app as celery_app
from tests.bitcoin_node import RegtestNode
from tests.conftest import Keys, api_client
from tests.webhooks.receiver import Receiver


@dataclass
class Forwarding:
    node: RegtestNode
    wallet: str

    def rpc(self, method: str, *params: Any) -> Any:
        return self.node.rpc(self.wallet, method, *params)


def _configure(settings: Any, regtest: RegtestNode, wallet: str) -> Forwarding:
    settings.SELGEO_BITCOIN_RPC_URL = regtest.url(wallet)
    settings.SELGEO_BITCOIN_TEST_RPC_URL = regtest.url(wallet)
    settings.SELGEO_BITCOIN_NETWORK = "regtest"
    settings.SELGEO_BITCOIN_TEST_NETWORK = "regtest"
    return Forwarding(node=regtest, wallet=wallet)


@pytest.fixture
def forwarding(regtest: RegtestNode, settings: Any) -> Forwarding:
    """Both modes forward through a wallet of this test's on the regtest node."""
    return _configure(settings, regtest, regtest.take_wallet())


@pytest.fixture
def node_addresses(regtest: RegtestNode, settings: Any) -> Forwarding:
    """Both modes on the node's shared wallet: for tests that receive no coins."""
    return _configure(settings, regtest, "shared")


@pytest.fixture(autouse=True)
def _tasks_run_inline() -> Iterator[None]:
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.SELGEO_WEBHOOKS_ALLOW_LOOPBACK = True
    settings.SELGEO_WEBHOOKS_TIMEOUT_SECONDS = 5.0
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def sk_test(keys: Keys) -> APIClient:
    return api_client(keys.sk_test)


@pytest.fixture
def sk_live(keys: Keys) -> APIClient:
    return api_client(keys.sk_live)
