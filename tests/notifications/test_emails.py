"""One test per notification: sent by its task after the change commits, once, to the
right people, with plain-text and HTML parts and links on the public URL; and each one
stays unsent once its recipient switched it off."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import transaction

from accounts.models import Membership, Merchant, Partner
from conversions import services as conversions
from conversions.services import ConversionInput
from notifications import services
from notifications.models import Kind, SentNotification
from notifications.tasks import send_notifications
from partners import services as partners
from partners.models import Application, ApplicationStatus, Program
from payouts import services as payouts
from payouts.run_models import Payout
from tests.conversions.factories import ApplicationFactory, ClickFactory, ProgramFactory
from tests.dashboard.conftest import browser
from tests.factories import MembershipFactory, PartnerFactory
from tests.notifications.conftest import PUBLIC_URL, html_of, notices
from tests.payouts.money import commission, sepa_account
from webhooks.models import DisabledReason
from webhooks.services import endpoint_create, endpoint_disable

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(merchant: Merchant) -> Merchant:
    return merchant


@pytest.fixture
def shoes(acme: Merchant) -> Program:
    return ProgramFactory(merchant=acme, mode="live", code="SHOES", name="Running Shoes")


@pytest.fixture
def anna(db: None) -> Partner:
    return PartnerFactory(display_name="Anna's Runs")


def switch_off_member(membership: Membership, kind: str) -> None:
    # Through the dashboard page, as the member would: every box but this one ticked.
    from notifications.models import MERCHANT_KINDS

    client = browser(membership.user, membership.merchant)
    data = {k: "on" for k in MERCHANT_KINDS if k != kind}
    response = client.post("/dashboard/settings/notifications/", data)
    assert response.status_code == 302


def switch_off_partner(partner: Partner, kind: str) -> None:
    from notifications.models import PARTNER_KINDS

    assert partner.user is not None
    client = browser(partner.user)
    data = {k: "on" for k in PARTNER_KINDS if k != kind}
    response = client.post("/partner/notifications/", data)
    assert response.status_code == 302


@pytest.mark.parametrize("switched_off", [False, True])
def test_new_application_mails_each_member_who_wants_it(
    acme,
    shoes,
    anna,
    alice_membership,
    bob,
    mailoutbox,
    django_capture_on_commit_callbacks,
    switched_off,
):
    if switched_off:
        switch_off_member(Membership.objects.get(user=bob), Kind.APPLICATION_NEW)
    with django_capture_on_commit_callbacks(execute=True):
        application = partners.application_submit(
            partner=anna, program=shoes, message="I review trail shoes"
        )

    mails = notices(mailoutbox, Kind.APPLICATION_NEW)
    expected = {alice_membership.user.email} | (set() if switched_off else {bob.email})
    assert sorted(m.to[0] for m in mails) == sorted(expected)
    mail = mails[0]
    assert mail.subject == "Anna's Runs applied to Running Shoes"
    assert "Anna's Runs applied to your program Running Shoes (SHOES)." in mail.body
    assert "I review trail shoes" in mail.body
    assert f"{PUBLIC_URL}/dashboard/applications/" in mail.body
    assert f"{PUBLIC_URL}/dashboard/settings/notifications/" in mail.body
    assert mail.extra_headers["List-Unsubscribe"] == (
        f"<{PUBLIC_URL}/dashboard/settings/notifications/>"
    )
    html = html_of(mail)
    assert "<strong>Anna&#x27;s Runs</strong> applied" in html
    assert f'href="{PUBLIC_URL}/dashboard/applications/"' in html
    assert SentNotification.objects.filter(
        kind=Kind.APPLICATION_NEW, subject_key=str(application.pk)
    ).count() == len(expected)


def test_nothing_is_sent_when_the_change_rolls_back(
    shoes, anna, alice, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        partners.application_submit(partner=anna, program=shoes)
        raise RuntimeError("rolled back")
    assert callbacks == []
    assert notices(mailoutbox, Kind.APPLICATION_NEW) == []


def test_a_task_that_runs_twice_sends_once(shoes, anna, alice, mailoutbox):
    application = ApplicationFactory(program=shoes, partner=anna, status="pending")
    assert send_notifications(Kind.APPLICATION_NEW, [str(application.pk)]) == 1
    assert send_notifications(Kind.APPLICATION_NEW, [str(application.pk)]) == 0
    assert len(notices(mailoutbox, Kind.APPLICATION_NEW)) == 1


def test_a_failed_send_is_not_recorded_so_the_retry_sends_it(
    shoes, anna, alice, mailoutbox, settings
):
    application = ApplicationFactory(program=shoes, partner=anna, status="pending")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens
    with pytest.raises(OSError):
        services.notifications_send(kind=Kind.APPLICATION_NEW, subject_ids=[str(application.pk)])
    assert not SentNotification.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert (
        services.notifications_send(kind=Kind.APPLICATION_NEW, subject_ids=[str(application.pk)])
        == 1
    )


def _report(merchant: Merchant, program: Program, partner: Partner, order: str) -> Any:
    click = ClickFactory(program=program, partner=partner)
    return conversions.conversion_create(
        merchant=merchant,
        mode="live",
        data=ConversionInput(
            external_transaction_id=order,
            click_id=click.pk,
            amount_cents=12900,
            currency="EUR",
        ),
    ).conversion


@pytest.mark.parametrize("switched_off", [False, True])
def test_first_conversion_of_a_partner_mails_the_members_once(
    acme,
    shoes,
    anna,
    alice_membership,
    mailoutbox,
    django_capture_on_commit_callbacks,
    switched_off,
):
    ApplicationFactory(program=shoes, partner=anna)
    if switched_off:
        switch_off_member(alice_membership, Kind.FIRST_CONVERSION)
    with django_capture_on_commit_callbacks(execute=True):
        first = _report(acme, shoes, anna, "order-1")
    with django_capture_on_commit_callbacks(execute=True):
        _report(acme, shoes, anna, "order-2")
    # Even a task asked about the second conversion says nothing: it is not the first.
    send_notifications(Kind.FIRST_CONVERSION, [str(first.pk)])

    mails = notices(mailoutbox, Kind.FIRST_CONVERSION)
    if switched_off:
        assert mails == []
        return
    assert [m.to for m in mails] == [[alice_membership.user.email]]
    (mail,) = mails
    assert mail.subject == "First conversion from Anna's Runs"
    assert "a purchase of 129.00 EUR in Running Shoes (SHOES)" in mail.body
    assert f"{PUBLIC_URL}/dashboard/conversions/{first.pk}/" in mail.body
    assert f'href="{PUBLIC_URL}/dashboard/conversions/{first.pk}/"' in html_of(mail)


@pytest.mark.parametrize("switched_off", [False, True])
def test_endpoint_disabled_mails_owners_and_admins(
    acme,
    alice_membership,
    bob,
    mailoutbox,
    settings,
    switched_off,
    django_capture_on_commit_callbacks,
):
    settings.SELGEO_WEBHOOKS_ALLOW_LOOPBACK = True
    endpoint = endpoint_create(merchant=acme, mode="live", url="https://127.0.0.1:9/hooks")
    if switched_off:
        switch_off_member(alice_membership, Kind.ENDPOINT_DISABLED)

    # The delivery machinery's own disabling queues the notification after its commit.
    with django_capture_on_commit_callbacks(execute=True):
        endpoint_disable(endpoint_id=endpoint.pk, reason=DisabledReason.GONE)

    mails = notices(mailoutbox, Kind.ENDPOINT_DISABLED)
    if switched_off:
        assert mails == []
        return
    # Bob is a plain member: the endpoints are the owners' and admins' to fix.
    assert [m.to for m in mails] == [[alice_membership.user.email]]
    (mail,) = mails
    assert "Selgeo stopped sending events to https://127.0.0.1:9/hooks (live mode)." in mail.body
    assert "Reason: The endpoint answered 410 Gone." in mail.body
    assert f"{PUBLIC_URL}/dashboard/developers/webhooks/{endpoint.pk}/" in mail.body


@pytest.mark.parametrize("switched_off", [False, True])
def test_approval_mails_the_partner(
    shoes, anna, mailoutbox, django_capture_on_commit_callbacks, switched_off
):
    application = ApplicationFactory(program=shoes, partner=anna, status="pending", decided_at=None)
    if switched_off:
        switch_off_partner(anna, Kind.APPLICATION_APPROVED)
    with django_capture_on_commit_callbacks(execute=True):
        partners.application_approve(application=application, message="Welcome aboard!")

    mails = notices(mailoutbox, Kind.APPLICATION_APPROVED)
    if switched_off:
        assert mails == []
        return
    assert anna.user is not None
    (mail,) = mails
    assert mail.to == [anna.user.email]
    assert mail.subject == "Acme approved your application to Running Shoes"
    assert "Welcome aboard!" in mail.body
    assert f"{PUBLIC_URL}/partner/" in mail.body
    assert f"{PUBLIC_URL}/partner/notifications/" in mail.body
    assert "Welcome aboard!" in html_of(mail)


@pytest.mark.parametrize("switched_off", [False, True])
def test_rejection_mails_the_partner(
    shoes, anna, mailoutbox, django_capture_on_commit_callbacks, switched_off
):
    application = ApplicationFactory(program=shoes, partner=anna, status="pending", decided_at=None)
    if switched_off:
        switch_off_partner(anna, Kind.APPLICATION_REJECTED)
    with django_capture_on_commit_callbacks(execute=True):
        partners.application_reject(application=application, message="Not a fit for now")

    mails = notices(mailoutbox, Kind.APPLICATION_REJECTED)
    if switched_off:
        assert mails == []
        return
    (mail,) = mails
    assert mail.subject == "Acme declined your application to Running Shoes"
    assert "Not a fit for now" in mail.body
    assert f"{PUBLIC_URL}/partner/applications/" in mail.body


def test_accepting_an_invitation_sends_the_partner_no_approval_mail(
    shoes, anna, mailoutbox, django_capture_on_commit_callbacks
):
    from partners.services.applications import approve_for_invitation

    with django_capture_on_commit_callbacks(execute=True):
        approve_for_invitation(partner=anna, program=shoes, message="")
    assert Application.objects.get(partner=anna).status == ApplicationStatus.APPROVED
    assert notices(mailoutbox, Kind.APPLICATION_APPROVED) == []


@pytest.mark.parametrize("switched_off", [False, True])
def test_commissions_approved_together_make_one_mail_per_partner(
    shoes, anna, mailoutbox, django_capture_on_commit_callbacks, switched_off
):
    other = PartnerFactory(display_name="Ben")
    mine = [
        commission(shoes, anna, 1290, status="pending"),
        commission(shoes, anna, 500, status="pending"),
    ]
    commission(shoes, other, 700, status="pending")
    if switched_off:
        switch_off_partner(anna, Kind.COMMISSION_APPROVED)
    with django_capture_on_commit_callbacks(execute=True):
        assert conversions.commissions_approve_due() == 3

    mails = notices(mailoutbox, Kind.COMMISSION_APPROVED)
    assert anna.user is not None and other.user is not None
    expected = [[other.user.email]] if switched_off else [[anna.user.email], [other.user.email]]
    assert sorted(m.to for m in mails) == sorted(expected)
    if switched_off:
        return
    (mail,) = [m for m in mails if m.to == [anna.user.email]]
    assert mail.subject == "2 commissions approved"
    assert "- 12.90 EUR from Acme, Running Shoes" in mail.body
    assert "- 5.00 EUR from Acme, Running Shoes" in mail.body
    assert f"{PUBLIC_URL}/partner/earnings/" in mail.body
    assert set(
        SentNotification.objects.filter(kind=Kind.COMMISSION_APPROVED, user=anna.user).values_list(
            "subject_key", flat=True
        )
    ) == {str(c.pk) for c in mine}


@pytest.mark.parametrize("switched_off", [False, True])
def test_payout_sent_mails_the_partner(
    acme, shoes, anna, mailoutbox, django_capture_on_commit_callbacks, switched_off
):
    sepa_account(anna)
    commission(shoes, anna, 7000)
    payouts.payout_run_create(merchant=acme, mode="live")
    payout = Payout.objects.get()
    if switched_off:
        switch_off_partner(anna, Kind.PAYOUT_SENT)
    with django_capture_on_commit_callbacks(execute=True):
        payouts.payout_transition(
            merchant=acme, mode="live", payout_id=payout.pk, to="paid", reference="BANK-42"
        )
    with django_capture_on_commit_callbacks(execute=True):
        # Asking again for the status it has changes nothing and mails nothing.
        payouts.payout_transition(merchant=acme, mode="live", payout_id=payout.pk, to="paid")

    mails = notices(mailoutbox, Kind.PAYOUT_SENT)
    if switched_off:
        assert mails == []
        return
    (mail,) = mails
    assert mail.subject == "Acme sent you a payout"
    assert "Acme sent you 70.00 EUR by sepa." in mail.body
    assert "Reference: BANK-42" in mail.body
    assert f"{PUBLIC_URL}/partner/payouts/{payout.pk}/" in mail.body


def test_test_mode_mails_say_so(
    merchant, anna, alice, mailoutbox, django_capture_on_commit_callbacks
):
    sandbox = ProgramFactory(merchant=merchant, mode="test", code="SANDBOX", name="Sandbox")
    with django_capture_on_commit_callbacks(execute=True):
        partners.application_submit(partner=anna, program=sandbox)
    (mail,) = notices(mailoutbox, Kind.APPLICATION_NEW)
    assert mail.subject == "Anna's Runs applied to Sandbox (test mode)"


def test_an_erased_partner_is_never_mailed(shoes, anna, mailoutbox):
    application = ApplicationFactory(program=shoes, partner=anna, status="rejected")
    Partner.objects.filter(pk=anna.pk).update(erased_at="2026-01-01T00:00:00Z")
    assert send_notifications(Kind.APPLICATION_REJECTED, [str(application.pk)]) == 0
    assert send_notifications(Kind.APPLICATION_REJECTED, [str(uuid.uuid4())]) == 0
    assert mailoutbox == []


def test_notify_refuses_an_unknown_kind() -> None:
    with pytest.raises(ValueError, match="Unknown notification kind"):
        services.notify_after_commit(kind="nope", subject_ids=["1"])


def test_other_merchants_members_are_not_mailed(
    shoes, anna, alice, charlie, mailoutbox, django_capture_on_commit_callbacks
):
    MembershipFactory(merchant=shoes.merchant, role="member", user__is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        partners.application_submit(partner=anna, program=shoes)
    assert [m.to for m in notices(mailoutbox, Kind.APPLICATION_NEW)] == [[alice.email]]


def test_preference_pages_show_each_switch_on_by_default_and_save_per_member(
    acme, alice_membership, bob, partner
):
    alice_page = browser(alice_membership.user, acme)
    page = alice_page.get("/dashboard/settings/notifications/").content.decode()
    for label in (
        "A partner applies to one of your programs",
        "A partner&#x27;s first attributed conversion",
        "Selgeo disables one of your webhook endpoints",
    ):
        assert label in page
    assert page.count("checked") == 4

    alice_page.post("/dashboard/settings/notifications/", {"first_conversion": "on"})
    page = alice_page.get("/dashboard/settings/notifications/").content.decode()
    assert page.count("checked") == 1
    # Bob, on the same merchant, keeps his own switches.
    bob_page = browser(bob, acme).get("/dashboard/settings/notifications/").content.decode()
    assert bob_page.count("checked") == 4

    assert partner.user is not None
    portal = browser(partner.user)
    page = portal.get("/partner/notifications/").content.decode()
    assert "Your application is approved" in page and page.count("checked") == 4
    portal.post("/partner/notifications/", {})
    assert portal.get("/partner/notifications/").content.decode().count("checked") == 0
    # Switching on again removes the opt-outs.
    portal.post("/partner/notifications/", {"payout_sent": "on", "commission_approved": "on"})
    assert portal.get("/partner/notifications/").content.decode().count("checked") == 2
