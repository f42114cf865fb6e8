"""Staff enter a rate set in the admin; sets are never edited or deleted there."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from fx import selectors
from fx.models import ExchangeRateSet

pytestmark = pytest.mark.django_db

ADD = "/admin/fx/exchangerateset/add/"


@pytest.fixture
def staff() -> Client:
    user = get_user_model().objects.create_superuser(email="ops@selgeo.test", password="pw-12345")
    client = Client()
    client.force_login(user)
    return client


def test_staff_enter_a_set_that_takes_effect_at_its_time(staff: Client) -> None:
    response = staff.post(
        ADD,
        {
            "effective_at_0": "2030-04-01",
            "effective_at_1": "00:00:00",
            "base": "USD",
            "rates_text": '{"EUR": "0.92", "BHD": 0.376, "XAU": "0.0003"}',
        },
    )

    assert response.status_code == 302
    row = ExchangeRateSet.objects.get(source="admin")
    assert row.effective_at == datetime(2030, 4, 1, tzinfo=UTC)
    assert (row.base, row.rates) == ("USD", {"BHD": "0.376", "EUR": "0.92"})
    assert row.created_by is not None and row.created_by.email == "ops@selgeo.test"
    assert selectors.rate_set_at(datetime(2030, 4, 2, tzinfo=UTC)).id == row.pk


def test_a_set_cannot_take_effect_in_the_past(staff: Client) -> None:
    response = staff.post(
        ADD,
        {
            "effective_at_0": "2020-01-01",
            "effective_at_1": "00:00:00",
            "base": "USD",
            "rates_text": '{"EUR": "0.92"}',
        },
    )

    assert response.status_code == 200
    assert "A set takes effect at the earliest a minute from now" in response.content.decode()
    assert ExchangeRateSet.objects.count() == 0


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('{"EUR": "-1"}', "the rate of EUR is not a positive number"),
        ("not json", "Enter a JSON object of currency codes and rates."),
        ('{"XAU": "1"}', "the document has no rates"),
    ],
)
def test_invalid_rates_are_refused_and_nothing_is_stored(
    staff: Client, text: str, error: str
) -> None:
    response = staff.post(
        ADD,
        {
            "effective_at_0": "2030-04-01",
            "effective_at_1": "00:00:00",
            "base": "USD",
            "rates_text": text,
        },
    )

    assert response.status_code == 200
    assert error in response.content.decode()
    assert ExchangeRateSet.objects.count() == 0


def test_a_stored_set_is_read_only_and_cannot_be_deleted(staff: Client) -> None:
    row = selectors.rate_set_current()
    change = f"/admin/fx/exchangerateset/{row.id}/change/"

    page = staff.get(change)
    staff.post(change, {"base": "GBP"})
    deleted = staff.post(f"/admin/fx/exchangerateset/{row.id}/delete/", {"post": "yes"})

    assert page.status_code == 200
    assert "1.1476" in page.content.decode()
    assert deleted.status_code == 403
    assert ExchangeRateSet.objects.get().base == "EUR"
