"""The partner portal under /partner/."""

from django.urls import path

from dashboard.views import (
    auth,
    earnings,
    notification_settings,
    payout_details,
    portal,
    portal_invitations,
    portal_payouts,
    portal_programs,
    portal_terms,
)

urlpatterns = [
    path("", portal.home, name="home"),
    path("login/", auth.login_view, {"portal": True}, name="login"),
    path("signup/", auth.partner_signup, name="signup"),
    path("profile/new/", auth.become_partner, name="become-partner"),
    path("programs/", portal_programs.find_programs, name="programs"),
    path("programs/<uuid:program_id>/apply/", portal_programs.apply, name="apply"),
    path("programs/<uuid:program_id>/terms/", portal_terms.program_terms, name="program-terms"),
    path("applications/", portal_programs.applications, name="applications"),
    path("invitations/", portal_invitations.invitations, name="invitations"),
    path(
        "invitations/<uuid:invitation_id>/<slug:answer>/",
        portal_invitations.invitation_answer,
        name="invitation-answer",
    ),
    path("invitations/t/<str:token>/", portal_invitations.invitation_link, name="invitation-link"),
    path("earnings/", earnings.earnings, name="earnings"),
    path("payouts/", portal_payouts.payout_history, name="payouts"),
    path("payouts/<uuid:payout_id>/", portal_payouts.payout_statement, name="payout-statement"),
    path(
        "payouts/<uuid:payout_id>/statement.csv",
        portal_payouts.payout_statement_csv,
        name="payout-statement-csv",
    ),
    path("profile/", portal.profile, name="profile"),
    path("notifications/", notification_settings.partner_notifications, name="notifications"),
    path("erase/", portal.erase, name="erase"),
    path("payout-details/", payout_details.payout_account, name="payout-account"),
    path("payout-details/tax/", payout_details.tax_details, name="tax-details"),
    path("payout-details/tax/form/", payout_details.tax_document, name="tax-document"),
]
