"""The partner portal under /partner/."""

from django.urls import path

from dashboard.views import auth, portal

urlpatterns = [
    path("", portal.home, name="home"),
    path("login/", auth.login_view, {"portal": True}, name="login"),
    path("signup/", auth.partner_signup, name="signup"),
    path("profile/new/", auth.become_partner, name="become-partner"),
    path("profile/", portal.profile, name="profile"),
]
