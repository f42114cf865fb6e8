"""Commission terms in the dashboard and the portal: history, rates, tiers, groups, notices."""

from __future__ import annotations

from typing import Any

import pytest

from partners.models import CommissionOverride, CommissionTier, PartnerGroup, TermsVersion
from tests.dashboard.conftest import flashed, page
from tests.dashboard.test_programs import form_data
from tests.partners.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_a_rate_change_on_the_edit_page_is_a_version_in_the_history_and_mailed(
    alice_web: Any,
    alice: Any,
    program: Any,
    partner: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    ApplicationFactory(program=program, partner=partner, status="approved")

    with django_capture_on_commit_callbacks(execute=True):
        alice_web.post(
            f"/dashboard/programs/{program.pk}/edit/",
            form_data(name=program.name, code=program.code, percent="20"),
        )
    response = alice_web.get(f"/dashboard/programs/{program.pk}/terms/")
    detail = alice_web.get(f"/dashboard/programs/{program.pk}/")

    rows = [(i["version"].number, i["rate"]) for i in response.context["versions"]]
    assert rows == [(2, "20%"), (1, "15%")]
    assert response.context["versions"][0]["version"].changed_by == alice
    assert alice.email in page(response)
    assert [m.to for m in mailoutbox] == [[partner.user.email]]
    assert "History (2 versions)" in page(detail)


def test_rates_and_tiers_are_added_and_removed_on_the_terms_page(
    alice_web: Any, program: Any, partner: Any
) -> None:
    ApplicationFactory(program=program, partner=partner, status="approved")
    url = f"/dashboard/programs/{program.pk}/terms/"

    rate = alice_web.post(
        url, {"kind": "rate", "target": f"partner:{partner.pk}", "rate": "25"}, follow=True
    )
    tier = alice_web.post(url, {"kind": "tier", "min_conversions": "50", "rate": "20"}, follow=True)
    taken = alice_web.post(url, {"kind": "tier", "min_conversions": "50", "rate": "22"})

    assert flashed(rate) == ["The rate was saved."]
    assert flashed(tier) == ["The tier was added."]
    assert list(CommissionOverride.objects.values_list("partner_id", "percent_bps")) == [
        (partner.pk, 2500)
    ]
    assert list(CommissionTier.objects.values_list("min_conversions", "percent_bps")) == [
        (50, 2000)
    ]
    assert taken.status_code == 200
    assert taken.context["tier_form"].errors == {
        "min_conversions": ["The program already has a tier at this number of conversions"]
    }
    page_text = page(alice_web.get(url))
    assert "25%" in page_text and "50 conversions a month" in page_text

    override, tier_row = CommissionOverride.objects.get(), CommissionTier.objects.get()
    alice_web.post(f"/dashboard/programs/{program.pk}/rates/{override.pk}/delete/")
    alice_web.post(f"/dashboard/programs/{program.pk}/tiers/{tier_row.pk}/delete/")
    assert not CommissionOverride.objects.exists() and not CommissionTier.objects.exists()


def test_groups_are_created_filled_and_emptied(alice_web: Any, program: Any, partner: Any) -> None:
    ApplicationFactory(program=program, partner=partner, status="approved")

    created = alice_web.post("/dashboard/partner-groups/", {"name": "Bloggers"}, follow=True)
    group = PartnerGroup.objects.get()
    alice_web.post(f"/dashboard/partner-groups/{group.pk}/", {"partner": str(partner.pk)})
    shown = alice_web.get(f"/dashboard/partner-groups/{group.pk}/")
    alice_web.post(f"/dashboard/partner-groups/{group.pk}/members/{partner.pk}/remove/")

    assert flashed(created) == ["The group Bloggers was created."]
    assert [m["partner_id"] for m in shown.context["members"]] == [partner.pk]
    assert not group.members.exists()
    duplicate = alice_web.post("/dashboard/partner-groups/", {"name": "bloggers"})
    assert duplicate.context["form"].errors == {
        "name": ["This merchant already has a group with this name"]
    }


def test_another_merchant_sees_none_of_it(
    charlie_web: Any, alice_web: Any, program: Any, partner: Any
) -> None:
    ApplicationFactory(program=program, partner=partner, status="approved")
    alice_web.post("/dashboard/partner-groups/", {"name": "Bloggers"})
    group = PartnerGroup.objects.get()

    responses = [
        charlie_web.get(f"/dashboard/programs/{program.pk}/terms/"),
        charlie_web.post(
            f"/dashboard/programs/{program.pk}/terms/",
            {"kind": "tier", "min_conversions": "5", "rate": "50"},
        ),
        charlie_web.get(f"/dashboard/partner-groups/{group.pk}/"),
        charlie_web.post(f"/dashboard/partner-groups/{group.pk}/delete/"),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert PartnerGroup.objects.count() == 1 and not CommissionTier.objects.exists()


def test_the_portal_announces_a_change_and_shows_the_history(
    alice_web: Any, partner_web: Any, other_partner_web: Any, program: Any, partner: Any
) -> None:
    ApplicationFactory(program=program, partner=partner, status="approved")
    alice_web.post(
        f"/dashboard/programs/{program.pk}/edit/",
        form_data(name=program.name, code=program.code, percent="20"),
    )

    home = partner_web.get("/partner/")
    history = partner_web.get(f"/partner/programs/{program.pk}/terms/")
    stranger = other_partner_web.get(f"/partner/programs/{program.pk}/terms/")

    assert [n["now_text"] for n in home.context["terms_notices"]] == ["20% of each sale"]
    assert "changed the commission terms of " + program.name in page(home)
    assert [i["text"] for i in history.context["versions"]] == [
        "20% of each sale",
        "15% of each sale",
    ]
    assert stranger.status_code == 404
    assert TermsVersion.objects.filter(program=program).count() == 2
