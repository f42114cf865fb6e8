from django.urls import path

from payouts.api import accounts

api_urlpatterns: list = [
    path(
        "partner/payout-account",
        accounts.PayoutAccountView.as_view(),
        name="partner-payout-account",
    ),
    path("partner/tax-profile", accounts.TaxProfileView.as_view(), name="partner-tax-profile"),
    path(
        "partner/tax-profile/form",
        accounts.TaxFormDocumentView.as_view(),
        name="partner-tax-form",
    ),
]
urlpatterns: list = []
