"""Who clicked: bots are flagged, IPs are kept only as a keyed hash, hints only from servers."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from tests.conftest import api_client
from tests.tracking.conftest import BROWSER_UA, post_click
from tracking.models import Click
from tracking.visitors import ip_hash, is_bot, normalise_ip

pytestmark = pytest.mark.django_db

BODY = {"referral_code": "JaneDoe"}
ORIGIN = {"HTTP_ORIGIN": "https://acme.example.com"}
IPHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)


@pytest.mark.parametrize(
    "user_agent",
    [
        "",
        "   ",
        "Mozilla/5.0",
        "-",
        "Googlebot/2.1 (+http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "curl/8.5.0",
        "python-requests/2.31.0",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "HeadlessChrome/120.0.0.0 Safari/537.36",
    ],
)
def test_bots_are_recorded_flagged_and_not_attributable(keys, code, user_agent):
    client = api_client(keys.pk_test, HTTP_USER_AGENT=user_agent)
    response = post_click(client, BODY, **ORIGIN)
    assert response.status_code == 201
    assert response.json()["attributable"] is False
    click = Click.objects.get()
    assert click.is_bot is True
    assert click.user_agent == user_agent


@pytest.mark.parametrize("user_agent", [BROWSER_UA, IPHONE_UA])
def test_browsers_are_not_bots(user_agent):
    assert is_bot(user_agent) is False


def test_ip_hash_is_hmac_sha256_under_the_configured_key(settings):
    settings.SELGEO_IP_HASH_KEY = "k3y"
    expected = hmac.new(b"k3y", b"198.51.100.23", hashlib.sha256).hexdigest()
    assert ip_hash("198.51.100.23") == expected
    assert ip_hash("::ffff:198.51.100.23") == expected
    assert ip_hash("2001:DB8::0:1") == ip_hash("2001:db8::1")
    assert ip_hash("") == ""
    assert ip_hash("unknown") == ""
    settings.SELGEO_IP_HASH_KEY = "another"
    assert ip_hash("198.51.100.23") != expected


def test_normalise_ip():
    assert normalise_ip(" 10.0.0.1 ") == "10.0.0.1"
    assert normalise_ip("::ffff:10.0.0.1") == "10.0.0.1"
    assert normalise_ip("2001:0db8:0000::0001") == "2001:db8::1"
    assert normalise_ip("10.0.0.256") == ""


def _row_text(click: Click) -> str:
    """Every column of the stored row, as text."""
    row = Click.objects.filter(pk=click.pk).values().get()
    assert set(row) == {f.attname for f in Click._meta.concrete_fields}
    return " ".join(str(value) for value in row.values())


def test_raw_ip_is_stored_in_no_column(keys, code):
    client = api_client(keys.pk_test, HTTP_USER_AGENT=BROWSER_UA)
    response = post_click(client, BODY, REMOTE_ADDR="198.51.100.23")
    assert response.status_code == 201
    click = Click.objects.get()
    assert click.ip_hash == ip_hash("198.51.100.23")
    assert len(click.ip_hash) == 64
    assert "198.51.100.23" not in _row_text(click)


def test_ip_hint_is_hashed_and_never_stored(keys, code):
    client = api_client(keys.pk_test, HTTP_USER_AGENT="python-requests/2.31.0")
    response = post_click(
        client,
        {**BODY, "ip": "2001:db8::42", "user_agent": IPHONE_UA, "country": "fr"},
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 201
    assert response.json()["attributable"] is True
    click = Click.objects.get()
    assert click.ip_hash == ip_hash("2001:db8::42")
    assert click.user_agent == IPHONE_UA
    assert click.country == "FR"
    assert click.is_bot is False
    assert click.source == "api"
    row = _row_text(click)
    assert "2001:db8::42" not in row
    assert "10.1.2.3" not in row


def test_server_call_without_user_agent_hint_is_judged_by_its_own_user_agent(keys, code):
    client = api_client(keys.pk_test, HTTP_USER_AGENT="python-requests/2.31.0")
    response = post_click(client, BODY)
    assert response.json()["attributable"] is False
    assert Click.objects.get().user_agent == "python-requests/2.31.0"


def test_browser_call_ignores_hints(keys, code):
    client = api_client(keys.pk_test, HTTP_USER_AGENT=BROWSER_UA)
    response = post_click(
        client,
        {**BODY, "ip": "192.0.2.99", "user_agent": "Googlebot/2.1", "country": "FR"},
        REMOTE_ADDR="198.51.100.5",
        **ORIGIN,
    )
    assert response.status_code == 201
    click = Click.objects.get()
    assert click.ip_hash == ip_hash("198.51.100.5")
    assert click.user_agent == BROWSER_UA
    assert click.country == ""
    assert click.is_bot is False
    assert click.source == "browser"


def test_long_user_agent_hint_is_cut_to_1000_characters(keys, code):
    long_agent = "Mozilla/5.0 (X11; Linux x86_64) " + "x" * 2000
    response = post_click(api_client(keys.pk_test), {**BODY, "user_agent": long_agent})
    assert response.status_code == 201
    assert Click.objects.get().user_agent == long_agent[:1000]


def test_country_comes_from_a_trusted_proxy_header(keys, code, settings):
    settings.SELGEO_TRUST_PROXY = True
    client = api_client(keys.pk_test, HTTP_USER_AGENT=BROWSER_UA)
    response = post_click(
        client,
        BODY,
        HTTP_CF_IPCOUNTRY="de",
        HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.77",
        **ORIGIN,
    )
    assert response.status_code == 201
    click = Click.objects.get()
    assert click.country == "DE"
    # Behind the proxy the visitor is the last X-Forwarded-For entry (the proxy's own).
    assert click.ip_hash == ip_hash("198.51.100.77")


@pytest.mark.parametrize(
    ("headers", "country"),
    [
        ({"HTTP_X_COUNTRY_CODE": "nl"}, "NL"),
        ({"HTTP_CF_IPCOUNTRY": "XX", "HTTP_X_COUNTRY_CODE": "BE"}, "BE"),
        ({"HTTP_CF_IPCOUNTRY": "T1"}, ""),
        ({"HTTP_CF_IPCOUNTRY": "XX"}, ""),
    ],
)
def test_proxy_country_headers(keys, code, settings, headers, country):
    settings.SELGEO_TRUST_PROXY = True
    client = api_client(keys.pk_test, HTTP_USER_AGENT=BROWSER_UA)
    assert post_click(client, BODY, **headers, **ORIGIN).status_code == 201
    assert Click.objects.get().country == country


def test_proxy_headers_are_ignored_without_a_trusted_proxy(keys, code):
    client = api_client(keys.pk_test, HTTP_USER_AGENT=BROWSER_UA)
    response = post_click(
        client,
        BODY,
        HTTP_CF_IPCOUNTRY="DE",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
        REMOTE_ADDR="198.51.100.5",
        **ORIGIN,
    )
    assert response.status_code == 201
    click = Click.objects.get()
    assert click.country == ""
    assert click.ip_hash == ip_hash("198.51.100.5")


def test_server_call_with_ip_hint_does_not_take_the_proxys_country(keys, code, settings):
    settings.SELGEO_TRUST_PROXY = True
    client = api_client(keys.pk_test)
    response = post_click(
        client, {**BODY, "ip": "192.0.2.1", "user_agent": IPHONE_UA}, HTTP_CF_IPCOUNTRY="DE"
    )
    assert response.status_code == 201
    assert Click.objects.get().country == ""


def test_server_call_without_ip_hint_uses_the_connection_and_its_country(keys, code, settings):
    settings.SELGEO_TRUST_PROXY = True
    client = api_client(keys.pk_test)
    response = post_click(
        client, {**BODY, "user_agent": IPHONE_UA}, HTTP_CF_IPCOUNTRY="AT", REMOTE_ADDR="192.0.2.8"
    )
    assert response.status_code == 201
    click = Click.objects.get()
    assert click.country == "AT"
    assert click.ip_hash == ip_hash("192.0.2.8")
