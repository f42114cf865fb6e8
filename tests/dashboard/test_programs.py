"""Programs: the list and its filters, the create and edit forms, status buttons."""

from __future__ import annotations

from typing import Any

import pytest

from partners.models import Program, ProgramStatus
from tests.dashboard.conftest import flashed, page, switch_mode
from tests.partners.factories import ProgramFactory

pytestmark = pytest.mark.django_db


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Summer shoes",
        "code": "summer-shoes",
        "description": "Sandals and more",
        "landing_url": "https://shop.example.com/summer",
        "currency": "EUR",
        "commission_type": "cps",
        "cpa_amount": "",
        "percent": "15",
        "recurring_months": "",
        "cookie_days": "30",
        "hold_days": "14",
        "is_public": "on",
        "terms": "No brand bidding.",
    }
    data.update(overrides)
    return data


def test_the_list_shows_this_modes_programs_newest_first(
    alice_web, program, test_program, other_program, merchant
):
    newer = ProgramFactory(merchant=merchant, mode="live", name="Boots", code="BOOTS")
    response = alice_web.get("/dashboard/programs/")
    assert response.status_code == 200
    assert list(response.context["page_obj"]) == [newer, program]
    body = page(response)
    assert "Shoes (test)" not in body and "Hats" not in body
    switch_mode(alice_web, "test")
    assert list(alice_web.get("/dashboard/programs/").context["page_obj"]) == [test_program]


def test_the_list_filters_by_status_and_search_in_place(alice_web, program, merchant):
    draft = ProgramFactory(
        merchant=merchant, mode="live", name="Boots", code="BOOTS", status=ProgramStatus.DRAFT
    )
    response = alice_web.get("/dashboard/programs/?status=draft", HTTP_HX_REQUEST="true")
    assert list(response.context["page_obj"]) == [draft]
    assert 'id="results"' in page(response)
    assert list(alice_web.get("/dashboard/programs/?q=shoe").context["page_obj"]) == [program]
    # A status that does not exist filters nothing and never errors.
    response = alice_web.get("/dashboard/programs/?status=bogus&page=99")
    assert response.status_code == 200
    assert set(response.context["page_obj"]) == {program, draft}


def test_creating_a_program_makes_a_draft_in_the_current_mode(alice_web, merchant):
    response = alice_web.post("/dashboard/programs/new/", form_data())
    program = Program.objects.get(merchant=merchant)
    assert response["Location"] == f"/dashboard/programs/{program.pk}/"
    assert (program.mode, program.status, program.code, program.name) == (
        "live",
        "draft",
        "summer-shoes",
        "Summer shoes",
    )
    assert (program.commission_type, program.percent_bps, program.cpa_amount_cents) == (
        "cps",
        1500,
        None,
    )
    assert (program.cookie_days, program.hold_days, program.is_public) == (30, 14, True)
    assert (program.terms, program.description) == ("No brand bidding.", "Sandals and more")


def test_a_member_creates_a_test_mode_cpa_program_in_currency_units(bob_web, merchant):
    switch_mode(bob_web, "test")
    bob_web.post(
        "/dashboard/programs/new/",
        form_data(commission_type="cpa", cpa_amount="25.50", percent="15", is_public=""),
    )
    program = Program.objects.get(merchant=merchant)
    assert (program.mode, program.cpa_amount_cents, program.percent_bps, program.is_public) == (
        "test",
        2550,
        None,
        False,
    )


def test_amounts_follow_the_currency_exponent(alice_web, merchant):
    alice_web.post(
        "/dashboard/programs/new/",
        form_data(currency="JPY", commission_type="cpa", cpa_amount="500", code="yen"),
    )
    assert Program.objects.get(code="yen").cpa_amount_cents == 500
    response = alice_web.post(
        "/dashboard/programs/new/",
        form_data(currency="JPY", commission_type="cpa", cpa_amount="1.5", code="yen-2"),
    )
    assert response.context["form"].errors == {
        "cpa_amount": ["JPY amounts have at most 0 decimals."]
    }
    assert not Program.objects.filter(code="yen-2").exists()


def test_a_revshare_program_keeps_its_months(alice_web):
    alice_web.post(
        "/dashboard/programs/new/",
        form_data(commission_type="revshare", percent="12.5", recurring_months="12"),
    )
    program = Program.objects.get()
    assert (program.percent_bps, program.recurring_months) == (1250, 12)


