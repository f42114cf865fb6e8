"""Every text input has a maximum the server enforces (dashboard and portal forms, the API
serializers behind them, the services and the admin); countries come from the maintained
ISO 3166-1 list. An over-long or unknown value is a clear error and nothing is stored."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import pytest
from django import forms
from django.test import Client
from rest_framework import serializers
from rest_framework.test import APIClient

from accounts.models import Partner, User
from partners.models import Program
from payouts.models import PayoutMethod, TaxForm
from payouts.run_models import PayoutSettings
from selgeo.api.serializers import StrictSerializer
from tests.conftest import assert_error
from tests.dashboard.conftest import browser
from tests.dashboard.test_programs import form_data
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

HUGE = "x" * 200_000
STRONG = "a-long-passphrase-42"

FORM_MODULES = [
    "dashboard.forms",
    "dashboard.program_forms",
    "dashboard.partner_forms",
    "dashboard.payout_forms",
    "dashboard.payout_detail_forms",
    "dashboard.developer_forms",
    "dashboard.report_forms",
]
SERIALIZER_MODULES = [
    "accounts.serializers",
    "conversions.serializers",
    "partners.serializers",
    "payouts.api.serializers",
    "payouts.api.run_serializers",
    "tracking.serializers",
    "webhooks.serializers",
]


def _form_instances() -> list[forms.BaseForm]:
    """Every form of the dashboard and the portal, with each variant of the dynamic ones."""
    from dashboard.partner_forms import ConfirmByNameForm
    from dashboard.payout_detail_forms import PayoutAccountForm, TaxDetailsForm

    found: list[forms.BaseForm] = []
    for name in FORM_MODULES:
        for _, cls in inspect.getmembers(importlib.import_module(name), inspect.isclass):
            if not issubclass(cls, forms.BaseForm) or cls.__module__ != name:
                continue
            if cls is PayoutAccountForm:
                found += [cls(method=method) for method in PayoutMethod.values]
            elif cls is TaxDetailsForm:
                found += [cls(tax_form=form) for form in TaxForm.values]
            elif cls is ConfirmByNameForm:
                found.append(cls(expected="Jane"))
            else:
                found.append(cls())
    return found


def test_every_text_input_of_every_form_has_a_maximum() -> None:
    forms_found = _form_instances()
    unbounded = [
        f"{type(form).__name__}.{name}"
        for form in forms_found
        for name, field in form.fields.items()
        # A UUID has its own fixed shape.
        if isinstance(field, forms.CharField)
        and not isinstance(field, forms.UUIDField)
        and field.max_length is None
    ]

    assert len(forms_found) > 25
    assert unbounded == []


def test_every_text_the_api_accepts_has_a_maximum() -> None:
    unbounded = []
    checked = 0
    for name in SERIALIZER_MODULES:
        for _, cls in inspect.getmembers(importlib.import_module(name), inspect.isclass):
            if not issubclass(cls, StrictSerializer) or cls.__module__ != name:
                continue
            for field_name, field in cls().fields.items():
                if field.read_only or not isinstance(field, serializers.CharField):
                    continue
                checked += 1
                if field.max_length is None:
                    unbounded.append(f"{cls.__name__}.{field_name}")

    assert checked > 40
    assert unbounded == []


# Dashboard and portal forms ------------------------------------------------------------


def test_a_200000_character_program_description_is_refused_and_nothing_stored(
    alice_web: Client,
) -> None:
    response = alice_web.post("/dashboard/programs/new/", form_data(description=HUGE))

    assert response.status_code == 200
    assert response.context["form"].errors["description"] == [
        "Ensure this value has at most 10000 characters (it has 200000)."
    ]
    assert not Program.objects.exists()


def test_over_long_program_terms_are_refused_on_edit_and_nothing_changes(
    alice_web: Client, merchant: Any
) -> None:
    alice_web.post("/dashboard/programs/new/", form_data())
    program = Program.objects.get()
    before = Program.objects.values().get()

    response = alice_web.post(
        f"/dashboard/programs/{program.pk}/edit/", form_data(terms="t" * 20_001)
    )

    assert response.status_code == 200
    assert response.context["form"].errors["terms"] == [
        "Ensure this value has at most 20000 characters (it has 20001)."
    ]
    assert Program.objects.values().get() == before


def test_an_over_long_password_is_refused_at_sign_up_and_nobody_is_created(
    client: Client,
) -> None:
    response = client.post(
        "/signup/",
        {"company_name": "Shoe Shop", "email": "sam@shoes.example", "password": "p" * 129},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["password"] == [
        "Ensure this value has at most 128 characters (it has 129)."
    ]
    assert not User.objects.exists()


def test_an_over_long_password_at_log_in_is_an_error_not_a_hash(client: Client) -> None:
    user = UserFactory()

    response = client.post("/login/", {"email": user.email, "password": HUGE})

    assert response.status_code == 200
    assert response.context["form"].errors["password"] == [
        "Ensure this value has at most 128 characters (it has 200000)."
    ]


def test_over_long_payout_minimums_are_refused_and_nothing_saved(alice: User, merchant) -> None:
    response = browser(alice, merchant).post(
        "/dashboard/payouts/settings/",
        {"schedule": "manual", "minimums": "EUR 1\n" * 1000},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["minimums"] == [
        "Ensure this value has at most 5000 characters (it has 5999)."
    ]
    assert not PayoutSettings.objects.exists()


# The API and the services behind the forms ---------------------------------------------


def test_the_api_refuses_an_over_long_description(alice_client: APIClient) -> None:
    """(200,000 characters is over the API's body cap: a 413 before any field is read.)"""
    from tests.partners.test_programs import valid

    response = alice_client.post(
        "/api/v1/programs?mode=test", valid(description="d" * 10_001), format="json"
    )

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"] == [
        {"field": "description", "message": "Ensure this field has no more than 10000 characters."}
    ]
    assert not Program.objects.exists()


