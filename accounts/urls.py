from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts import api

router = SimpleRouter(trailing_slash=False)
router.register("api-keys", api.ApiKeyViewSet, basename="api-key")

api_urlpatterns = [
    path("auth/register", api.RegisterView.as_view(), name="auth-register"),
    path("auth/login", api.LoginView.as_view(), name="auth-login"),
    path("auth/refresh", api.RefreshView.as_view(), name="auth-refresh"),
    path("auth/logout", api.LogoutView.as_view(), name="auth-logout"),
    path("auth/change-password", api.ChangePasswordView.as_view(), name="auth-change-password"),
    path("auth/forgot-password", api.ForgotPasswordView.as_view(), name="auth-forgot-password"),
    path("auth/reset-password", api.ResetPasswordView.as_view(), name="auth-reset-password"),
    *router.urls,
]
