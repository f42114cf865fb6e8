"""The partner portal under /partner/."""

from django.urls import path

from dashboard.views import auth, earnings, portal, portal_payouts, portal_programs

urlpatterns = [
    path("", portal.home, name="home"),
    path("login/", auth.login_view, {"portal": True}, name="login"),
    path("signup/", auth.partner_signup, name="signup"),
    path("profile/new/", auth.become_partner, name="become-partner"),
    path("programs/", portal_programs.find_programs, name="programs"),
    path("programs/<uuid:program_id>/apply/", portal_programs.apply, name="apply"),
    path("applications/", portal_programs.applications, name="applications"),
    path("earnings/", earnings.earnings, name="earnings"),
    path("payouts/", portal_payouts.payout_history, name="payouts"),
    path("payouts/<uuid:payout_id>/", portal_payouts.payout_statement, name="payout-statement"),
    path(
        "payouts/<uuid:payout_id>/statement.csv",
        portal_payouts.payout_statement_csv,
        name="payout-statement-csv",
    ),
    path("profile/", portal.profile, name="profile"),
    path("erase/", portal.erase, name="erase"),
]
