"""How the dashboard shows a conversion honestly: a neutral "unattributed" status for a
conversion that earned no partner anything, each explanation code with its sentence,
and partners and programs by name (their ids beside) wherever an explanation names them.

The stored explanation messages are the API's and name partners by id and programs by
code; they are rewritten here, for display only.
"""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from accounts.models import Partner
from conversions.explanations import code_sentence
from conversions.models import Conversion, ConversionStatus
from partners.models import Program
from partners.selectors import FORMER_PARTNER, current_partner_ids

register = template.Library()

# "partner <uuid>" and "program <code>", as the attribution messages write them; one
# pass, so that a name put in never gets rewritten itself.
_NAMED = re.compile(
    r"\b(?P<word>(?i:partner|program)) (?P<ref>[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-"
    r"[0-9a-fA-F]{12}|[A-Za-z0-9][A-Za-z0-9_-]*)\b"
)


@register.simple_tag
def conversion_status(conversion: Conversion) -> SafeString:
    """The status pill: `unattributed` (neutral) unless the conversion is attributed or reversed."""
    if not conversion.attributed and conversion.status != ConversionStatus.REVERSED:
        return format_html(
            '<span class="pill unattributed" title="{}">unattributed</span>',
            "No partner earns from this conversion",
        )
    return format_html('<span class="pill {}">{}</span>', conversion.status, conversion.status)


@register.simple_tag
def explanation_code(code: str) -> SafeString:
    """The sentence a code stands for, with the code itself beside it."""
    sentence = code_sentence(code)
    if not sentence:
        return format_html('<span class="muted mono">{}</span>', code)
    return format_html('{} <span class="muted mono">{}</span>', sentence, code)


def _named(conversion: Conversion) -> tuple[dict[str, Partner], dict[str, Program]]:
    """The partners and programs an explanation of this conversion may name."""
    partners: dict[str, Partner] = {}
    programs: dict[str, Program] = {}
    related: list[Any] = [conversion, conversion.click, conversion.promo_code]
    for row in related:
        if row is None:
            continue
        if row.partner_id and row.partner is not None:
            partners[str(row.partner_id)] = row.partner
        if row.program_id and row.program is not None:
            programs[row.program.code.lower()] = row.program
    return partners, programs


def _partner_html(partner: Partner, *, current: bool) -> str:
    if partner.is_erased:
        # The name went with the erasure; the id stays so the rows can still be matched.
        name = mark_safe("<em>[name erased]</em>")
    elif not current:
        # The merchant erased what it held of the partner: its rows keep the id only.
        name = format_html("<em>{}</em>", FORMER_PARTNER)
    else:
        name = format_html(
            '<a href="{}">{}</a>',
            reverse("dashboard:partner", args=[partner.pk]),
            partner.display_name,
        )
    return format_html('{} <span class="muted mono">({})</span>', name, partner.pk)


def _program_html(program: Program) -> str:
    return format_html(
        '<a href="{}">{}</a> <span class="muted mono">({}, {})</span>',
        reverse("dashboard:program", args=[program.pk]),
        program.name,
        program.code,
        program.pk,
    )


@register.simple_tag
def explained(message: str, conversion: Conversion) -> SafeString:
    """An explanation message with the partners and programs it names shown by name."""
    partners, programs = _named(conversion)
    # Partners the merchant erased keep their id only; asked once per conversion.
    if not hasattr(conversion, "_current_partner_ids"):
        conversion._current_partner_ids = current_partner_ids(  # type: ignore[attr-defined]
            merchant_id=conversion.merchant_id, mode=conversion.mode, partner_ids=partners
        )
    current: set[str] = conversion._current_partner_ids  # type: ignore[attr-defined]
    text = str(escape(message))

    def name(match: re.Match[str]) -> str:
        word, ref = match.group("word"), match.group("ref").lower()
        if word.lower() == "partner" and ref in partners:
            return f"{word} {_partner_html(partners[ref], current=ref in current)}"
        if word.lower() == "program" and ref in programs:
            return f"{word} {_program_html(programs[ref])}"
        return match.group(0)

    return mark_safe(_NAMED.sub(name, text))  # noqa: S308 (escaped text, format_html parts)
