"""The review queue: pending first, filters, approve and reject with a message."""

from __future__ import annotations

import pytest

from partners.models import Application, ReferralCode
from tests.dashboard.conftest import flashed, page
from tests.partners.factories import ApplicationFactory, ProgramFactory
from webhooks.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(program, merchant):
    boots = ProgramFactory(merchant=merchant, mode="live", name="Boots", code="BOOTS")
    approved = ApplicationFactory(program=program, status="approved")
    pending_old = ApplicationFactory(program=boots)
    rejected = ApplicationFactory(program=program, status="rejected")
    pending_new = ApplicationFactory(program=program)
    return {
        "boots": boots,
        "approved": approved,
        "pending_old": pending_old,
        "rejected": rejected,
        "pending_new": pending_new,
    }


def test_pending_applications_come_first_then_newest(alice_web, queue):
    response = alice_web.get("/dashboard/applications/")
    assert list(response.context["page_obj"]) == [
        queue["pending_new"],
        queue["pending_old"],
        queue["rejected"],
        queue["approved"],
    ]


def test_the_queue_filters_by_status_and_program(alice_web, queue):
    response = alice_web.get("/dashboard/applications/?status=pending", HTTP_HX_REQUEST="true")
    assert list(response.context["page_obj"]) == [queue["pending_new"], queue["pending_old"]]
    response = alice_web.get(f"/dashboard/applications/?program={queue['boots'].pk}")
    assert list(response.context["page_obj"]) == [queue["pending_old"]]


def test_the_queue_never_shows_another_merchants_or_modes_applications(
    alice_web, other_program, test_program
):
    ApplicationFactory(program=other_program)
    ApplicationFactory(program=test_program)
    response = alice_web.get("/dashboard/applications/")
    assert list(response.context["page_obj"]) == []
    # Another merchant's program id as a filter is not a choice: it filters nothing.
    response = alice_web.get(f"/dashboard/applications/?program={other_program.pk}")
    assert list(response.context["page_obj"]) == []


def test_approving_with_a_message_creates_the_default_code(alice_web, application):
    response = alice_web.post(
        f"/dashboard/applications/{application.pk}/approve/",
        {"message": "Welcome aboard", "next": "/dashboard/applications/?status=pending"},
    )
    assert response["Location"] == "/dashboard/applications/?status=pending"
    application.refresh_from_db()
    assert (application.status, application.decision_message) == ("approved", "Welcome aboard")
    assert ReferralCode.objects.filter(partner=application.partner, is_default=True).count() == 1
    assert Event.objects.filter(type="application.approved").count() == 1


def test_rejecting_with_a_message(alice_web, application):
    response = alice_web.post(
        f"/dashboard/applications/{application.pk}/reject/", {"message": "Not a fit"}, follow=True
    )
    application.refresh_from_db()
    assert (application.status, application.decision_message) == ("rejected", "Not a fit")
    assert flashed(response) == [f"{application.partner.display_name} was rejected from Shoes."]
    assert ReferralCode.objects.count() == 0


def test_a_rejected_application_can_still_be_approved(alice_web, application):
    Application.objects.filter(pk=application.pk).update(status="rejected")
    alice_web.post(f"/dashboard/applications/{application.pk}/approve/", {"message": ""})
    application.refresh_from_db()
    assert application.status == "approved"


def test_a_refused_decision_is_explained_and_changes_nothing(alice_web, approved):
    response = alice_web.post(
        f"/dashboard/applications/{approved.pk}/reject/", {"message": "x"}, follow=True
    )
    assert flashed(response) == ["Only a pending application can be rejected (it is approved)"]
    approved.refresh_from_db()
    assert (approved.status, approved.decision_message) == ("approved", "")


def test_a_too_long_message_changes_nothing(alice_web, application):
    response = alice_web.post(
        f"/dashboard/applications/{application.pk}/approve/", {"message": "x" * 2001}, follow=True
    )
    assert flashed(response) == ["The message is too long: at most 2000 characters."]
    application.refresh_from_db()
    assert application.status == "pending"


def test_decisions_are_scoped_and_posted(alice_web, other_program, test_program, application):
    for other in (
        ApplicationFactory(program=other_program),
        ApplicationFactory(program=test_program),
    ):
        assert alice_web.post(f"/dashboard/applications/{other.pk}/approve/").status_code == 404
        other.refresh_from_db()
        assert other.status == "pending"
    assert alice_web.post(f"/dashboard/applications/{application.pk}/maybe/").status_code == 404
    assert alice_web.get(f"/dashboard/applications/{application.pk}/approve/").status_code == 405
    application.refresh_from_db()
    assert application.status == "pending"


def test_each_row_has_its_own_labelled_message_box(alice_web, application):
    body = page(alice_web.get("/dashboard/applications/"))
    assert f'<label for="message-{application.pk}"' in body
    assert f'<textarea id="message-{application.pk}" name="message"' in body
    assert f'formaction="/dashboard/applications/{application.pk}/reject/"' in body
