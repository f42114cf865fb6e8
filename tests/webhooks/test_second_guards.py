"""Second, independent guards of two webhook rules that each had a single test.

- Delivery is scoped to the merchant (and mode): a real conversion reported through the
  API, and an event whose first dispatch was lost and that the sweep sends, reach only
  their own merchant's endpoint, never another merchant's listening at the same time.
  (`test_emit` guards the fan-out query itself.)
- Every DNS answer of a webhook host is checked: `ssrf.check_host` refuses a forbidden
  address wherever it sits among the answers; at delivery a host that now answers a
  public *and* a private address is refused without connecting; changing an endpoint's
  URL to such a host is refused. (`test_ssrf` guards the creation through the API.)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import Keys, api_client, assert_error
from tests.conversions.conftest import body
from tests.webhooks.conftest import body_json
from tests.webhooks.receiver import Receiver
from webhooks import services, ssrf, tasks
from webhooks.models import Delivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.215.14"
OTHER_PUBLIC = "93.184.215.15"


@pytest.fixture
def theirs(settings) -> Iterator[Receiver]:
    """Another merchant's receiver, on its own port."""
    settings.SELGEO_WEBHOOKS_ALLOW_LOOPBACK = True
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def their_endpoint(other_merchant, theirs: Receiver) -> WebhookEndpoint:
    return services.endpoint_create(merchant=other_merchant, mode="test", url=theirs.url)


def test_a_conversion_reported_by_the_api_reaches_only_its_merchants_endpoint(
    keys: Keys,
    other_keys: Keys,
    endpoint,
    receiver,
    their_endpoint,
    theirs,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        mine = api_client(keys.sk_test).post(
            "/api/v1/conversions", body(promo_code="NOBODY"), format="json"
        )
    assert mine.status_code == 201, mine.content

    assert [body_json(r.body)["data"]["id"] for r in receiver.requests] == [mine.json()["id"]]
    assert theirs.requests == []
    assert set(Delivery.objects.values_list("endpoint_id", flat=True)) == {endpoint.pk}

    with django_capture_on_commit_callbacks(execute=True):
        other = api_client(other_keys.sk_test).post(
            "/api/v1/conversions", body(promo_code="NOBODY"), format="json"
        )
    assert other.status_code == 201, other.content
    assert [body_json(r.body)["data"]["id"] for r in theirs.requests] == [other.json()["id"]]
    assert len(receiver.requests) == 1


def test_the_sweep_sends_a_lost_event_only_to_its_merchants_endpoint(
    merchant,
    endpoint,
    receiver,
    their_endpoint,
    theirs,
    time_machine,
    django_capture_on_commit_callbacks,
):
    # The event's dispatch after commit is lost (never run): a sweep a minute later
    # finds the event and fans it out itself.
    time_machine.move_to("2027-03-02T09:00:00Z", tick=False)
    with django_capture_on_commit_callbacks(execute=False):
        event = services.emit(merchant=merchant, mode="test", type="payout.paid", data={})
    assert not Delivery.objects.exists()
    time_machine.move_to("2027-03-02T09:01:01Z", tick=False)

    tasks.sweep()

    assert [r.headers["webhook-id"] for r in receiver.requests] == [event.public_id]
    assert theirs.requests == []
    assert list(Delivery.objects.values_list("endpoint_id", "status")) == [
        (endpoint.pk, "succeeded")
    ]


@pytest.mark.parametrize(
    "answers",
    [
        [PUBLIC, "10.1.2.3"],
        ["10.1.2.3", PUBLIC],
        [PUBLIC, OTHER_PUBLIC, "169.254.169.254"],
        [PUBLIC, "::ffff:127.0.0.1"],
        [PUBLIC, "fd00:ec2::254"],
    ],
    ids=["private-last", "private-first", "metadata-third", "mapped-loopback", "ula-v6"],
)
def test_check_host_refuses_a_forbidden_address_wherever_it_sits_among_the_answers(
    fake_dns, answers
):
    fake_dns["mixed.example.test"] = [answers]

    with pytest.raises(ssrf.ForbiddenAddress):
        ssrf.check_host("mixed.example.test", 443, allow_loopback=False)


def test_check_host_dials_the_first_answer_once_every_answer_passed(fake_dns):
    fake_dns["public.example.test"] = [[PUBLIC, OTHER_PUBLIC]]

    assert ssrf.check_host("public.example.test", 443, allow_loopback=False) == PUBLIC


def test_a_host_answering_a_private_address_beside_a_public_one_is_refused_at_delivery(
    merchant, receiver, fake_dns, settings
):
    settings.SELGEO_WEBHOOKS_ALLOW_LOOPBACK = False
    fake_dns["mixed.example.test"] = [[PUBLIC], [PUBLIC, "10.1.2.3"]]
    endpoint = services.endpoint_create(
        merchant=merchant, mode="test", url=f"http://mixed.example.test:{receiver.port}/hook"
    )
    event = services.emit(merchant=merchant, mode="test", type="payout.paid", data={})
    (delivery_id,) = services.event_fan_out(event_id=event.pk)

    services.delivery_attempt(delivery_id=delivery_id)

    delivery = Delivery.objects.get(pk=delivery_id)
    assert (delivery.status, delivery.endpoint_id, delivery.response_status) == (
        "failed",
        endpoint.pk,
        None,
    )
    assert delivery.error == "Refused: The host resolves to a private address"
    assert receiver.requests == []


def test_changing_an_endpoints_url_to_a_host_with_a_private_answer_is_refused(
    alice_client, merchant, fake_dns
):
    fake_dns["public.example.test"] = [[PUBLIC]]
    fake_dns["mixed.example.test"] = [[OTHER_PUBLIC, "192.168.0.7"]]
    endpoint = services.endpoint_create(
        merchant=merchant, mode="test", url="http://public.example.test/hook"
    )

    response = alice_client.patch(
        f"/api/v1/webhooks/endpoints/{endpoint.pk}?mode=test",
        {"url": "http://mixed.example.test/hook"},
        format="json",
    )

    assert_error(response, 422, "WEBHOOK_URL_PRIVATE_IP")
    endpoint.refresh_from_db()
    assert endpoint.url == "http://public.example.test/hook"
