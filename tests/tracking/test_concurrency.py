"""Concurrent clicks on one code all land: inserts never wait for one another to fail."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tests.conftest import api_client
from tests.tracking.conftest import BROWSER_UA, post_click
from tracking.models import Click

THREADS = 8
CLICKS_PER_THREAD = 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_clicks_on_the_same_code_are_all_recorded(keys, code):
    start = threading.Barrier(THREADS)
    statuses: list[int] = []
    ids: list[str] = []
    lock = threading.Lock()

    def shopper() -> None:
        client = api_client(keys.pk_test, HTTP_USER_AGENT=BROWSER_UA)
        try:
            start.wait()
            for _ in range(CLICKS_PER_THREAD):
                response = post_click(client, {"referral_code": "JaneDoe"})
                with lock:
                    statuses.append(response.status_code)
                    if response.status_code == 201:
                        ids.append(response.json()["click_id"])
        finally:
            connection.close()

    threads = [threading.Thread(target=shopper) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert statuses == [201] * (THREADS * CLICKS_PER_THREAD)
    assert len(set(ids)) == THREADS * CLICKS_PER_THREAD
    assert Click.objects.filter(referral_code=code).count() == THREADS * CLICKS_PER_THREAD
