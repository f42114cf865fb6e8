"""The click admin: read-only, never counts the table, finds a click by its exact id."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory
from tests.tracking.factories import ClickFactory
from tracking.models import Click

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_changelist_lists_newest_first_without_counting(staff_client):
    # Click ids carry their millisecond, so one second apart orders them for sure.
    with time_machine.travel("2026-01-01T00:00:00Z", tick=False):
        older = ClickFactory()
    with time_machine.travel("2026-01-01T00:00:01Z", tick=False):
        newer = ClickFactory()
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get("/admin/tracking/click/")
    assert response.status_code == 200
    listed = [click.pk for click in response.context["cl"].result_list]
    assert listed == [newer.pk, older.pk]
    click_counts = [
        q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and "tracking_click" in q["sql"]
    ]
    assert click_counts == []


def test_search_by_exact_id_uses_the_primary_key(staff_client):
    wanted, _other = ClickFactory(), ClickFactory()
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get("/admin/tracking/click/", {"q": str(wanted.pk)})
    assert [c.pk for c in response.context["cl"].result_list] == [wanted.pk]
    searches = [q["sql"] for q in queries if 'FROM "tracking_click"' in q["sql"]]
    assert searches and all("::text" not in sql and "UPPER(" not in sql for sql in searches)


def test_search_with_anything_but_an_id_finds_nothing(staff_client):
    ClickFactory()
    response = staff_client.get("/admin/tracking/click/", {"q": "janedoe"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


def test_clicks_cannot_be_added_or_changed_in_the_admin(staff_client):
    click = ClickFactory()
    assert staff_client.get("/admin/tracking/click/add/").status_code == 403
    response = staff_client.post(
        f"/admin/tracking/click/{click.pk}/change/", {"referrer": "https://x.example/"}
    )
    assert response.status_code == 403
    click.refresh_from_db()
    assert click.referrer == "https://blog.example.org/post"
    # The detail page is still readable.
    assert staff_client.get(f"/admin/tracking/click/{click.pk}/change/").status_code == 200
    assert Click.objects.count() == 1
