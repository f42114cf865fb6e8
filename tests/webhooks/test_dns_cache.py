"""The checked address of a host is reused for a short time, and checked again after it."""

from __future__ import annotations

import time

import pytest

from webhooks import services, ssrf
from webhooks.models import Delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolutions(monkeypatch):
    """The system resolver, watched: every name it resolves, and answers to give instead."""
    seen: list[str] = []
    instead: list[list[str]] = []
    real = ssrf.system_resolve

    def watched(host: str, port: int) -> list[str]:
        seen.append(host)
        return instead.pop(0) if instead else real(host, port)

    monkeypatch.setattr(ssrf, "system_resolve", watched)
    ssrf._checked.clear()
    yield seen, instead
    ssrf._checked.clear()


def _send(merchant, url, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.emit(
            merchant=merchant, mode="test", type="conversion.created", data={"id": "o"}
        )


def test_a_checked_address_is_reused_then_resolved_and_checked_again(
    merchant, receiver, resolutions, settings, django_capture_on_commit_callbacks
):
    seen, instead = resolutions
    settings.SELGEO_WEBHOOKS_DNS_CACHE_SECONDS = 0.5
    url = f"http://localhost:{receiver.port}/hooks"
    endpoint = services.endpoint_create(merchant=merchant, mode="test", url=url)
    seen.clear()
    for _ in range(3):
        _send(merchant, url, django_capture_on_commit_callbacks)
    assert seen == ["localhost"]
    assert len(receiver.requests) == 3
    time.sleep(0.6)
    # The name now points inside: the new answer is checked before any use.
    instead.append(["10.0.0.1"])
    event = _send(merchant, url, django_capture_on_commit_callbacks)
    assert seen == ["localhost", "localhost"]
    refused = Delivery.objects.get(event=event, endpoint=endpoint, attempt=1)
    assert refused.status == "failed"
    assert refused.error == "Refused: The host resolves to a private address"
    assert len(receiver.requests) == 3


def test_refusals_are_not_kept_and_a_zero_time_keeps_nothing(
    merchant, receiver, resolutions, settings
):
    seen, instead = resolutions
    settings.SELGEO_WEBHOOKS_DNS_CACHE_SECONDS = 30
    instead.append(["169.254.169.254"])
    with pytest.raises(ssrf.ForbiddenAddress):
        ssrf.checked_address("localhost", 80, allow_loopback=True)
    assert ssrf.checked_address("localhost", 80, allow_loopback=True) == "127.0.0.1"
    settings.SELGEO_WEBHOOKS_DNS_CACHE_SECONDS = 0
    ssrf.checked_address("localhost", 80, allow_loopback=True)
    assert seen == ["localhost"] * 3
