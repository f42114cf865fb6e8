"""The IRS self-certifications a partner signs: W-9, W-8BEN and W-8BEN-E.

Which form: a US person (tax country US) signs a W-9; anyone else a W-8BEN as an
individual or a W-8BEN-E as a business. Each form's fields are declared once here
(`FORMS`): the validation of a submission and the rendered document both read them, so
the document shows exactly what was certified. The tax id and the signature are shown
masked in the document, as everywhere else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from payouts import validation
from payouts.encryption import mask
from payouts.models import TaxEntityType, TaxForm
from selgeo.api.errors import ValidationFailed

TEXT_MAX = 200

W9_CLASSIFICATIONS = {
    "individual": "Individual/sole proprietor or single-member LLC",
    "c_corporation": "C corporation",
    "s_corporation": "S corporation",
    "partnership": "Partnership",
    "trust_estate": "Trust/estate",
    "llc": "Limited liability company",
    "other": "Other",
}
W9_TIN_TYPES = {"ssn": "Social security number", "itin": "ITIN", "ein": "Employer ID number"}
CHAPTER3_STATUSES = {
    "corporation": "Corporation",
    "partnership": "Partnership",
    "disregarded_entity": "Disregarded entity",
    "simple_trust": "Simple trust",
    "grantor_trust": "Grantor trust",
    "complex_trust": "Complex trust",
    "estate": "Estate",
    "tax_exempt_organization": "Tax-exempt organization",
    "private_foundation": "Private foundation",
}
CHAPTER4_STATUSES = {
    "active_nffe": "Active NFFE",
    "passive_nffe": "Passive NFFE",
    "publicly_traded_nffe": "Publicly traded NFFE or NFFE affiliate",
    "excepted_nonfinancial_entity": "Excepted nonfinancial group entity",
    "participating_ffi": "Participating FFI",
    "nonreporting_iga_ffi": "Nonreporting IGA FFI",
}


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text, country, date, choice
    required: bool = True
    choices: dict[str, str] | None = None


TREATY_FIELDS = (
    Field("treaty_country", "Treaty country (resident of)", "country", required=False),
    Field("treaty_article", "Treaty article and paragraph", required=False),
    Field("treaty_rate", "Rate of withholding claimed (%)", required=False),
    Field("treaty_income_type", "Type of income", required=False),
)

FORMS: dict[str, tuple[Field, ...]] = {
    TaxForm.W9: (
        Field("business_name", "Business name, if different from above", required=False),
        Field(
            "tax_classification", "Federal tax classification", "choice", True, W9_CLASSIFICATIONS
        ),
        Field("address", "Address (number, street, apt. or suite)"),
        Field("city_state_zip", "City, state and ZIP code"),
        Field("tin_type", "Taxpayer identification number type", "choice", True, W9_TIN_TYPES),
    ),
    TaxForm.W8BEN: (
        Field("citizenship_country", "Country of citizenship", "country"),
        Field("permanent_address", "Permanent residence address (street)"),
        Field("permanent_city", "City or town, state or province, postal code"),
        Field("permanent_country", "Country of permanent residence", "country"),
        Field("mailing_address", "Mailing address, if different", required=False),
        Field("date_of_birth", "Date of birth", "date"),
        *TREATY_FIELDS,
    ),
    TaxForm.W8BENE: (
        Field("incorporation_country", "Country of incorporation or organization", "country"),
        Field(
            "chapter3_status", "Chapter 3 status (entity type)", "choice", True, CHAPTER3_STATUSES
        ),
        Field(
            "chapter4_status", "Chapter 4 status (FATCA status)", "choice", True, CHAPTER4_STATUSES
        ),
        Field("permanent_address", "Permanent residence address (street)"),
        Field("permanent_city", "City or town, state or province, postal code"),
        Field("permanent_country", "Country of permanent residence", "country"),
        Field("mailing_address", "Mailing address, if different", required=False),
        *TREATY_FIELDS,
    ),
}

TITLES = {
    TaxForm.W9: "Form W-9 — Request for Taxpayer Identification Number and Certification",
    TaxForm.W8BEN: "Form W-8BEN — Certificate of Foreign Status of Beneficial Owner for "
    "United States Tax Withholding and Reporting (Individuals)",
    TaxForm.W8BENE: "Form W-8BEN-E — Certificate of Status of Beneficial Owner for United "
    "States Tax Withholding and Reporting (Entities)",
}
CERTIFICATIONS = {
    TaxForm.W9: "Under penalties of perjury, I certify that the number shown on this form is "
    "my correct taxpayer identification number, that I am not subject to backup withholding, "
    "and that I am a U.S. citizen or other U.S. person.",
    TaxForm.W8BEN: "Under penalties of perjury, I declare that I have examined the information "
    "on this form and to the best of my knowledge and belief it is true, correct and complete, "
    "and that I am the individual that is the beneficial owner of the income to which this form "
    "relates and am not a U.S. person.",
    TaxForm.W8BENE: "Under penalties of perjury, I declare that I have examined the information "
    "on this form and to the best of my knowledge and belief it is true, correct and complete, "
    "that the entity identified on this form is the beneficial owner of the income to which "
    "this form relates and is not a U.S. person, and that I have the capacity to sign for it.",
}


def form_for(*, country: str, entity_type: str) -> str:
    """The form a partner of this tax country and entity type signs."""
    if country == "US":
        return TaxForm.W9
    return TaxForm.W8BEN if entity_type == TaxEntityType.INDIVIDUAL else TaxForm.W8BENE


def expires_on(form: str, signed_at: dt.datetime) -> dt.date | None:
    """A W-8 stays in effect until the last day of the third calendar year after signing
    (Treasury Regulations 1.1441-1(e)(4)(ii)); a W-9 does not expire."""
    if form == TaxForm.W9:
        return None
    return dt.date(signed_at.year + 3, 12, 31)


def _value(field: Field, raw: Any, name: str) -> str:
    if field.kind == "country":
        if raw is None or raw == "":
            if field.required:
                raise validation.fail(name, "This field is required")
            return ""
        return validation.country(raw, name)
    value = validation.text({name: raw}, name, TEXT_MAX, required=field.required)
    if not value:
        return ""
    if field.kind == "choice" and field.choices is not None and value not in field.choices:
        raise validation.fail(name, f"Use one of: {', '.join(field.choices)}")
    if field.kind == "date":
        try:
            born = dt.date.fromisoformat(value)
        except ValueError as exc:
            raise validation.fail(name, "Use a date as YYYY-MM-DD") from exc
        if not dt.date(1900, 1, 1) <= born < dt.date.today():
            raise validation.fail(name, "Must be a date in the past")
        return born.isoformat()
    return value


def clean_form_fields(form: str, raw: Any, *, entity_type: str | None) -> dict[str, str]:
    """The form's fields, validated; unknown fields are refused like everywhere else.

    Every error is reported at once (a field in error counts as empty for the checks that
    read several fields). `entity_type` None (itself in error) skips the W-9 check on it.
    """
    if not isinstance(raw, dict):
        raise validation.fail("form_fields", "Expected a JSON object")
    fields = {field.name: field for field in FORMS[form]}
    details = [
        {"field": f"form_fields.{name}", "message": f"Unknown field for form {form}"}
        for name in sorted(set(raw) - set(fields))
    ]
    clean: dict[str, str] = {}
    for name, field in fields.items():
        try:
            clean[name] = _value(field, raw.get(name), f"form_fields.{name}")
        except ValidationFailed as exc:
            details += exc.details or []
            clean[name] = ""
    failed = {detail["field"] for detail in details}

    def refuse(name: str, message: str) -> None:
        if f"form_fields.{name}" not in failed:
            details.append({"field": f"form_fields.{name}", "message": message})

    if "treaty_country" in fields and any(clean[field.name] for field in TREATY_FIELDS):
        for name in ("treaty_country", "treaty_article"):
            if not clean[name]:
                refuse(name, "A treaty claim needs the country and the article")
        if clean["treaty_country"] == "US":
            refuse("treaty_country", "A treaty country is not the US")
    if form in (TaxForm.W8BEN, TaxForm.W8BENE) and clean["permanent_country"] == "US":
        refuse("permanent_country", "A US resident signs a W-9, not a W-8")
    if form == TaxForm.W9 and entity_type is not None and clean["tax_classification"]:
        individual = clean["tax_classification"] == "individual"
        if individual != (entity_type == TaxEntityType.INDIVIDUAL):
            refuse(
                "tax_classification",
                "An individual is classified individual/sole proprietor; a business is not",
            )
    if details:
        first = details[0]
        raise ValidationFailed(f"{first['field']}: {first['message']}", details=details)
    return clean


def document(profile: Any, form_fields: dict[str, str]) -> dict[str, Any]:
    """The signed form as a printable document: title, parts with labelled lines."""
    form = profile.form
    identification = [
        {
            "label": "Name" if form != TaxForm.W8BENE else "Name of organization",
            "value": profile.legal_name,
        },
        {"label": "Tax residence country", "value": profile.country},
        {"label": "Entity type", "value": profile.get_entity_type_display()},
    ]
    treaty: list[dict[str, str]] = []
    for field in FORMS[form]:
        value = form_fields.get(field.name, "")
        if field.choices is not None:
            value = field.choices.get(value, value)
        line = {"label": field.label, "value": value}
        (treaty if field.name.startswith("treaty_") else identification).append(line)
    identification.append(
        {
            "label": "Taxpayer identification number"
            if form == TaxForm.W9
            else "Foreign tax identifying number",
            "value": mask(profile.tax_id) if profile.tax_id else "",
        }
    )
    parts = [{"heading": "Identification", "lines": identification}]
    if treaty:
        parts.append({"heading": "Claim of tax treaty benefits", "lines": treaty})
    expiry = expires_on(form, profile.signed_at)
    parts.append(
        {
            "heading": "Certification",
            "lines": [
                {"label": "Statement", "value": CERTIFICATIONS[form]},
                {"label": "Signature (typed)", "value": mask(profile.signature)},
                {"label": "Date", "value": profile.signed_at.date().isoformat()},
                {
                    "label": "In effect until",
                    "value": expiry.isoformat() if expiry else "until a change of circumstances",
                },
            ],
        }
    )
    return {"form": form, "title": TITLES[form], "parts": parts}