def test_the_program_service_refuses_over_long_texts_whoever_calls_it(merchant) -> None:
    from partners import services
    from selgeo.api.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        services.program_create(
            merchant=merchant,
            mode="test",
            code="SUMMER",
            name="Summer",
            description=HUGE,
            terms="t" * 20_001,
            currency="EUR",
            commission_type="cps",
            percent_bps=1000,
            landing_url="https://shop.example.com/",
        )

    assert refused.value.details == [
        {"field": "description", "message": "description must be at most 10000 characters"},
        {"field": "terms", "message": "terms must be at most 20000 characters"},
    ]
    assert not Program.objects.exists()


# The admin -------------------------------------------------------------------------------


@pytest.fixture
def staff() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_admin_refuses_an_over_long_program_description(
    staff: Client, alice_web: Client
) -> None:
    alice_web.post("/dashboard/programs/new/", form_data())
    program = Program.objects.get()
    before = Program.objects.values().get()
    page = staff.get(f"/admin/partners/program/{program.pk}/change/")
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in {**form.initial, "merchant": str(program.merchant_id)}.items()
        if value is not None and name in form.fields
    }
    data["is_public"] = "on" if data.get("is_public") else ""

    response = staff.post(
        f"/admin/partners/program/{program.pk}/change/", {**data, "description": HUGE}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["description"] == [
        "Ensure this value has at most 10000 characters (it has 200000)."
    ]
    assert Program.objects.values().get() == before


def test_the_admin_refuses_an_over_long_password(staff: Client) -> None:
    user = UserFactory()

    response = staff.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": "p" * 129, "password2": "p" * 129},
    )

    assert response.status_code == 200
    assert "at most 128 characters" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


# Countries ------------------------------------------------------------------------------


@pytest.mark.parametrize("country", ["XX", "ZZ", "UK", "EU", "QM", "D1"])
def test_partner_sign_up_refuses_a_code_that_is_no_country(client: Client, country: str) -> None:
    response = client.post(
        "/partner/signup/",
        {
            "display_name": "Jane",
            "email": "jane@blog.example",
            "password": STRONG,
            "country": country,
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["country"] == ["Use an ISO 3166-1 alpha-2 country code"]
    assert not User.objects.exists()


def test_partner_sign_up_takes_a_listed_country_in_any_case(client: Client) -> None:
    response = client.post(
        "/partner/signup/",
        {"display_name": "Jane", "email": "jane@blog.example", "password": STRONG, "country": "gb"},
    )

    assert response.status_code == 302
    assert Partner.objects.get().country == "GB"


def test_the_register_api_refuses_xx_and_creates_nobody(anon_client: APIClient) -> None:
    response = anon_client.post(
        "/api/v1/auth/register",
        {
            "email": "jane@blog.example",
            "password": STRONG,
            "account_type": "partner",
            "display_name": "Jane",
            "country": "XX",
        },
        format="json",
    )

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"] == [
        {"field": "country", "message": "Use an ISO 3166-1 alpha-2 country code"}
    ]
    assert not User.objects.exists()


def test_the_partner_service_refuses_xx_whoever_calls_it() -> None:
    from accounts import services
    from selgeo.api.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        services.partner_register(
            email="jane@blog.example", password=STRONG, display_name="Jane", country="XX"
        )

    assert refused.value.details == [
        {"field": "country", "message": "Use an ISO 3166-1 alpha-2 country code"}
    ]
    assert not User.objects.exists()


def test_becoming_a_partner_refuses_xx(alice: User) -> None:
    response = browser(alice).post(
        "/partner/profile/new/", {"display_name": "Alice Deals", "country": "XX"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["country"] == ["Use an ISO 3166-1 alpha-2 country code"]
    assert not Partner.objects.exists()


def test_the_tax_form_refuses_xx_as_a_citizenship(partner: Partner) -> None:
    assert partner.user is not None
    response = browser(partner.user).post(
        "/partner/payout-details/tax/",
        {
            "form": "w8ben",
            "legal_name": "Jane Doe",
            "country": "XX",
            "entity_type": "individual",
            "tax_id": "12345678901",
            "citizenship_country": "XX",
            "signature": "Jane Doe",
        },
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["country"] == ["Use an ISO 3166-1 alpha-2 country code"]
    assert errors["citizenship_country"] == ["Use an ISO 3166-1 alpha-2 country code"]
