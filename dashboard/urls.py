"""Pages: the merchant dashboard under /dashboard/, the partner portal under /partner/."""

from django.urls import URLPattern, URLResolver, include, path

from dashboard.views import auth, keys, overview, team

dashboard_patterns = [
    path("", overview.overview, name="overview"),
    path("new-merchant/", auth.create_merchant, name="create-merchant"),
    path("mode/", auth.switch_mode, name="switch-mode"),
    path("merchant/", auth.switch_merchant, name="switch-merchant"),
    path("team/", team.team, name="team"),
    path("team/<int:membership_id>/role/", team.member_role, name="member-role"),
    path("team/<int:membership_id>/remove/", team.member_remove, name="member-remove"),
    path("developers/", keys.api_keys, name="developers"),
    path("developers/keys/", keys.api_keys, name="api-keys"),
    path("developers/keys/<uuid:key_id>/roll/", keys.api_key_roll, name="api-key-roll"),
    path("developers/keys/<uuid:key_id>/revoke/", keys.api_key_revoke, name="api-key-revoke"),
]

merchant_urls: list[URLPattern | URLResolver] = [
    path("", auth.home, name="home"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("signup/", auth.signup, name="signup"),
    path("forgot-password/", auth.forgot_password, name="forgot-password"),
    path("reset-password", auth.reset_password, name="reset-password"),
    path("dashboard/", include(dashboard_patterns)),
]

urlpatterns = [
    path("", include((merchant_urls, "dashboard"))),
    path("partner/", include(("dashboard.portal_urls", "portal"))),
]