def test_invalid_input_is_shown_next_to_each_field_and_nothing_is_created(alice_web):
    response = alice_web.post(
        "/dashboard/programs/new/",
        form_data(code="no spaces", landing_url="ftp://x", cookie_days="0", percent="0"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["code"] == ["A code is 3 to 40 characters: letters, digits, '-' and '_'"]
    assert errors["landing_url"] == ["Enter an http:// or https:// URL"]
    assert errors["cookie_days"] == ["Enter a number of days from 1 to 365."]
    assert errors["percent"] == ["Enter a percentage from 0.01 to 100."]
    body = page(response)
    assert 'id="id_landing_url_error"' in body and "Enter an http:// or https:// URL" in body
    assert Program.objects.count() == 0


def test_a_cpa_program_needs_an_amount(alice_web):
    response = alice_web.post("/dashboard/programs/new/", form_data(commission_type="cpa"))
    assert response.context["form"].errors == {"cpa_amount": ["Enter an amount above zero."]}
    assert Program.objects.count() == 0


def test_a_taken_code_is_an_error_on_the_code_field(alice_web, test_program):
    response = alice_web.post("/dashboard/programs/new/", form_data(code="shoes-test"))
    assert response.context["form"].errors == {
        "code": ["This merchant already has a program with this code"]
    }
    assert Program.objects.count() == 1


def test_editing_a_draft_changes_terms_code_and_currency(alice_web, merchant):
    program = ProgramFactory(merchant=merchant, status=ProgramStatus.DRAFT, code="DRAFTY")
    response = alice_web.post(
        f"/dashboard/programs/{program.pk}/edit/",
        form_data(code="renamed", currency="USD", commission_type="cpa", cpa_amount="10"),
    )
    assert response["Location"] == f"/dashboard/programs/{program.pk}/"
    program.refresh_from_db()
    assert (program.code, program.currency, program.commission_type) == ("renamed", "USD", "cpa")
    assert (program.cpa_amount_cents, program.percent_bps) == (1000, None)


def test_a_published_programs_type_code_and_currency_are_locked_but_its_rate_is_not(
    alice_web, program
):
    # A rate change of a published program is a new terms version (its own tests are in
    # tests/dashboard/test_program_terms_pages.py).
    form = alice_web.get(f"/dashboard/programs/{program.pk}/edit/").context["form"]
    assert {name for name, field in form.fields.items() if field.disabled} == {
        "code",
        "currency",
        "commission_type",
    }
    alice_web.post(
        f"/dashboard/programs/{program.pk}/edit/",
        form_data(name="Shoes & boots", code="other", percent="50", currency="USD"),
    )
    program.refresh_from_db()
    assert (program.name, program.code, program.percent_bps, program.currency) == (
        "Shoes & boots",
        "SHOES",
        5000,
        "EUR",
    )


def test_a_paused_programs_terms_can_change(alice_web, program):
    Program.objects.filter(pk=program.pk).update(status=ProgramStatus.PAUSED)
    alice_web.post(f"/dashboard/programs/{program.pk}/edit/", form_data(percent="20"))
    program.refresh_from_db()
    assert program.percent_bps == 2000


def test_an_archived_program_cannot_be_edited(alice_web, program):
    Program.objects.filter(pk=program.pk).update(status=ProgramStatus.ARCHIVED)
    response = alice_web.post(f"/dashboard/programs/{program.pk}/edit/", form_data())
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["An archived program cannot be changed"]
    program.refresh_from_db()
    assert program.name == "Shoes"


@pytest.mark.parametrize(
    ("start", "action", "end"),
    [
        ("draft", "publish", "published"),
        ("published", "pause", "paused"),
        ("paused", "publish", "published"),
        ("published", "archive", "archived"),
        ("draft", "archive", "archived"),
    ],
)
def test_status_buttons_follow_the_status_machine(alice_web, program, start, action, end):
    Program.objects.filter(pk=program.pk).update(status=start)
    response = alice_web.post(f"/dashboard/programs/{program.pk}/status/{action}/", follow=True)
    program.refresh_from_db()
    assert program.status == end
    assert flashed(response) == [f"Shoes is now {end}."]


def test_a_refused_status_change_says_why_and_changes_nothing(alice_web, program):
    Program.objects.filter(pk=program.pk).update(status=ProgramStatus.ARCHIVED)
    response = alice_web.post(f"/dashboard/programs/{program.pk}/status/publish/", follow=True)
    assert flashed(response) == ["An archived program cannot be published"]
    program.refresh_from_db()
    assert program.status == "archived"
    assert alice_web.post(f"/dashboard/programs/{program.pk}/status/delete/").status_code == 404
    assert alice_web.get(f"/dashboard/programs/{program.pk}/status/pause/").status_code == 405


def test_the_detail_page_offers_only_the_allowed_status_buttons(alice_web, program):
    response = alice_web.get(f"/dashboard/programs/{program.pk}/")
    assert [action for action, _label in response.context["status_buttons"]] == [
        "pause",
        "archive",
    ]
    Program.objects.filter(pk=program.pk).update(status=ProgramStatus.ARCHIVED)
    response = alice_web.get(f"/dashboard/programs/{program.pk}/")
    assert response.context["status_buttons"] == []
    assert f"/dashboard/programs/{program.pk}/edit/" not in page(response)
