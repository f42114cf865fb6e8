"""A refresh token is spent once even when it is sent many times at once.

These tests commit for real (`transactional_db`) so that the database's unique index on
the blacklist decides between threads, each with its own connection.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.models import User
from accounts.tokens import issue_tokens
from tests.conftest import api_client

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8


def _race(path: str, refresh: str) -> Counter[int]:
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait()
            status = api_client().post(path, {"refresh": refresh}, format="json").status_code
            with lock:
                statuses.append(status)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return Counter(statuses)


def test_concurrent_refreshes_of_one_token_answer_one_replacement(alice: User) -> None:
    refresh = issue_tokens(user=alice)["refresh"]
    assert _race("/api/v1/auth/refresh", refresh) == Counter({200: 1, 401: THREADS - 1})
    assert OutstandingToken.objects.filter(user=alice).count() == 2
    assert BlacklistedToken.objects.count() == 1


def test_concurrent_logouts_of_one_token_end_it_once(alice: User) -> None:
    refresh = issue_tokens(user=alice)["refresh"]
    assert _race("/api/v1/auth/logout", refresh) == Counter({204: 1, 401: THREADS - 1})
    assert BlacklistedToken.objects.count() == 1
