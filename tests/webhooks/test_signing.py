"""Signatures per the Standard Webhooks specification, checked against its library."""

from __future__ import annotations

import base64

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from webhooks import signing

GOLDEN_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
GOLDEN_TIMESTAMP = 1614265330
GOLDEN_BODY = b'{"test": 2432232314}'
GOLDEN_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
GOLDEN_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_signature_matches_the_specification_golden_vector():
    signature = signing.sign(
        secret=GOLDEN_SECRET, msg_id=GOLDEN_ID, timestamp=GOLDEN_TIMESTAMP, body=GOLDEN_BODY
    )
    assert signature == GOLDEN_SIGNATURE


def test_generated_secrets_are_whsec_base64_of_24_random_bytes():
    first, second = signing.generate_secret(), signing.generate_secret()
    assert first != second
    for secret in (first, second):
        assert secret.startswith("whsec_")
        assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 24


def test_headers_verify_with_the_standardwebhooks_library(time_machine):
    time_machine.move_to("2026-03-01T12:00:00Z", tick=False)
    secret = signing.generate_secret()
    body = b'{"id":"evt_1","type":"conversion.created"}'
    headers = signing.headers_for(secrets=[secret], msg_id="evt_1", timestamp=1772366400, body=body)
    assert Webhook(secret).verify(body, headers) == {"id": "evt_1", "type": "conversion.created"}


def test_rotation_signs_with_both_secrets_so_either_verifies(time_machine):
    time_machine.move_to("2026-03-01T12:00:00Z", tick=False)
    new, old = signing.generate_secret(), signing.generate_secret()
    body = b'{"a":1}'
    headers = signing.headers_for(
        secrets=[new, old], msg_id="evt_2", timestamp=1772366400, body=body
    )
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert Webhook(new).verify(body, headers) == {"a": 1}
    assert Webhook(old).verify(body, headers) == {"a": 1}
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.generate_secret()).verify(body, headers)


def test_a_tampered_body_does_not_verify(time_machine):
    time_machine.move_to("2026-03-01T12:00:00Z", tick=False)
    secret = signing.generate_secret()
    headers = signing.headers_for(
        secrets=[secret], msg_id="evt_3", timestamp=1772366400, body=b"{}"
    )
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(b'{"x":1}', headers)
