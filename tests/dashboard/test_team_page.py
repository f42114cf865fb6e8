"""The team page: owners and admins add people, change roles and remove; one owner stays."""

from __future__ import annotations

import pytest

from accounts.models import Membership, Role, User
from tests.dashboard.conftest import flashed, page
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_team_page_lists_the_members(alice_web, alice, bob):
    response = alice_web.get("/dashboard/team/")
    assert response.status_code == 200
    assert alice.email in page(response) and bob.email in page(response)
    assert response.context["can_manage"] is True


def test_owner_adds_an_existing_user_as_admin(alice_web, merchant):
    newcomer = UserFactory(email="new@example.com")
    response = alice_web.post("/dashboard/team/", {"email": "New@Example.com", "role": "admin"})
    assert response["Location"] == "/dashboard/team/"
    assert Membership.objects.get(merchant=merchant, user=newcomer).role == Role.ADMIN


def test_adding_a_new_address_creates_the_account_and_emails_it(
    alice_web, merchant, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        alice_web.post("/dashboard/team/", {"email": "fresh@example.com", "role": "member"})
    user = User.objects.get(email="fresh@example.com")
    assert Membership.objects.get(merchant=merchant, user=user).role == Role.MEMBER
    assert not user.has_usable_password()
    assert [mail.to for mail in mailoutbox] == [["fresh@example.com"]]
    assert "Acme" in mailoutbox[0].subject


def test_adding_someone_already_on_the_team_shows_the_error_by_the_field(alice_web, bob):
    response = alice_web.post("/dashboard/team/", {"email": bob.email, "role": "admin"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"email": ["This person is already on the team"]}
    assert Membership.objects.get(user=bob).role == Role.MEMBER


def test_owner_changes_a_role_and_removes_a_member(alice_web, bob):
    membership = Membership.objects.get(user=bob)
    alice_web.post(f"/dashboard/team/{membership.pk}/role/", {"role": "admin"})
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN
    alice_web.post(f"/dashboard/team/{membership.pk}/remove/")
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_the_last_owner_can_be_neither_demoted_nor_removed(alice_web, alice):
    membership = Membership.objects.get(user=alice)
    response = alice_web.post(
        f"/dashboard/team/{membership.pk}/role/", {"role": "member"}, follow=True
    )
    assert flashed(response) == ["A merchant keeps at least one owner"]
    assert "A merchant keeps at least one owner" in page(response)
    response = alice_web.post(f"/dashboard/team/{membership.pk}/remove/", follow=True)
    assert flashed(response) == ["A merchant keeps at least one owner"]
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


def test_an_owner_can_step_down_when_another_owner_remains(alice_web, alice, merchant):
    MembershipFactory(merchant=merchant, role=Role.OWNER)
    membership = Membership.objects.get(user=alice)
    alice_web.post(f"/dashboard/team/{membership.pk}/role/", {"role": "admin"})
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


def test_a_member_sees_the_team_but_cannot_manage_it(bob_web, alice, merchant):
    response = bob_web.get("/dashboard/team/")
    assert response.status_code == 200
    assert response.context["can_manage"] is False
    assert "Add a teammate" not in page(response)
    before = list(Membership.objects.order_by("pk").values_list("pk", "role"))
    response = bob_web.post("/dashboard/team/", {"email": "x@example.com", "role": "owner"})
    assert response["Location"] == "/dashboard/team/"
    alice_membership = Membership.objects.get(user=alice)
    assert (
        bob_web.post(f"/dashboard/team/{alice_membership.pk}/role/", {"role": "member"}).status_code
        == 403
    )
    assert bob_web.post(f"/dashboard/team/{alice_membership.pk}/remove/").status_code == 403
    assert list(Membership.objects.order_by("pk").values_list("pk", "role")) == before
    assert not User.objects.filter(email="x@example.com").exists()


def test_another_merchants_membership_is_not_found(alice_web, charlie):
    membership = Membership.objects.get(user=charlie)
    assert (
        alice_web.post(f"/dashboard/team/{membership.pk}/role/", {"role": "member"}).status_code
        == 404
    )
    assert alice_web.post(f"/dashboard/team/{membership.pk}/remove/").status_code == 404
    membership.refresh_from_db()
    assert membership.role == Role.OWNER
