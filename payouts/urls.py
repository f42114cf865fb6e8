from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from payouts.api import accounts
from payouts.api import partner as partner_api
from payouts.api import runs as runs_api
from payouts.forwarding.api import PaymentForwardViewSet

urlpatterns: list = []
api_urlpatterns: list = [
    path("payouts/settings", runs_api.PayoutSettingsView.as_view(), name="payout-settings"),
    path("payouts/preview", runs_api.PayoutPreviewView.as_view(), name="payout-preview"),
    path(
        "payouts/preview/export",
        runs_api.PayoutPreviewExportView.as_view(),
        name="payout-preview-export",
    ),
    path("payouts/runs", runs_api.PayoutRunListView.as_view(), name="payout-runs"),
    path("payouts/runs/<str:run_id>", runs_api.PayoutRunDetailView.as_view(), name="payout-run"),
    path(
        "payouts/runs/<str:run_id>/files/<str:rail>",
        runs_api.PayoutRunFileView.as_view(),
        name="payout-run-file",
    ),
    re_path(
        r"^payouts/runs/(?P<run_id>[^/]+)/(?P<action>mark-processing|mark-paid|mark-failed)$",
        runs_api.PayoutRunTransitionView.as_view(),
        name="payout-run-transition",
    ),
    path("payouts", runs_api.PayoutListView.as_view(), name="payouts"),
    path("payouts/<str:payout_id>", runs_api.PayoutDetailView.as_view(), name="payout"),
    re_path(
        r"^payouts/(?P<payout_id>[^/]+)/(?P<action>mark-processing|mark-paid|mark-failed)$",
        runs_api.PayoutTransitionView.as_view(),
        name="payout-transition",
    ),
    path("partner/payouts", partner_api.PartnerPayoutListView.as_view(), name="partner-payouts"),
    path(
        "partner/payouts/balance",
        partner_api.PartnerBalanceView.as_view(),
        name="partner-payout-balance",
    ),
    path(
        "partner/payouts/<str:payout_id>",
        partner_api.PartnerPayoutDetailView.as_view(),
        name="partner-payout",
    ),
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
    path(
        "partner/payouts/<str:payout_id>/statement",
        partner_api.PartnerPayoutStatementView.as_view(),
        name="partner-payout-statement",
    ),
    path(
        "partner/payouts/<str:payout_id>/statement.csv",
        partner_api.PartnerPayoutStatementCsvView.as_view(),
        name="partner-payout-statement-csv",
    ),
]

# Payment forwarding (secret keys): /api/v1/payment-forwards[/<id>].
_forwards = SimpleRouter(trailing_slash=False)
_forwards.register("payment-forwards", PaymentForwardViewSet, basename="payment-forward")
api_urlpatterns += _forwards.urls
