"""Pages: the merchant dashboard under /dashboard/, the partner portal under /partner/,
and merchants' public program pages under /p/<merchant-slug>/."""

from django.urls import URLPattern, URLResolver, include, path

from dashboard.views import (
    affspace,
    applications,
    auth,
    commissions,
    conversions,
    demo_shop,
    dynamic_url,
    events,
    forwarding,
    integration,
    keys,
    notification_settings,
    order_webhooks,
    overview,
    partners,
    payouts,
    portal_programs,
    products,
    program_detail,
    program_terms,
    programs,
    reporting,
    team,
    webhooks,
)

dashboard_patterns = [
    path("", overview.overview, name="overview"),
    path("new-merchant/", auth.create_merchant, name="create-merchant"),
    path(
        "settings/reporting-currency/",
        reporting.reporting_currency,
        name="reporting-currency",
    ),
    path(
        "settings/notifications/",
        notification_settings.member_notifications,
        name="notifications",
    ),
    path("mode/", auth.switch_mode, name="switch-mode"),
    path("merchant/", auth.switch_merchant, name="switch-merchant"),
    path("programs/", programs.program_list, name="programs"),
    path("programs/export.csv", programs.program_export, name="programs-export"),
    path("programs/new/", programs.program_create, name="program-create"),
    path("programs/validate/", programs.program_validate, name="program-validate"),
    path("programs/<uuid:program_id>/", program_detail.program_detail, name="program"),
    path("programs/<uuid:program_id>/edit/", programs.program_edit, name="program-edit"),
    path(
        "programs/<uuid:program_id>/validate/",
        programs.program_validate,
        name="program-edit-validate",
    ),
    path(
        "programs/<uuid:program_id>/status/<slug:action>/",
        programs.program_status,
        name="program-status",
    ),
    path(
        "programs/<uuid:program_id>/dynamic-url/",
        dynamic_url.dynamic_url,
        name="program-dynamic-url",
    ),
    path(
        "programs/<uuid:program_id>/invite/", program_detail.program_invite, name="program-invite"
    ),
    path("programs/<uuid:program_id>/terms/", program_terms.program_terms, name="program-terms"),
    path(
        "programs/<uuid:program_id>/rates/<uuid:rate_id>/delete/",
        program_terms.program_rate_delete,
        name="program-rate-delete",
    ),
    path(
        "programs/<uuid:program_id>/tiers/<uuid:tier_id>/delete/",
        program_terms.program_tier_delete,
        name="program-tier-delete",
    ),
    path("partner-groups/", program_terms.partner_groups, name="partner-groups"),
    path("partner-groups/<uuid:group_id>/", program_terms.partner_group, name="partner-group"),
    path(
        "partner-groups/<uuid:group_id>/delete/",
        program_terms.partner_group_delete,
        name="partner-group-delete",
    ),
    path(
        "partner-groups/<uuid:group_id>/members/<uuid:partner_id>/remove/",
        program_terms.partner_group_remove,
        name="partner-group-remove",
    ),
    path(
        "invitations/<uuid:invitation_id>/revoke/",
        program_detail.invitation_revoke,
        name="invitation-revoke",
    ),
    path("applications/", applications.application_list, name="applications"),
    path(
        "applications/<uuid:application_id>/<slug:decision>/",
        applications.application_decide,
        name="application-decide",
    ),
    path("partners/", partners.partner_list, name="partners"),
    path("partners/export.csv", partners.partner_export, name="partners-export"),
    path("partners/<uuid:partner_id>/", partners.partner_detail, name="partner"),
    path(
        "partners/<uuid:partner_id>/promo-codes/",
        partners.promo_code_create,
        name="promo-code-create",
    ),
    path("partners/<uuid:partner_id>/erase/", partners.partner_erase, name="partner-erase"),
    path(
        "referral-codes/<uuid:code_id>/disable/",
        partners.referral_code_disable,
        name="referral-code-disable",
    ),
    path(
        "promo-codes/<uuid:code_id>/disable/",
        partners.promo_code_disable,
        name="promo-code-disable",
    ),
    path("products/", products.product_list, name="products"),
    path("products/<uuid:product_id>/", products.product_edit, name="product"),
    path("conversions/", conversions.conversion_list, name="conversions"),
    path("conversions/export.csv", conversions.conversion_export, name="conversions-export"),
    path("conversions/<uuid:conversion_id>/", conversions.conversion_detail, name="conversion"),
    path(
        "conversions/<uuid:conversion_id>/reverse/",
        conversions.conversion_reverse,
        name="conversion-reverse",
    ),
    path("commissions/", commissions.commission_list, name="commissions"),
    path("commissions/export.csv", commissions.commission_export, name="commissions-export"),
    path("payouts/", payouts.payout_overview, name="payouts"),
    path("payouts/settings/", payouts.payout_settings, name="payout-settings"),
    path("payouts/preview.csv", payouts.preview_export, name="payout-preview-export"),
    path("payouts/runs/new/", payouts.run_create, name="payout-run-create"),
    path("payouts/runs/<uuid:run_id>/", payouts.run_detail, name="payout-run"),
    path("payouts/runs/<uuid:run_id>/progress/", payouts.run_progress, name="payout-run-progress"),
    path(
        "payouts/runs/<uuid:run_id>/files/<slug:rail>/",
        payouts.run_download,
        name="payout-run-file",
    ),
    path(
        "payouts/runs/<uuid:run_id>/mark/<slug:action>/", payouts.run_mark, name="payout-run-mark"
    ),
    path("payouts/<uuid:payout_id>/mark/<slug:action>/", payouts.payout_mark, name="payout-mark"),
    path("team/", team.team, name="team"),
    path("team/<int:membership_id>/role/", team.member_role, name="member-role"),
    path("team/<int:membership_id>/remove/", team.member_remove, name="member-remove"),
    path("developers/", keys.api_keys, name="developers"),
    path("developers/keys/", keys.api_keys, name="api-keys"),
    path("developers/keys/<uuid:key_id>/roll/", keys.api_key_roll, name="api-key-roll"),
    path("developers/keys/<uuid:key_id>/revoke/", keys.api_key_revoke, name="api-key-revoke"),
    path("developers/webhooks/", webhooks.endpoint_list, name="webhooks"),
    path("developers/webhooks/<uuid:endpoint_id>/", webhooks.endpoint_detail, name="webhook"),
    path(
        "developers/webhooks/<uuid:endpoint_id>/rotate/",
        webhooks.endpoint_rotate,
        name="webhook-rotate",
    ),
    path(
        "developers/webhooks/<uuid:endpoint_id>/test/", webhooks.endpoint_test, name="webhook-test"
    ),
    path(
        "developers/webhooks/<uuid:endpoint_id>/replay-failed/",
        webhooks.endpoint_replay_failed,
        name="webhook-replay-failed",
    ),
    path(
        "developers/webhooks/<uuid:endpoint_id>/delete/",
        webhooks.endpoint_delete,
        name="webhook-delete",
    ),
    path("developers/order-webhooks/", order_webhooks.order_webhooks, name="order-webhooks"),
    path(
        "developers/order-webhooks/rotate/",
        order_webhooks.order_webhooks_rotate,
        name="order-webhooks-rotate",
    ),
    path("developers/events/", events.event_list, name="events"),
    path("developers/events/<str:event_id>/", events.event_detail, name="event"),
    path("developers/events/<str:event_id>/replay/", events.event_replay, name="event-replay"),
    path("developers/forwarding/", forwarding.forward_list, name="forwards"),
    path("developers/forwarding/<uuid:forward_id>/", forwarding.forward_detail, name="forward"),
    path("developers/test/", integration.integration_test, name="integration-test"),
    path("developers/affspace/", affspace.affspace_dialect, name="affspace-dialect"),
    path(
        "developers/test/<uuid:session_id>/",
        integration.integration_session,
        name="integration-session",
    ),
    path(
        "developers/test/<uuid:session_id>/status/",
        integration.integration_session_status,
        name="integration-session-status",
    ),
]

merchant_urls: list[URLPattern | URLResolver] = [
    path("", auth.home, name="home"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("signup/", auth.signup, name="signup"),
    path("forgot-password/", auth.forgot_password, name="forgot-password"),
    path("reset-password", auth.reset_password, name="reset-password"),
    path("password/", auth.change_password, name="change-password"),
    path("dashboard/", include(dashboard_patterns)),
]

public_urls: list[URLPattern | URLResolver] = [
    path("<slug:merchant_slug>/", portal_programs.merchant_page, name="merchant-programs"),
]

urlpatterns = [
    path("", include((merchant_urls, "dashboard"))),
    # The demo programs' landing page (`manage.py selgeo_demo`).
    path("demo/shop/", demo_shop.demo_shop, name="demo-shop"),
    path("demo/shop/buy/", demo_shop.demo_shop_buy, name="demo-shop-buy"),
    path("demo/shop/test/", demo_shop.demo_shop, {"mode": "test"}, name="demo-shop-test"),
    path(
        "demo/shop/test/buy/", demo_shop.demo_shop_buy, {"mode": "test"}, name="demo-shop-buy-test"
    ),
    path("partner/", include(("dashboard.portal_urls", "portal"))),
    path("p/", include((public_urls, "public"))),
]
