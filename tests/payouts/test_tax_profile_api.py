"""GET|PUT /api/v1/partner/tax-profile and its rendered form: validated, signed, masked."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Partner
from payouts import encryption
from payouts.models import TaxProfile
from tests.conftest import assert_error
from tests.payouts.conftest import W8BEN_FIELDS, raw_rows, raw_text, w8ben

pytestmark = pytest.mark.django_db

URL = "/api/v1/partner/tax-profile"
FORM_URL = "/api/v1/partner/tax-profile/form"
W9_FIELDS = {
    "tax_classification": "individual",
    "address": "1 Main St",
    "city_state_zip": "Springfield, IL 62701",
    "tin_type": "ssn",
}
W8BENE_FIELDS = {
    "incorporation_country": "FR",
    "chapter3_status": "corporation",
    "chapter4_status": "active_nffe",
    "permanent_address": "1 rue de Rivoli",
    "permanent_city": "75001 Paris",
    "permanent_country": "FR",
}


def put(client: APIClient, body: dict[str, Any]) -> Any:
    return client.put(URL, body, format="json")


def test_a_w8ben_is_signed_stored_encrypted_and_answered_masked(
    partner_client: APIClient, partner: Partner
) -> None:
    response = put(partner_client, w8ben())

    assert response.status_code == 200, response.json()
    body = response.json()
    profile = TaxProfile.objects.get(partner=partner)
    signed = profile.signed_at
    assert {k: v for k, v in body.items() if k != "document"} == {
        "legal_name": "Jane Doe",
        "country": "DE",
        "entity_type": "individual",
        "tax_id_kind": "eu.vat",
        "tax_id": "•••• 5976",
        "form": "w8ben",
        "form_fields": {
            **W8BEN_FIELDS,
            "mailing_address": "",
            "treaty_country": "",
            "treaty_article": "",
            "treaty_rate": "",
            "treaty_income_type": "",
        },
        "signature": "•••• doe",
        "signed_at": body["signed_at"],
        "expires_on": f"{signed.year + 3}-12-31",
        "updated_at": body["updated_at"],
    }
    assert dt.datetime.fromisoformat(body["signed_at"]) == signed
    assert partner_client.get(URL).json() == body
    document = partner_client.get(FORM_URL).json()
    assert document == body["document"]
    assert document["form"] == "w8ben"
    assert document["title"].startswith("Form W-8BEN — Certificate of Foreign Status")
    lines = {line["label"]: line["value"] for part in document["parts"] for line in part["lines"]}
    assert lines["Name"] == "Jane Doe"
    assert lines["Date of birth"] == "1990-04-01"
    assert lines["Foreign tax identifying number"] == "•••• 5976"
    assert lines["Signature (typed)"] == "•••• doe"
    assert lines["Date"] == signed.date().isoformat()
    assert lines["In effect until"] == f"{signed.year + 3}-12-31"
    # The raw row holds tokens only: no tax id, signature, address or birth date.
    text = raw_text("payouts_taxprofile", partner)
    for secret in ("136695976", "jane doe", "Hauptstraße", "1990-04-01"):
        assert secret not in text
    [row] = raw_rows("payouts_taxprofile", partner)
    assert encryption.decrypt(row["tax_id"]) == "DE136695976"
    assert json.loads(encryption.decrypt(row["form_fields"]))["date_of_birth"] == "1990-04-01"


def test_a_w9_with_an_ssn_and_a_w8bene_with_a_treaty_claim(
    partner_client: APIClient, other_partner_client: APIClient
) -> None:
    w9 = put(
        partner_client,
        w8ben(country="US", tax_id="536-90-4399", form="w9", form_fields=W9_FIELDS),
    )
    assert w9.status_code == 200, w9.json()
    assert (w9.json()["tax_id_kind"], w9.json()["tax_id"], w9.json()["expires_on"]) == (
        "us.ssn",
        "•••• 4399",
        None,
    )
    fields = {**W8BENE_FIELDS, "treaty_country": "FR", "treaty_article": "Article 12(1)"}
    body = w8ben(
        legal_name="Acme SARL",
        signature="ACME sarl",
        country="FR",
        entity_type="business",
        tax_id="FR40303265045",
        form="w8bene",
        form_fields=fields,
    )
    w8bene = put(other_partner_client, body)
    assert w8bene.status_code == 200, w8bene.json()
    parts = {part["heading"]: part for part in w8bene.json()["document"]["parts"]}
    treaty = {
        line["label"]: line["value"] for line in parts["Claim of tax treaty benefits"]["lines"]
    }
    assert treaty["Treaty article and paragraph"] == "Article 12(1)"


def test_signing_again_replaces_the_details(partner_client: APIClient, partner: Partner) -> None:
    put(partner_client, w8ben())
    response = put(partner_client, w8ben(tax_id="136695976"))
    assert response.json()["tax_id_kind"] == "de.vat"
    assert TaxProfile.objects.filter(partner=partner).count() == 1


BAD = [
    (
        "vat of another country",
        {"tax_id": "FR40303265045"},
        "tax_id",
        "This is a VAT number of FR, not of DE",
    ),
    (
        "vat bad checksum",
        {"tax_id": "DE136695977"},
        "tax_id",
        "Not a valid tax id for DE (de.vat: The number's checksum or check digit is invalid.; "
        "de.idnr: The number has an invalid format.; de.stnr: The number has an invalid format.)",
    ),
    (
        "wrong form for a non-US individual",
        {"form": "w9"},
        "form",
        "A partner in DE who is an individual signs w8ben, not w9",
    ),
    (
        "wrong form for a business",
        {"entity_type": "business"},
        "form",
        "A partner in DE who is a business signs w8bene, not w8ben",
    ),
    (
        "w8 for a US person",
        {"country": "US", "tax_id": "536-90-4399"},
        "form",
        "A partner in US who is an individual signs w9, not w8ben",
    ),
    (
        "signature not the legal name",
        {"signature": "J. Doe"},
        "signature",
        "The typed signature must be the legal name",
    ),
    ("no signature", {"signature": " "}, "signature", "This field may not be blank."),
    ("unknown country", {"country": "XX"}, "country", "Use an ISO 3166-1 alpha-2 country code"),
    ("bad entity type", {"entity_type": "robot"}, "entity_type", '"robot" is not a valid choice.'),
    (
        "no date of birth",
        {"form_fields": {**W8BEN_FIELDS, "date_of_birth": ""}},
        "form_fields.date_of_birth",
        "This field is required",
    ),
    (
        "bad date of birth",
        {"form_fields": {**W8BEN_FIELDS, "date_of_birth": "01/04/1990"}},
        "form_fields.date_of_birth",
        "Use a date as YYYY-MM-DD",
    ),
    (
        "future date of birth",
        {"form_fields": {**W8BEN_FIELDS, "date_of_birth": "2999-01-01"}},
        "form_fields.date_of_birth",
        "Must be a date in the past",
    ),
    (
        "unknown form field",
        {"form_fields": {**W8BEN_FIELDS, "tin_type": "ssn"}},
        "form_fields.tin_type",
        "Unknown field for form w8ben",
    ),
    (
        "treaty without article",
        {"form_fields": {**W8BEN_FIELDS, "treaty_country": "DE"}},
        "form_fields.treaty_article",
        "A treaty claim needs the country and the article",
    ),
    (
        "US residence on a W-8",
        {"form_fields": {**W8BEN_FIELDS, "permanent_country": "US"}},
        "form_fields.permanent_country",
        "A US resident signs a W-9, not a W-8",
    ),
    (
        "form fields not an object",
        {"form_fields": ["x"]},
        "form_fields",
        'Expected a dictionary of items but got type "list".',
    ),
    ("unknown top-level field", {"iban": "x"}, "iban", "Unknown field"),
]


@pytest.mark.parametrize(
    ("changes", "field", "message"), [c[1:] for c in BAD], ids=[c[0] for c in BAD]
)
def test_bad_tax_details_are_400_naming_field_and_reason_and_change_nothing(
    partner_client: APIClient, changes: dict[str, Any], field: str, message: str
) -> None:
    error = assert_error(put(partner_client, w8ben(**changes)), 400, "VALIDATION_ERROR")
    assert {"field": field, "message": message} in error["details"], error
    assert not TaxProfile.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"tax_id": "04-1234567"},
            "tax_id",
            "Not a valid tax id for US (us.ssn: The number has an invalid format.)",
        ),
        (
            {"form_fields": {**W9_FIELDS, "tax_classification": "c_corporation"}},
            "form_fields.tax_classification",
            "An individual is classified individual/sole proprietor; a business is not",
        ),
        (
            {"form_fields": {**W9_FIELDS, "tin_type": "vat"}},
            "form_fields.tin_type",
            "Use one of: ssn, itin, ein",
        ),
    ],
)
def test_bad_w9_details_are_400(
    partner_client: APIClient, changes: dict[str, Any], field: str, message: str
) -> None:
    body = w8ben(country="US", tax_id="536-90-4399", form="w9", form_fields=W9_FIELDS)
    error = assert_error(put(partner_client, {**body, **changes}), 400, "VALIDATION_ERROR")
    assert {"field": field, "message": message} in error["details"], error
    assert not TaxProfile.objects.exists()


def test_an_ein_for_a_us_business(partner_client: APIClient) -> None:
    fields = {**W9_FIELDS, "tax_classification": "llc", "tin_type": "ein"}
    body = w8ben(
        country="US",
        entity_type="business",
        legal_name="Acme LLC",
        signature="acme llc",
        tax_id="04-1234567",
        form="w9",
        form_fields=fields,
    )
    response = put(partner_client, body)
    assert response.status_code == 200, response.json()
    assert response.json()["tax_id_kind"] == "us.ein"


def test_the_log_line_names_tax_id_and_signature_only_masked(
    partner_client: APIClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="selgeo.payouts"):
        put(partner_client, w8ben())
    assert "tax_id=•••• 5976 (eu.vat) signature=•••• doe" in caplog.text
    assert "136695976" not in caplog.text and "jane doe" not in caplog.text


def test_another_partner_never_reads_these_details(
    partner_client: APIClient, other_partner_client: APIClient
) -> None:
    put(partner_client, w8ben())
    assert_error(other_partner_client.get(URL), 404, "NOT_FOUND")
    assert_error(other_partner_client.get(FORM_URL), 404, "NOT_FOUND")


def test_no_details_yet_is_404_and_merchants_are_refused(
    partner_client: APIClient, alice_client: APIClient
) -> None:
    assert_error(partner_client.get(URL), 404, "NOT_FOUND")
    assert_error(partner_client.get(FORM_URL), 404, "NOT_FOUND")
    assert_error(alice_client.get(URL), 403, "FORBIDDEN")
    assert_error(alice_client.put(URL, w8ben(), format="json"), 403, "FORBIDDEN")


def test_signed_at_is_the_servers_time(partner_client: APIClient, partner: Partner) -> None:
    before = timezone.now()
    put(partner_client, w8ben())
    assert TaxProfile.objects.get(partner=partner).signed_at >= before
