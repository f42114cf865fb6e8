"""Which codes record a click: 404 for unknown or inactive ones, 409 for an erased partner's,
422 for the other mode."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from partners.models import ProgramStatus
from tests.conftest import api_client, assert_error
from tests.factories import PartnerFactory
from tests.tracking.conftest import post_click
from tests.tracking.factories import ProgramFactory, ReferralCodeFactory
from tracking.models import Click

pytestmark = pytest.mark.django_db


def test_unknown_referral_code_is_404_and_records_nothing(pk_test_client, code):
    body = assert_error(post_click(pk_test_client, {"referral_code": "Nobody"}), 404, "NOT_FOUND")
    assert body["message"] == "Unknown referral code"
    assert Click.objects.count() == 0


def test_another_merchants_code_is_404(other_keys, code, other_merchant):
    ReferralCodeFactory(program__merchant=other_merchant, code="TheirCode")
    response = post_click(api_client(other_keys.pk_test), {"referral_code": "JaneDoe"})
    assert_error(response, 404, "NOT_FOUND")
    assert Click.objects.count() == 0


def test_test_key_with_a_live_code_is_422_mode_mismatch(pk_test_client, live_code):
    response = post_click(pk_test_client, {"referral_code": "JaneLive"})
    body = assert_error(response, 422, "MODE_MISMATCH")
    assert "live" in body["message"]
    assert Click.objects.count() == 0


def test_live_key_with_a_test_code_is_422_mode_mismatch(pk_live_client, code):
    assert_error(post_click(pk_live_client, {"referral_code": "JaneDoe"}), 422, "MODE_MISMATCH")
    assert Click.objects.count() == 0


def test_test_key_with_a_live_program_is_422_mode_mismatch(pk_test_client, live_code):
    response = post_click(
        pk_test_client, {"program": "SUMMER", "partner": str(live_code.partner_id)}
    )
    assert_error(response, 422, "MODE_MISMATCH")
    assert Click.objects.count() == 0


def test_unknown_program_is_404(pk_test_client, code):
    response = post_click(pk_test_client, {"program": "NOPE", "partner": str(code.partner_id)})
    assert assert_error(response, 404, "NOT_FOUND")["message"] == "Unknown program"


def test_unknown_program_id_is_404(pk_test_client, code):
    response = post_click(
        pk_test_client, {"program": str(uuid.uuid4()), "partner": str(code.partner_id)}
    )
    assert_error(response, 404, "NOT_FOUND")


def test_another_merchants_program_is_404(other_keys, code):
    response = post_click(
        api_client(other_keys.pk_test), {"program": "SPRING", "partner": str(code.partner_id)}
    )
    assert_error(response, 404, "NOT_FOUND")
    assert Click.objects.count() == 0


def test_partner_outside_the_program_is_404(pk_test_client, code):
    stranger = PartnerFactory()
    response = post_click(pk_test_client, {"program": "SPRING", "partner": str(stranger.id)})
    body = assert_error(response, 404, "NOT_FOUND")
    assert body["message"] == "This partner has no active referral code in the program"
    assert Click.objects.count() == 0


def test_partner_with_only_disabled_codes_is_404(pk_test_client, code):
    code.disabled_at = timezone.now()
    code.save()
    response = post_click(pk_test_client, {"program": "SPRING", "partner": str(code.partner_id)})
    assert_error(response, 404, "NOT_FOUND")
    assert Click.objects.count() == 0


def test_disabled_code_is_404_and_records_nothing(pk_test_client, code):
    code.disabled_at = timezone.now()
    code.save()
    body = assert_error(post_click(pk_test_client, {"referral_code": "JaneDoe"}), 404, "NOT_FOUND")
    assert body["message"] == "This referral code is disabled"
    assert Click.objects.count() == 0


def test_erased_partners_code_is_409_participant_erased(pk_test_client, code):
    code.partner.erased_at = timezone.now()
    code.partner.save()
    response = post_click(pk_test_client, {"referral_code": "JaneDoe"})
    body = assert_error(response, 409, "PARTICIPANT_ERASED")
    assert body["message"] == "This referral code's partner no longer takes part in the program"
    assert Click.objects.count() == 0


def test_erased_partner_through_program_and_partner_is_409(pk_test_client, code):
    code.partner.erased_at = timezone.now()
    code.partner.save()
    response = post_click(pk_test_client, {"program": "SPRING", "partner": str(code.partner_id)})
    assert_error(response, 409, "PARTICIPANT_ERASED")
    assert Click.objects.count() == 0


@pytest.mark.parametrize(
    "status", [ProgramStatus.DRAFT, ProgramStatus.PAUSED, ProgramStatus.ARCHIVED]
)
def test_code_of_an_unpublished_program_is_404(pk_test_client, code, status):
    code.program.status = status
    code.program.save()
    body = assert_error(post_click(pk_test_client, {"referral_code": "JaneDoe"}), 404, "NOT_FOUND")
    assert body["message"] == "This referral code's program is not published"
    assert Click.objects.count() == 0


def test_mode_mismatch_is_answered_before_inactivity(pk_test_client, live_code):
    live_code.disabled_at = timezone.now()
    live_code.save()
    assert_error(post_click(pk_test_client, {"referral_code": "JaneLive"}), 422, "MODE_MISMATCH")


def test_same_code_text_at_two_merchants_resolves_to_the_keys_merchant(
    pk_test_client, code, other_merchant
):
    ReferralCodeFactory(
        program=ProgramFactory(merchant=other_merchant, mode="test"), code="JANEDOE"
    )
    response = post_click(pk_test_client, {"referral_code": "JaneDoe"})
    assert response.status_code == 201
    assert Click.objects.get().referral_code_id == code.id
