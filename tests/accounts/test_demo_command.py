"""`manage.py selgeo_demo`: idempotent demo merchant whose printed keys work."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from accounts.models import ApiKey, Merchant, User
from tests.conftest import api_client

pytestmark = pytest.mark.django_db


def _run(tmp_path) -> dict[str, str]:
    out = io.StringIO()
    call_command("selgeo_demo", keys_file=str(tmp_path / "keys.json"), stdout=out)
    return dict(re.findall(r"(pk_test|sk_test|pk_live|sk_live):\s+(\S+)", out.getvalue()))


def test_demo_prints_four_working_keys_and_is_idempotent(tmp_path):
    first = _run(tmp_path)
    assert sorted(first) == ["pk_live", "pk_test", "sk_live", "sk_test"]
    assert all(value.startswith(name + "_") for name, value in first.items())
    second = _run(tmp_path)
    assert second == first
    assert User.objects.filter(email="demo@selgeo.local").count() == 1
    assert Merchant.objects.count() == 1
    assert ApiKey.objects.count() == 4
    login = api_client().post(
        "/api/v1/auth/login",
        {"email": "demo@selgeo.local", "password": "selgeo-demo-2026"},
        format="json",
    )
    assert login.status_code == 200
    assert api_client(first["sk_live"]).get("/api/v1/api-keys").status_code == 403


def test_demo_reissues_keys_that_were_revoked(tmp_path):
    first = _run(tmp_path)
    ApiKey.objects.filter(prefix=first["sk_test"][:20]).update(revoked_at="2026-01-01T00:00:00Z")
    second = _run(tmp_path)
    assert second["sk_test"] != first["sk_test"]
    assert second["pk_test"] == first["pk_test"]


def test_demo_has_a_published_program_and_a_partner_whose_link_records_clicks(tmp_path):
    from partners.models import Application, Program
    from tracking.models import Click

    out = io.StringIO()
    call_command("selgeo_demo", keys_file=str(tmp_path / "keys.json"), stdout=out)
    call_command("selgeo_demo", keys_file=str(tmp_path / "keys.json"), stdout=io.StringIO())
    assert sorted(Program.objects.values_list("code", "mode", "status")) == [
        ("demo", "live", "published"),
        ("demo-test", "test", "published"),
    ]
    assert Application.objects.filter(status="approved").count() == 2
    link = re.search(r"live link: (\S+)", out.getvalue()).group(1)
    path = "/" + link.split("/", 3)[3]
    from django.test import Client

    response = Client(HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0").get(path)
    assert response.status_code == 302
    assert Click.objects.filter(mode="live").count() == 1
