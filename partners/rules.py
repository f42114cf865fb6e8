"""The partner domain's validation rules, shared by services, serializers and the admin.

Each check returns `details` entries (`{"field", "message"}`) instead of raising, so a
caller can report every problem of a request at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator, URLValidator

from partners.models import CommissionType, ProgramStatus
from selgeo.countries import COUNTRY_RULE, is_country
from selgeo.currencies import is_currency

Details = list[dict[str, str]]

CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{3,40}$")
CODE_RULE = "3 to 40 characters: letters, digits, '-' and '_'"
BPS_MAX = 10_000  # 100%
CPA_AMOUNT_MAX = 10**12
RECURRING_MONTHS_MAX = 120
COOKIE_DAYS_MAX = 365
HOLD_DAYS_MAX = 365
URL_MAX = 2000
# Every text a merchant or partner types has a bound the server enforces (forms, API,
# services and the admin alike).
NAME_MAX = 200
DESCRIPTION_MAX = 10_000
TERMS_MAX = 20_000
MESSAGE_MAX = 2000
# A program lists the other currencies it converts; ISO 4217 has about 180 codes, and no
# shop sells in more than a few dozen.
ACCEPTED_CURRENCIES_MAX = 50
ACCEPTED_CURRENCIES_RULE = (
    f"a list of at most {ACCEPTED_CURRENCIES_MAX} distinct ISO 4217 codes in upper case"
)

# Program status machine. Archived is terminal: an archived program's code stays
# reserved (codes are unique per merchant), so reopening means a new program with a new
# code, and nothing a partner once saw under the old code can silently change.
PROGRAM_TRANSITIONS: dict[str, frozenset[str]] = {
    ProgramStatus.DRAFT: frozenset({ProgramStatus.PUBLISHED, ProgramStatus.ARCHIVED}),
    ProgramStatus.PUBLISHED: frozenset({ProgramStatus.PAUSED, ProgramStatus.ARCHIVED}),
    ProgramStatus.PAUSED: frozenset({ProgramStatus.PUBLISHED, ProgramStatus.ARCHIVED}),
    ProgramStatus.ARCHIVED: frozenset(),
}

# What may change in which status. The rates (amounts, basis points, RevShare months)
# may change at any time before archiving: each change after publication is a new
# terms version for conversions from then on (`partners.services.terms`), and the
# partners are told. The commission type changes the program's rules (CPA limits,
# RevShare windows), so it changes only before publication or while the program is
# paused. The currency and the code are fixed at publication: commissions and
# postbacks already refer to them.
TERMS_FIELDS = frozenset({"commission_type", "cpa_amount_cents", "percent_bps", "recurring_months"})
TYPE_FIELDS = frozenset({"commission_type"})
DRAFT_ONLY_FIELDS = frozenset({"currency", "code"})
TERMS_EDITABLE_IN = frozenset({ProgramStatus.DRAFT, ProgramStatus.PAUSED})

_url_validator = URLValidator(schemes=["http", "https"])
_email_validator = EmailValidator()


def code_errors(field: str, value: Any) -> Details:
    if not isinstance(value, str) or not CODE_PATTERN.match(value):
        return [{"field": field, "message": f"A code is {CODE_RULE}"}]
    return []


def url_errors(field: str, value: Any, *, allow_blank: bool = False) -> Details:
    if allow_blank and value == "":
        return []
    message = "Enter an http:// or https:// URL"
    if not isinstance(value, str) or len(value) > URL_MAX:
        return [{"field": field, "message": message}]
    try:
        _url_validator(value)
    except DjangoValidationError:
        return [{"field": field, "message": message}]
    if urlsplit(value).scheme.lower() not in {"http", "https"}:
        return [{"field": field, "message": message}]
    return []


def _int_in(values: Mapping[str, Any], field: str, low: int, high: int) -> Details:
    value = values.get(field)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return [{"field": field, "message": f"{field} must be an integer from {low} to {high}"}]
    return []


def _must_be_null(values: Mapping[str, Any], field: str, kind: str) -> Details:
    if values.get(field) is not None:
        return [{"field": field, "message": f"{field} does not apply to {kind} programs"}]
    return []


def commission_errors(values: Mapping[str, Any]) -> Details:
    """CPA pays a fixed amount; CPS a share of the sale; RevShare a share for N months."""
    kind = values.get("commission_type")
    if kind == CommissionType.CPA:
        return [
            *_int_in(values, "cpa_amount_cents", 1, CPA_AMOUNT_MAX),
            *_must_be_null(values, "percent_bps", kind),
            *_must_be_null(values, "recurring_months", kind),
        ]
    if kind == CommissionType.CPS:
        return [
            *_int_in(values, "percent_bps", 1, BPS_MAX),
            *_must_be_null(values, "cpa_amount_cents", kind),
            *_must_be_null(values, "recurring_months", kind),
        ]
    if kind == CommissionType.REVSHARE:
        return [
            *_int_in(values, "percent_bps", 1, BPS_MAX),
            *_int_in(values, "recurring_months", 1, RECURRING_MONTHS_MAX),
            *_must_be_null(values, "cpa_amount_cents", kind),
        ]
    return [{"field": "commission_type", "message": "commission_type must be cpa, cps or revshare"}]


def _text_errors(values: Mapping[str, Any], field: str, maximum: int) -> Details:
    value = values.get(field, "")
    if not isinstance(value, str) or len(value) > maximum:
        return [{"field": field, "message": f"{field} must be at most {maximum} characters"}]
    return []


def program_errors(values: Mapping[str, Any]) -> Details:
    """Every rule a program's stored values must satisfy, whatever wrote them."""
    errors: Details = [*code_errors("code", values.get("code"))]
    name = values.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > NAME_MAX:
        errors.append({"field": "name", "message": f"name must be 1 to {NAME_MAX} characters"})
    errors += _text_errors(values, "description", DESCRIPTION_MAX)
    errors += _text_errors(values, "terms", TERMS_MAX)
    currency = values.get("currency")
    if not isinstance(currency, str) or not is_currency(currency):
        errors.append({"field": "currency", "message": "Unknown ISO 4217 currency code"})
    errors += accepted_currencies_errors(values.get("accepted_currencies", []))
    errors += commission_errors(values)
    errors += _int_in(values, "cookie_days", 1, COOKIE_DAYS_MAX)
    errors += _int_in(values, "hold_days", 0, HOLD_DAYS_MAX)
    errors += url_errors("landing_url", values.get("landing_url"))
    return errors


