"""A program's commission terms page: its terms history, partner and group rates, tiers;
and the merchant's partner groups."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from dashboard.access import MerchantRequest, merchant_view
from dashboard.forms import add_service_errors
from dashboard.terms_forms import GroupForm, MemberForm, RateForm, TierForm, rate_label
from dashboard.views.programs import scoped_program
from partners import selectors
from partners import terms as terms_selectors
from partners.models import PartnerGroup, Program
from partners.services import terms as services
from selgeo.api.errors import ValidationFailed


def _partner_choices(request: MerchantRequest) -> list[tuple[str, str]]:
    partners = selectors.partners_for(merchant=request.merchant, mode=request.mode)
    return [
        (str(p.pk), p.display_name)
        for p in partners.filter(erased_at__isnull=True).order_by("display_name")
    ]


def _group_choices(request: MerchantRequest) -> list[tuple[str, str]]:
    groups = terms_selectors.groups_for(merchant=request.merchant, mode=request.mode)
    return [(str(g.pk), g.name) for g in groups.order_by("name")]


def _render_terms(
    request: MerchantRequest,
    program: Program,
    rate_form: RateForm | None = None,
    tier_form: TierForm | None = None,
) -> HttpResponse:
    def label(row: Any) -> str:
        return rate_label(program, row.cpa_amount_cents, row.percent_bps)

    versions = list(terms_selectors.terms_versions_of(program).order_by("-number"))
    return render(
        request,
        "dashboard/program_terms.html",
        {
            "section": "programs",
            "program": program,
            "versions": [
                {
                    "version": v,
                    "rate": rate_label(
                        program, v.cpa_amount_cents, v.percent_bps, kind=v.commission_type
                    ),
                }
                for v in versions
            ],
            "rates": [
                {"row": o, "rate": label(o)}
                for o in terms_selectors.overrides_of(program).order_by("created_at")
            ],
            "tiers": [
                {"row": t, "rate": label(t)}
                for t in terms_selectors.tiers_of(program).order_by("min_conversions")
            ],
            "rate_form": rate_form
            or RateForm(
                program=program,
                partners=_partner_choices(request),
                groups=_group_choices(request),
                auto_id="rate-%s",
            ),
            "tier_form": tier_form or TierForm(program=program, auto_id="tier-%s"),
            "editable": program.status != "archived",
        },
    )


@merchant_view()
def program_terms(request: MerchantRequest, program_id: uuid.UUID) -> HttpResponse:
    """GET: the page. POST `kind=rate|tier`: add a rate or a tier."""
    program = scoped_program(request, program_id)
    if request.method != "POST":
        return _render_terms(request, program)
    if request.POST.get("kind") == "tier":
        tier_form = TierForm(request.POST, program=program, auto_id="tier-%s")
        if tier_form.is_valid():
            try:
                services.commission_tier_create(
                    program=program,
                    min_conversions=tier_form.cleaned_data["min_conversions"],
                    **tier_form.rate_values(),
                )
            except ValidationFailed as exc:
                add_service_errors(tier_form, _form_details(exc), exc.message)
            else:
                messages.success(request, "The tier was added.")
                return redirect("dashboard:program-terms", program.pk)
        return _render_terms(request, program, tier_form=tier_form)
    rate_form = RateForm(
        request.POST,
        program=program,
        partners=_partner_choices(request),
        groups=_group_choices(request),
        auto_id="rate-%s",
    )
    if rate_form.is_valid():
        try:
            rate = rate_form.rate_values()
            services.commission_override_set(
                program=program,
                **rate_form.target_values(),
                cpa_amount_cents=rate["cpa_amount_cents"],
                percent_bps=rate["percent_bps"],
            )
        except ValidationFailed as exc:
            add_service_errors(rate_form, _form_details(exc), exc.message)
        else:
            messages.success(request, "The rate was saved.")
            return redirect("dashboard:program-terms", program.pk)
    return _render_terms(request, program, rate_form=rate_form)


def _form_details(exc: ValidationFailed) -> list[dict[str, Any]]:
    # The services name the amount fields; the forms have one `rate` input.
    return [
        {
            **d,
            "field": "rate"
            if d.get("field") in ("cpa_amount_cents", "percent_bps")
            else d.get("field"),
        }
        for d in exc.details or []
    ]


@require_POST
@merchant_view()
def program_rate_delete(
    request: MerchantRequest, program_id: uuid.UUID, rate_id: uuid.UUID
) -> HttpResponse:
    program = scoped_program(request, program_id)
    override = get_object_or_404(terms_selectors.overrides_of(program), pk=rate_id)
    services.commission_override_delete(override=override)
    messages.success(request, "The rate was removed.")
    return redirect("dashboard:program-terms", program.pk)


@require_POST
@merchant_view()
def program_tier_delete(
    request: MerchantRequest, program_id: uuid.UUID, tier_id: uuid.UUID
) -> HttpResponse:
    program = scoped_program(request, program_id)
    tier = get_object_or_404(terms_selectors.tiers_of(program), pk=tier_id)
    services.commission_tier_delete(tier=tier)
    messages.success(request, "The tier was removed.")
    return redirect("dashboard:program-terms", program.pk)


# Partner groups ------------------------------------------------------------------------


def _scoped_group(request: MerchantRequest, group_id: uuid.UUID) -> PartnerGroup:
    groups = terms_selectors.groups_for(merchant=request.merchant, mode=request.mode)
    group: PartnerGroup = get_object_or_404(groups, pk=group_id)
    return group


@merchant_view()
def partner_groups(request: MerchantRequest) -> HttpResponse:
    """GET: the groups. POST: create one."""
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.partner_group_create(
                merchant=request.merchant, mode=request.mode, **form.cleaned_data
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.details, exc.message)
        else:
            messages.success(request, f"The group {group.name} was created.")
            return redirect("dashboard:partner-group", group.pk)
    groups = terms_selectors.groups_for(merchant=request.merchant, mode=request.mode)
    return render(
        request,
        "dashboard/partner_groups.html",
        {"section": "partners", "groups": groups.order_by("name"), "form": form},
    )


@merchant_view()
def partner_group(request: MerchantRequest, group_id: uuid.UUID) -> HttpResponse:
    """GET: the group and its members. POST: add a partner (moving it from another group)."""
    group = _scoped_group(request, group_id)
    choices = _partner_choices(request)
    form = MemberForm(request.POST or None, partners=choices)
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_group_add_member(group=group, partner_id=form.cleaned_data["partner"])
        except ValidationFailed as exc:
            add_service_errors(form, exc.details, exc.message)
        else:
            messages.success(request, "The partner was added to the group.")
            return redirect("dashboard:partner-group", group.pk)
    names = dict(choices)
    members = [
        {"partner_id": m.partner_id, "name": names.get(str(m.partner_id), str(m.partner_id))}
        for m in group.members.all()
    ]
    return render(
        request,
        "dashboard/partner_group.html",
        {"section": "partners", "group": group, "members": members, "form": form},
    )


@require_POST
@merchant_view()
def partner_group_remove(
    request: MerchantRequest, group_id: uuid.UUID, partner_id: uuid.UUID
) -> HttpResponse:
    group = _scoped_group(request, group_id)
    services.partner_group_remove_member(group=group, partner_id=partner_id)
    messages.success(request, "The partner left the group.")
    return redirect("dashboard:partner-group", group.pk)


@require_POST
@merchant_view()
def partner_group_delete(request: MerchantRequest, group_id: uuid.UUID) -> HttpResponse:
    group = _scoped_group(request, group_id)
    services.partner_group_delete(group=group)
    messages.success(request, f"The group {group.name} was deleted.")
    return redirect("dashboard:partner-groups")
