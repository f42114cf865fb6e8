"""The demo programs land on a demo shop served by Selgeo: `selgeo.js` installed, and a Buy
button whose sale the shop's server reports with the demo's secret key."""

from __future__ import annotations

import http.cookiejar
import io
import json
import re
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from partners.models import Program
from tests.embedded import EmbeddedSite
from tests.tracking.conftest import BROWSER_UA

CLICK = "01a24501-682a-768b-8af8-25c3b89f5e6f"


@pytest.fixture
def demo_keys(settings, tmp_path: Path) -> dict[str, str]:
    keys = {"pk_live": "pk_live_demo", "sk_live": "sk_live_demo", "pk_test": "pk_test_demo"}
    settings.SELGEO_DEMO_KEYS_FILE = tmp_path / "demo-keys.json"
    settings.SELGEO_DEMO_KEYS_FILE.write_text(json.dumps(keys))
    return keys


def test_the_shop_installs_the_snippet_with_the_demos_public_key(demo_keys):
    response = Client().get(f"/demo/shop/?selgeo_click_id={CLICK}")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<script src="/v1/selgeo.js" data-merchant="pk_live_demo" async></script>' in html
    assert '<form method="post" action="/demo/shop/buy/" data-selgeo>' in html
    assert f'<input type="hidden" name="selgeo_click_id" value="{CLICK}">' in html
    assert "sk_live_demo" not in html
    assert "<script>" not in html  # no inline script: a CSP without unsafe-inline holds


def test_the_test_mode_shop_uses_the_test_key(demo_keys):
    html = Client().get("/demo/shop/test/").content.decode()
    assert 'data-merchant="pk_test_demo"' in html
    assert 'action="/demo/shop/test/buy/"' in html


def test_without_the_demo_the_shop_says_how_to_create_it(settings, tmp_path):
    settings.SELGEO_DEMO_KEYS_FILE = tmp_path / "missing.json"
    response = Client().get("/demo/shop/")
    assert response.status_code == 503
    assert "run <code>make run</code>" in response.content.decode()
    assert "selgeo.js" not in response.content.decode()


def test_a_production_server_has_no_demo_shop(settings, demo_keys):
    settings.PRODUCTION = True
    assert Client().get("/demo/shop/").status_code == 404
    assert Client().post("/demo/shop/buy/").status_code == 404


def test_an_unknown_mode_or_a_get_of_buy_is_refused(demo_keys):
    assert Client().get("/demo/shop/buy/").status_code == 405
    assert Client().get("/demo/shop/other/").status_code == 404


@pytest.mark.django_db
def test_the_demo_programs_land_on_the_shop_and_follow_the_public_url(settings, tmp_path):
    settings.SELGEO_PUBLIC_URL = "http://127.0.0.1:8000"
    keys_file = str(tmp_path / "keys.json")
    call_command("selgeo_demo", keys_file=keys_file, stdout=io.StringIO())
    programs = Program.objects.order_by("code")
    assert [(p.code, p.landing_url, p.hold_days) for p in programs] == [
        ("demo", "http://127.0.0.1:8000/demo/shop/", 0),
        ("demo-test", "http://127.0.0.1:8000/demo/shop/test/", 0),
    ]
    settings.SELGEO_PUBLIC_URL = "http://127.0.0.1:8101"
    call_command("selgeo_demo", keys_file=keys_file, stdout=io.StringIO())
    assert sorted(Program.objects.values_list("landing_url", flat=True)) == [
        "http://127.0.0.1:8101/demo/shop/",
        "http://127.0.0.1:8101/demo/shop/test/",
    ]


def test_following_the_live_link_and_buying_is_an_attributed_sale_with_its_commission(
    tmp_path: Path,
):
    site = EmbeddedSite(tmp_path)
    printed = site.seed()
    link = re.search(r"live link: (\S+)", printed)[1]  # type: ignore[index]
    cookies = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
    browser.addheaders = [("User-Agent", BROWSER_UA)]
    with site.serve():
        with browser.open(link, timeout=10) as landing:
            assert landing.url.startswith(f"{site.base}/demo/shop/?selgeo_click_id=")
            page = landing.read().decode()
        click_id = landing.url.rpartition("=")[2]
        assert f'name="selgeo_click_id" value="{click_id}"' in page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]  # type: ignore[index]
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "selgeo_click_id": click_id}
        ).encode()
        with browser.open(f"{site.base}/demo/shop/buy/", data=form, timeout=30) as bought:
            assert bought.status == 200
            result = bought.read().decode()
    assert re.search(r'<p id="outcome"><strong>Attributed</strong> to Demo Blog: ', result)
    assert '<p id="commission">Commission 4.90 EUR, pending.</p>' in result
    answer = site.shell(
        "from conversions.models import Conversion as C; c = C.objects.get(); "
        "print(c.mode, c.amount_cents, c.attributed, c.click_id_raw, c.commission.amount_cents)"
    ).splitlines()[-1]
    assert answer == f"live 4900 True {click_id} 490"
