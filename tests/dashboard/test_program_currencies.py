"""A program's accepted currencies in the dashboard: the form field (codes in capitals,
comma separated), editable while the program is published, and shown on its page."""

from __future__ import annotations

import pytest

from partners.models import Program, ProgramStatus
from tests.dashboard.conftest import page
from tests.dashboard.test_programs import form_data

pytestmark = pytest.mark.django_db


def test_the_form_saves_the_accepted_currencies_in_order(alice_web, merchant):
    response = alice_web.post(
        "/dashboard/programs/new/", form_data(accepted_currencies="USD, GBP;JPY KWD")
    )

    assert response.status_code == 302
    assert Program.objects.get(merchant=merchant).accepted_currencies == [
        "USD",
        "GBP",
        "JPY",
        "KWD",
    ]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("usd", "usd is not an ISO 4217 currency code in upper case (send USD)"),
        ("USD, XYZ", "XYZ is not an ISO 4217 currency code in upper case"),
        ("USD, USD", "Listed more than once: USD"),
    ],
)
def test_a_bad_list_is_shown_on_the_field_and_nothing_is_created(alice_web, typed, message):
    response = alice_web.post("/dashboard/programs/new/", form_data(accepted_currencies=typed))

    assert response.status_code == 200
    assert response.context["form"].errors["accepted_currencies"] == [message]
    assert Program.objects.count() == 0


def test_a_published_program_edits_its_list_and_the_page_shows_it(alice_web, program):
    assert program.status == ProgramStatus.PUBLISHED
    edit = alice_web.get(f"/dashboard/programs/{program.pk}/edit/")
    assert not edit.context["form"].fields["accepted_currencies"].disabled

    response = alice_web.post(
        f"/dashboard/programs/{program.pk}/edit/", form_data(accepted_currencies="USD, CHF")
    )

    assert response.status_code == 302
    program.refresh_from_db()
    assert program.accepted_currencies == ["USD", "CHF"]
    html = page(alice_web.get(f"/dashboard/programs/{program.pk}/"))
    assert (
        '<dd data-testid="accepted-currencies"><span class="mono">USD, CHF</span>, converted to '
        "EUR at the exchange rate of each sale's moment</dd>"
    ) in html
    edit = alice_web.get(f"/dashboard/programs/{program.pk}/edit/")
    assert edit.context["form"].initial["accepted_currencies"] == "USD, CHF"


def test_an_empty_list_says_every_rated_currency_is_accepted(alice_web, program):
    html = page(alice_web.get(f"/dashboard/programs/{program.pk}/"))

    assert (
        '<dd data-testid="accepted-currencies">Every currency with an exchange rate, converted '
        "to EUR at the rate of each sale's moment</dd>"
    ) in html
