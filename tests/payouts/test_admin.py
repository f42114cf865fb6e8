"""The staff admin lists payout accounts and tax profiles with secrets only masked."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Partner
from payouts.models import PayoutAccount, TaxProfile
from payouts.services import payout_account_replace, tax_profile_save
from tests.factories import UserFactory
from tests.payouts.conftest import IBAN, w8ben

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(db: None) -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_lists_and_pages_show_secrets_only_masked(staff_client: Client, partner: Partner) -> None:
    account = payout_account_replace(
        partner=partner, method="sepa", details={"iban": IBAN, "account_holder": "Sam"}
    )
    profile = tax_profile_save(partner=partner, **w8ben())
    pages = [
        "/admin/payouts/payoutaccount/",
        f"/admin/payouts/payoutaccount/{account.pk}/change/",
        "/admin/payouts/taxprofile/",
        f"/admin/payouts/taxprofile/{profile.pk}/change/",
        "/admin/payouts/payoutaccount/?q=3000",
        "/admin/payouts/taxprofile/?form__exact=w8ben",
    ]
    for url in pages:
        response = staff_client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for secret in (IBAN, "0532013000", "136695976", "jane doe", "Hauptstraße", "1990-04-01"):
            assert secret not in body, (url, secret)
    assert "•••• 3000" in staff_client.get(pages[0]).content.decode()
    assert "•••• 5976" in staff_client.get(pages[2]).content.decode()


def test_the_admin_changes_nothing(staff_client: Client, partner: Partner) -> None:
    account = payout_account_replace(
        partner=partner, method="manual", details={"instructions": "Cash"}
    )
    assert staff_client.get("/admin/payouts/payoutaccount/add/").status_code == 403
    response = staff_client.post(
        f"/admin/payouts/payoutaccount/{account.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert PayoutAccount.objects.count() == 1 and not TaxProfile.objects.exists()
