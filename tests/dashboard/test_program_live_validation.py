"""Live validation of the program form: errors for the fields typed so far, nothing saved."""

from __future__ import annotations

import pytest

from partners.models import Program
from tests.dashboard.conftest import page
from tests.dashboard.test_programs import form_data

pytestmark = pytest.mark.django_db


def error_box(field: str, message: str = "") -> str:
    box = f'<div class="field-errors" id="id_{field}_error" hx-swap-oob="true">'
    return box + (f'<ul class="errorlist"><li>{message}</li></ul></div>' if message else "</div>")


def test_the_form_asks_for_live_validation_and_still_posts_normally(alice_web):
    body = page(alice_web.get("/dashboard/programs/new/"))
    assert '<form method="post" class="stacked program-form" novalidate' in body
    assert 'hx-post="/dashboard/programs/validate/"' in body
    assert 'hx-swap="none"' in body


def test_typed_fields_get_their_errors_and_empty_ones_stay_quiet(alice_web):
    response = alice_web.post(
        "/dashboard/programs/validate/",
        {"name": "Summer", "landing_url": "not a url", "code": "", "cookie_days": "400"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = page(response)
    assert error_box("landing_url", "Enter an http:// or https:// URL") in body
    assert error_box("cookie_days", "Enter a number of days from 1 to 365.") in body
    assert error_box("code") in body
    assert error_box("name") in body
    assert "<form" not in body  # only the error boxes: what is typed is never replaced
    assert Program.objects.count() == 0


def test_a_valid_form_validates_clean(alice_web):
    body = page(alice_web.post("/dashboard/programs/validate/", form_data()))
    assert "errorlist" not in body


def test_a_taken_code_is_reported_while_typing(alice_web, test_program):
    body = page(alice_web.post("/dashboard/programs/validate/", form_data(code="SHOES-test")))
    assert error_box("code", "This merchant already has a program with this code") in body


def test_editing_validates_against_the_programs_status(alice_web, program):
    url = f"/dashboard/programs/{program.pk}/validate/"
    body = page(alice_web.post(url, form_data(name="Renamed")))
    assert "errorlist" not in body
    # The program keeps its own code without a "taken" error.
    body = page(alice_web.post(url, form_data(code="SHOES")))
    assert "already has a program" not in body
    program.refresh_from_db()
    assert program.name == "Shoes"


def test_an_archived_program_reports_it_cannot_change(alice_web, program):
    Program.objects.filter(pk=program.pk).update(status="archived")
    body = page(alice_web.post(f"/dashboard/programs/{program.pk}/validate/", form_data()))
    assert 'id="form-errors" role="alert" hx-swap-oob="true"' in body
    assert "An archived program cannot be changed" in body


def test_validation_needs_post_and_stays_in_scope(alice_web, other_program, test_program):
    assert alice_web.get("/dashboard/programs/validate/").status_code == 405
    for other in (other_program, test_program):
        response = alice_web.post(f"/dashboard/programs/{other.pk}/validate/", form_data())
        assert response.status_code == 404
