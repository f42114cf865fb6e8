"""Routes of the partners API, mounted under /api/v1/ by selgeo/urls.py."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from partners.api import invitations, merchant, partner, programs, terms
from partners.api.common import UUID_PATTERN

router = SimpleRouter(trailing_slash=False)
router.register("programs", programs.ProgramViewSet, basename="program")
router.register("partners", merchant.PartnerViewSet, basename="partner")
router.register("applications", merchant.ApplicationViewSet, basename="application")
router.register("invitations", invitations.InvitationViewSet, basename="invitation")
router.register("referral-codes", merchant.ReferralCodeViewSet, basename="referral-code")
router.register("promo-codes", merchant.PromoCodeViewSet, basename="promo-code")
router.register("partner-groups", terms.PartnerGroupViewSet, basename="partner-group")
_PROGRAM = f"programs/(?P<program_pk>{UUID_PATTERN})"
router.register(
    f"{_PROGRAM}/terms-versions", terms.TermsVersionViewSet, basename="program-terms-version"
)
router.register(f"{_PROGRAM}/rates", terms.CommissionOverrideViewSet, basename="program-rate")
router.register(f"{_PROGRAM}/tiers", terms.CommissionTierViewSet, basename="program-tier")

partner_router = SimpleRouter(trailing_slash=False)
partner_router.register("programs", partner.PartnerProgramViewSet, basename="partner-program")
partner_router.register(
    "applications", partner.PartnerApplicationViewSet, basename="partner-application"
)
partner_router.register(
    "invitations", invitations.PartnerInvitationViewSet, basename="partner-invitation"
)
partner_router.register(
    "referral-codes", partner.PartnerReferralCodeViewSet, basename="partner-referral-code"
)
partner_router.register(
    "promo-codes", partner.PartnerPromoCodeViewSet, basename="partner-promo-code"
)

api_urlpatterns = [
    *router.urls,
    path("partner/profile", partner.ProfileView.as_view(), name="partner-profile"),
    path("partner/erase", partner.SelfEraseView.as_view(), name="partner-erase"),
    path("partner/", include(partner_router.urls)),
]
urlpatterns: list = []