def accepted_currencies_errors(value: Any) -> Details:
    """The other currencies a program takes: distinct upper-case ISO 4217 codes (empty
    takes every currency with a stored exchange rate)."""
    field = "accepted_currencies"
    if not isinstance(value, list) or len(value) > ACCEPTED_CURRENCIES_MAX:
        return [
            {"field": field, "message": f"accepted_currencies must be {ACCEPTED_CURRENCIES_RULE}"}
        ]
    errors: Details = []
    for code in value:
        if not isinstance(code, str) or not is_currency(code):
            shown = code if isinstance(code, str) else repr(code)
            hint = (
                f" (send {code.upper()})"
                if isinstance(code, str) and is_currency(code.upper())
                else ""
            )
            errors.append(
                {
                    "field": field,
                    "message": f"{shown} is not an ISO 4217 currency code in upper case{hint}",
                }
            )
    repeated = sorted({code for code in value if isinstance(code, str) and value.count(code) > 1})
    if repeated:
        errors.append({"field": field, "message": f"Listed more than once: {', '.join(repeated)}"})
    return errors


def program_change_errors(status: str, changed: set[str]) -> Details:
    """Which of `changed` the program's status forbids (reported on the field "status")."""
    if status == ProgramStatus.ARCHIVED:
        return [{"field": "status", "message": "An archived program cannot be changed"}]
    errors: Details = []
    locked_terms = sorted(changed & TYPE_FIELDS) if status not in TERMS_EDITABLE_IN else []
    if locked_terms:
        errors.append(
            {
                "field": "status",
                "message": f"{', '.join(locked_terms)} can only change while the program is "
                f"draft or paused (it is {status})",
            }
        )
    locked_fixed = sorted(changed & DRAFT_ONLY_FIELDS) if status != ProgramStatus.DRAFT else []
    if locked_fixed:
        errors.append(
            {
                "field": "status",
                "message": f"{', '.join(locked_fixed)} can only change while the program is "
                f"a draft (it is {status})",
            }
        )
    return errors


def country_errors(value: Any) -> Details:
    if value == "":
        return []
    if not isinstance(value, str) or not is_country(value.upper()):
        return [{"field": "country", "message": COUNTRY_RULE}]
    return []
