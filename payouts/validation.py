"""Validation of payout destinations and tax ids, each by a maintained library.

IBANs and BICs by `schwifty` (checksum, the country's format, SEPA membership), PayPal
emails by Django's validator, Bitcoin addresses by `embit` (base58check and
bech32/bech32m decoding against the network's prefixes), tax ids by `python-stdnum`
(the country's VAT and tax-id modules, EU VAT numbers by `stdnum.eu.vat`), countries by
`pycountry`. Every check returns the clean value or raises `ValidationFailed` naming
the field and the reason; nothing here is a hand-written pattern.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pycountry
import stdnum
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator
from embit import base58, bech32
from embit.networks import NETWORKS
from schwifty import BIC, IBAN
from schwifty import exceptions as iban_errors
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError

from selgeo.api.errors import ValidationFailed

ACCOUNT_HOLDER_MAX = 140
INSTRUCTIONS_MAX = 1000
TAX_ID_MAX = 40

# SELGEO_BITCOIN_NETWORK's values and embit's names for them.
BITCOIN_NETWORKS = {"mainnet": "main", "testnet": "test", "signet": "signet", "regtest": "regtest"}

# Tax-id modules tried for a country besides its VAT module (`stdnum.get_cc_module(cc,
# "vat")`) and its `tin` module where stdnum has one: the ids individuals and
# businesses are given in the countries Selgeo's partners most often live in.
EXTRA_TAX_ID_MODULES: dict[str, tuple[str, ...]] = {
    "us": ("ein", "ssn", "itin"),
    "gb": ("utr",),
    "de": ("idnr", "stnr"),
    "fr": ("nif", "siren"),
    "es": ("nif",),
    "it": ("codicefiscale",),
    "nl": ("bsn",),
    "be": ("nn",),
    "pt": ("nif",),
    "pl": ("nip",),
    "br": ("cpf",),
    "in": ("pan",),
    "ca": ("sin",),
    "au": ("tfn",),
    "mx": ("rfc",),
}
US_TIN_MODULES = {"ssn": "us.ssn", "itin": "us.itin", "ein": "us.ein"}


def fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"{field}: {message}", details=[{"field": field, "message": message}])


def text(data: dict[str, Any], field: str, maximum: int, *, required: bool = True) -> str:
    """A trimmed string of 1..maximum characters (0.. when optional), never with NUL."""
    value = data.get(field)
    if value is None or value == "":
        if required:
            raise fail(field, "This field is required")
        return ""
    if not isinstance(value, str):
        raise fail(field, "Expected a string")
    value = value.strip()
    if "\x00" in value:
        raise fail(field, "Null characters are not allowed")
    if required and not value:
        raise fail(field, "This field is required")
    if len(value) > maximum:
        raise fail(field, f"At most {maximum} characters")
    return value


def country(value: Any, field: str = "country") -> str:
    if not isinstance(value, str) or not value.strip():
        raise fail(field, "This field is required")
    code = value.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise fail(field, "Use an ISO 3166-1 alpha-2 country code")
    return code


# Payout destinations ---------------------------------------------------------------

_IBAN_REASONS: dict[type[Exception], str] = {
    iban_errors.InvalidChecksumDigits: "Bad IBAN checksum",
    iban_errors.InvalidCountryCode: "Unknown IBAN country code",
    iban_errors.InvalidLength: "Wrong length for an IBAN of this country",
    iban_errors.InvalidStructure: "Does not match the IBAN format of this country",
    iban_errors.InvalidBBANChecksum: "Bad national account number checksum",
    iban_errors.InvalidBankCode: "Unknown bank code for this country",
    iban_errors.InvalidBranchCode: "Unknown branch code for this country",
    iban_errors.InvalidAccountCode: "Invalid account number for this country",
}


@dataclass(frozen=True)
class SepaAccount:
    iban: str
    bic: str


def sepa_account(raw_iban: Any, raw_bic: Any) -> SepaAccount:
    """An IBAN of a SEPA country and its BIC (validated when given, else derived)."""
    if not isinstance(raw_iban, str) or not raw_iban.strip():
        raise fail("iban", "This field is required")
    try:
        iban = IBAN(raw_iban)
    except iban_errors.SchwiftyException as exc:
        reason = next(
            (text for kind, text in _IBAN_REASONS.items() if isinstance(exc, kind)),
            "Not a valid IBAN",
        )
        raise fail("iban", reason) from exc
    if not iban.in_sepa_zone:
        raise fail("iban", f"IBAN country {iban.country_code} is not in the SEPA zone")
    if raw_bic is None or raw_bic == "":
        derived = iban.bic
        return SepaAccount(iban=iban.compact, bic=str(derived) if derived else "")
    if not isinstance(raw_bic, str):
        raise fail("bic", "Expected a string")
    try:
        bic = BIC(raw_bic)
    except iban_errors.SchwiftyException as exc:
        raise fail("bic", f"Not a valid BIC ({exc})") from exc
    return SepaAccount(iban=iban.compact, bic=bic.compact)


def paypal_email(value: Any) -> str:
    email = text({"email": value}, "email", 254)
    try:
        EmailValidator()(email)
    except DjangoValidationError as exc:
        raise fail("email", "Enter a valid email address") from exc
    return email.lower()


def _bitcoin_networks_of(address: str) -> list[str]:
    """The networks (SELGEO_BITCOIN_NETWORK names) on which `address` is valid."""
    found = []
    try:
        payload = base58.decode_check(address)
    except Exception:  # embit raises bare ValueError/Exception subclasses on garbage
        payload = b""
    for name, embit_name in BITCOIN_NETWORKS.items():
        net = NETWORKS[embit_name]
        base58_match = len(payload) == 21 and payload[:1] in (net["p2pkh"], net["p2sh"])
        if base58_match or bech32.decode(net["bech32"], address.lower())[0] is not None:
            found.append(name)
    return found


def bitcoin_address(
    value: Any, *, network: str | None = None, field: str = "address", sent: str = "payouts"
) -> str:
    """An address (legacy P2PKH, P2SH, bech32 or bech32m/taproot) of `network` (by default
    the configured SELGEO_BITCOIN_NETWORK); errors name `field`."""
    address = text({field: value}, field, 100)
    configured = network or settings.SELGEO_BITCOIN_NETWORK
    networks = _bitcoin_networks_of(address)
    if configured in networks:
        return address.lower() if address.lower().startswith(("bc1", "tb1", "bcrt1")) else address
    if networks:
        raise fail(
            field,
            f"This is a {' / '.join(networks)} address; {sent} are sent on {configured}",
        )
    raise fail(field, "Not a valid Bitcoin address")


# Tax ids -----------------------------------------------------------------------------


def _module_name(module: ModuleType) -> str:
    return module.__name__.removeprefix("stdnum.").replace("in_.", "in.")


def _country_modules(cc: str) -> list[Any]:
    names = ["vat", *EXTRA_TAX_ID_MODULES.get(cc, ()), "tin"]
    modules: list[Any] = []
    for name in names:
        module = stdnum.get_cc_module(cc, name)
        if module is not None and module not in modules:
            modules.append(module)
    return modules


def _vat_country(value: str) -> str | None:
    """The country whose VAT module validates `value` by its two-letter prefix, if any."""
    prefix = value[:2].upper()
    if not prefix.isalpha():
        return None
    cc = "gr" if prefix == "EL" else prefix.lower()
    module = stdnum.get_cc_module(cc, "vat") if len(cc) == 2 else None
    if cc in eu_vat.MEMBER_STATES:
        module = eu_vat
    if module is not None and module.is_valid(value):
        return cc.upper()
    return None


def tax_id(value: Any, country_code: str, *, us_tin_type: str = "") -> tuple[str, str]:
    """(kind, compact tax id) for a partner of `country_code`; kind names stdnum's module.

    An EU VAT number with its country prefix is checked by `stdnum.eu.vat` and must be of
    the partner's country; otherwise the country's VAT and tax-id modules are tried in
    turn. A country stdnum has no module for takes the id as given (kind empty).
    """
    raw = text({"tax_id": value}, "tax_id", TAX_ID_MAX)
    cc = country_code.lower()
    other = _vat_country(raw)
    if other is not None and other != country_code:
        raise fail("tax_id", f"This is a VAT number of {other}, not of {country_code}")
    if cc in eu_vat.MEMBER_STATES and raw[:2].isalpha() and eu_vat.is_valid(raw):
        return "eu.vat", eu_vat.compact(raw)
    modules = _country_modules(cc)
    if us_tin_type:
        modules = [m for m in modules if _module_name(m) == US_TIN_MODULES[us_tin_type]]
    if not modules:
        return "", raw
    reasons = []
    for module in modules:
        try:
            compact = module.validate(raw)
        except StdnumError as exc:
            reasons.append(f"{_module_name(module)}: {exc}")
        else:
            return _module_name(module), str(compact)
    raise fail("tax_id", f"Not a valid tax id for {country_code} ({'; '.join(reasons)})")
