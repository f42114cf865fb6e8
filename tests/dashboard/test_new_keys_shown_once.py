"""A merchant sees each new secret key once, on the page right after it is created (sign-up
included), with a copy button and the warning; the key shown is the one that works."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.models import ApiKey, Merchant
from tests.conftest import api_client, assert_error
from tests.dashboard.conftest import page
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SHOWN_KEY = re.compile(
    r'<code id="new-key-(?P<id>[0-9a-f-]+)" class="new-key" data-mode="(?P<mode>test|live)">'
    r"(?P<raw>[^<]+)</code><button type=\"button\" class=\"small secondary\" "
    r'data-copy="new-key-(?P=id)" hidden>Copy</button>'
)


def shown_keys(html: str) -> dict[str, str]:
    """The secret keys a page shows, by mode, as a person would copy them."""
    return {match["mode"]: match["raw"] for match in SHOWN_KEY.finditer(html)}


def _conversions(raw_key: str):
    """List the key's conversions: only a valid secret key is answered 200."""
    return api_client(raw_key).get("/api/v1/conversions")


def test_signup_shows_both_secret_keys_once_and_they_authenticate(client):
    response = client.post(
        "/signup/",
        {
            "company_name": "Shoe Shop",
            "full_name": "Sam Owner",
            "email": "sam@shoes.example",
            "password": "a-long-passphrase-42",
        },
        follow=True,
    )
    assert response.redirect_chain == [("/dashboard/developers/keys/", 302)]
    html = page(response)
    assert "Copy them now: they will not be shown again." in html
    shown = shown_keys(html)
    assert sorted(shown) == ["live", "test"]
    assert shown["test"].startswith("sk_test_") and shown["live"].startswith("sk_live_")
    for mode in ("test", "live"):
        answer = _conversions(shown[mode])
        assert answer.status_code == 200
        assert answer.json()["total"] == 0
    digests = ApiKey.objects.filter(merchant=Merchant.objects.get(), kind="secret")
    assert sorted(digests.values_list("mode", flat=True)) == ["live", "test"]
    again = client.get("/dashboard/developers/keys/")
    assert shown_keys(page(again)) == {}
    assert shown["test"] not in page(again) and shown["live"] not in page(again)


def test_creating_a_merchant_for_an_existing_login_shows_its_secret_keys_once(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("dashboard:create-merchant"), {"company_name": "Hat Shop"}, follow=True
    )
    assert response.redirect_chain[-1] == ("/dashboard/developers/keys/", 302)
    shown = shown_keys(page(response))
    assert sorted(shown) == ["live", "test"]
    assert _conversions(shown["test"]).status_code == 200


def test_a_key_created_on_the_keys_page_is_shown_once_and_authenticates(alice_web, merchant):
    alice_web.post("/dashboard/developers/keys/", {"kind": "secret", "name": "Server"})
    html = page(alice_web.get("/dashboard/developers/keys/"))
    assert "Copy it now: it will not be shown again." in html
    shown = shown_keys(html)
    assert list(shown) == ["live"]
    assert _conversions(shown["live"]).status_code == 200
    assert shown_keys(page(alice_web.get("/dashboard/developers/keys/"))) == {}


def test_a_key_from_an_earlier_view_is_not_shown_but_a_typo_of_it_is_refused(alice_web):
    alice_web.post("/dashboard/developers/keys/", {"kind": "secret", "name": "Server"})
    raw = shown_keys(page(alice_web.get("/dashboard/developers/keys/")))["live"]
    assert_error(_conversions(raw[:-1]), 401, "INVALID_API_KEY")
    assert ApiKey.objects.filter(kind="secret").count() == 1
