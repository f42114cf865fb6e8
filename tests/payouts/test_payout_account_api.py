"""GET|PUT /api/v1/partner/payout-account: one active method, validated, IBAN masked."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Partner
from payouts.models import PayoutAccount
from tests.conftest import assert_error
from tests.payouts.conftest import IBAN, raw_rows, raw_text

pytestmark = pytest.mark.django_db

URL = "/api/v1/partner/payout-account"

# Address examples from BIP 173 / BIP 350 and the Bitcoin wiki.
MAINNET = {
    "p2pkh": "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
    "p2sh": "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
    "bech32": "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    "taproot": "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297",
}
TESTNET_BECH32 = "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"
REGTEST_BECH32 = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"


def put(client: APIClient, body: dict[str, Any]) -> Any:
    return client.put(URL, body, format="json")


def test_no_account_yet_is_404(partner_client: APIClient) -> None:
    assert_error(partner_client.get(URL), 404, "NOT_FOUND")


def test_sepa_account_is_stored_encrypted_and_answered_masked(
    partner_client: APIClient, partner: Partner
) -> None:
    response = put(
        partner_client,
        {"method": "sepa", "account_holder": " Jane Doe ", "iban": "de89 3704 0044 0532 0130 00"},
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body == {
        "id": body["id"],
        "method": "sepa",
        "description": "SEPA transfer to IBAN •••• 3000",
        "account_holder": "Jane Doe",
        "iban": "•••• 3000",
        "bic": "COBADEFFXXX",
        "email": "",
        "address": "",
        "network": "",
        "instructions": "",
        "created_at": body["created_at"],
    }
    assert partner_client.get(URL).json() == body
    [row] = raw_rows("payouts_payoutaccount", partner)
    assert IBAN not in raw_text("payouts_payoutaccount", partner)
    assert (row["iban_last4"], row["is_active"]) == ("3000", True)
    assert PayoutAccount.objects.get(partner=partner).iban == IBAN


def test_a_given_bic_is_validated_and_kept(partner_client: APIClient) -> None:
    body = {"method": "sepa", "account_holder": "J", "iban": IBAN, "bic": "deutdeffxxx"}
    assert put(partner_client, body).json()["bic"] == "DEUTDEFFXXX"


def test_paypal_and_manual_accounts(partner_client: APIClient) -> None:
    paypal = put(partner_client, {"method": "paypal", "email": " Jane@Example.COM "}).json()
    assert (paypal["email"], paypal["description"]) == (
        "jane@example.com",
        "PayPal to jane@example.com",
    )
    manual = put(partner_client, {"method": "manual", "instructions": "Cheque to PO box 12"})
    assert manual.json()["instructions"] == "Cheque to PO box 12"


@pytest.mark.parametrize("kind", sorted(MAINNET))
def test_every_mainnet_address_type_is_accepted(partner_client: APIClient, kind: str) -> None:
    response = put(partner_client, {"method": "bitcoin", "address": MAINNET[kind]})
    assert response.status_code == 200, response.json()
    assert (response.json()["address"], response.json()["network"]) == (MAINNET[kind], "mainnet")


@pytest.mark.parametrize(
    ("network", "address"),
    [("testnet", TESTNET_BECH32), ("signet", TESTNET_BECH32), ("regtest", REGTEST_BECH32)],
)
def test_addresses_of_the_configured_test_network_are_accepted(
    partner_client: APIClient, settings: Any, network: str, address: str
) -> None:
    settings.SELGEO_BITCOIN_NETWORK = network
    response = put(partner_client, {"method": "bitcoin", "address": address})
    assert response.status_code == 200, response.json()
    assert response.json()["network"] == network


def test_replacing_keeps_the_previous_account_inactive(
    partner_client: APIClient, partner: Partner
) -> None:
    first = put(partner_client, {"method": "paypal", "email": "jane@example.com"}).json()
    second = put(partner_client, {"method": "manual", "instructions": "Cash"}).json()

    rows = PayoutAccount.objects.filter(partner=partner).order_by("created_at")
    assert [(str(a.pk), a.method, a.is_active) for a in rows] == [
        (first["id"], "paypal", False),
        (second["id"], "manual", True),
    ]
    assert rows[0].deactivated_at is not None and rows[1].deactivated_at is None
    assert partner_client.get(URL).json()["id"] == second["id"]


BAD = [
    ("bad iban checksum", {"iban": "DE89370400440532013001"}, "iban", "Bad IBAN checksum"),
    (
        "iban too short",
        {"iban": "DE8937040044053201300"},
        "iban",
        "Wrong length for an IBAN of this country",
    ),
    (
        "iban unknown country",
        {"iban": "XX89370400440532013000"},
        "iban",
        "Unknown IBAN country code",
    ),
    (
        "iban outside sepa",
        {"iban": "BR1800360305000010009795493C1"},
        "iban",
        "IBAN country BR is not in the SEPA zone",
    ),
    ("bad bic", {"iban": IBAN, "bic": "XXXX"}, "bic", "Not a valid BIC (Invalid length '4')"),
    ("no holder", {"account_holder": ""}, "account_holder", "This field is required"),
    ("holder too long", {"account_holder": "x" * 141}, "account_holder", "At most 140 characters"),
    (
        "holder with NUL",
        {"account_holder": "Jane\x00Doe"},
        "account_holder",
        "Null characters are not allowed.",
    ),
    ("no iban", {"iban": ""}, "iban", "This field is required"),
    ("iban not a string", {"iban": 12}, "iban", "Expected a string"),
]


@pytest.mark.parametrize(
    ("changes", "field", "message"), [c[1:] for c in BAD], ids=[c[0] for c in BAD]
)
def test_bad_sepa_details_are_400_naming_field_and_reason(
    partner_client: APIClient, partner: Partner, changes: dict[str, Any], field: str, message: str
) -> None:
    put(partner_client, {"method": "paypal", "email": "jane@example.com"})
    before = list(PayoutAccount.objects.values())
    body = {"method": "sepa", "account_holder": "Jane Doe", "iban": IBAN, **changes}

    error = assert_error(put(partner_client, body), 400, "VALIDATION_ERROR")

    assert {"field": field, "message": message} in error["details"], error
    assert list(PayoutAccount.objects.values()) == before


OTHER_BAD = [
    (
        "paypal bad email",
        {"method": "paypal", "email": "nope"},
        "email",
        "Enter a valid email address",
    ),
    ("paypal no email", {"method": "paypal"}, "email", "This field is required"),
    (
        "bitcoin garbage",
        {"method": "bitcoin", "address": "bc1notanaddress"},
        "address",
        "Not a valid Bitcoin address",
    ),
    (
        "bitcoin bad checksum",
        {"method": "bitcoin", "address": MAINNET["p2pkh"][:-1] + "3"},
        "address",
        "Not a valid Bitcoin address",
    ),
    (
        "bitcoin testnet on mainnet",
        {"method": "bitcoin", "address": TESTNET_BECH32},
        "address",
        "This is a testnet / signet address; payouts are sent on mainnet",
    ),
    (
        "bitcoin regtest on mainnet",
        {"method": "bitcoin", "address": REGTEST_BECH32},
        "address",
        "This is a regtest address; payouts are sent on mainnet",
    ),
    (
        "manual too long",
        {"method": "manual", "instructions": "x" * 1001},
        "instructions",
        "At most 1000 characters",
    ),
    (
        "manual empty",
        {"method": "manual", "instructions": "  "},
        "instructions",
        "This field is required",
    ),
    (
        "field of another method",
        {"method": "paypal", "email": "a@b.co", "iban": IBAN},
        "iban",
        "Unknown field for payout method paypal",
    ),
    ("unknown method", {"method": "cheque"}, "method", '"cheque" is not a valid choice.'),
    (
        "unknown field",
        {"method": "paypal", "email": "a@b.co", "colour": "red"},
        "colour",
        "Unknown field",
    ),
]


@pytest.mark.parametrize(
    ("body", "field", "message"), [c[1:] for c in OTHER_BAD], ids=[c[0] for c in OTHER_BAD]
)
def test_bad_details_of_other_methods_are_400_and_change_nothing(
    partner_client: APIClient, body: dict[str, Any], field: str, message: str
) -> None:
    error = assert_error(put(partner_client, body), 400, "VALIDATION_ERROR")
    assert {"field": field, "message": message} in error["details"], error
    assert not PayoutAccount.objects.exists()


def test_a_mainnet_address_is_refused_on_testnet_naming_its_network(
    partner_client: APIClient, settings: Any
) -> None:
    settings.SELGEO_BITCOIN_NETWORK = "testnet"
    error = assert_error(
        put(partner_client, {"method": "bitcoin", "address": MAINNET["taproot"]}),
        400,
        "VALIDATION_ERROR",
    )
    assert error["details"] == [
        {"field": "address", "message": "This is a mainnet address; payouts are sent on testnet"}
    ]


def test_the_log_line_names_the_iban_only_masked(
    partner_client: APIClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="selgeo.payouts"):
        put(partner_client, {"method": "sepa", "account_holder": "Jane", "iban": IBAN})

    assert "SEPA transfer to IBAN •••• 3000" in caplog.text
    assert IBAN not in caplog.text and "0532" not in caplog.text


def test_another_partner_never_reads_or_replaces_this_account(
    partner_client: APIClient, other_partner_client: APIClient, partner: Partner
) -> None:
    mine = put(partner_client, {"method": "sepa", "account_holder": "Jane", "iban": IBAN}).json()

    assert_error(other_partner_client.get(URL), 404, "NOT_FOUND")
    put(other_partner_client, {"method": "paypal", "email": "other@example.com"})

    assert partner_client.get(URL).json() == mine
    assert PayoutAccount.objects.get(partner=partner, is_active=True).iban == IBAN


def test_merchants_and_anonymous_callers_are_refused(
    alice_client: APIClient, anon_client: APIClient
) -> None:
    assert_error(alice_client.get(URL), 403, "FORBIDDEN")
    assert_error(alice_client.put(URL, {"method": "manual", "instructions": "x"}), 403, "FORBIDDEN")
    assert_error(anon_client.get(URL), 401, "UNAUTHORIZED")
    assert not PayoutAccount.objects.exists()
