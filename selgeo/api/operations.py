"""The API's prose in one place: each operation's summary and description.

A view may state its own with `extend_schema`; the post-processing hook in
`selgeo.api.schema` adds the entries here to the operations that have none (a
description here replaces the one drf-spectacular derives from a view's docstring, which
speaks of the code rather than of the operation). `tests/selgeo/test_openapi_docs.py`
fails for an operation left without a summary or a description.
"""

from __future__ import annotations

MODE = "The mode is the `mode` query parameter (`test` or `live`, default `live`)."

# operationId: (summary, description)
OPERATIONS: dict[str, tuple[str, str]] = {
    # API keys
    "api_keys_list": (
        "List API keys",
        "The merchant's API keys in one mode (`?mode=test|live`, default live), newest "
        "first, masked to their prefix. Revoked keys are not listed.",
    ),
    "api_keys_create": (
        "Create an API key",
        "Create a public (`pk_*`) or secret (`sk_*`) key in the requested mode. The answer "
        "carries the raw key once, in `key`; Selgeo stores only its hash and cannot show it "
        "again. Owners and admins only.",
    ),
    "api_keys_retrieve": (
        "Read an API key",
        "One key, masked to its prefix, with when it was created, last used and when it "
        "expires. A revoked key is 404.",
    ),
    "api_keys_destroy": (
        "Revoke an API key",
        "Revoke the key at once: requests made with it are refused, and the key is then 404 "
        "here and out of the list (the dashboard keeps it in its history).",
    ),
    "api_keys_revoke_create": (
        "Revoke an API key and return it",
        "Revoke the key at once and answer its final state (`status: revoked`). Like DELETE, "
        "the key is then 404 and out of the list.",
    ),
    "api_keys_roll_create": (
        "Roll an API key",
        "Replace the key with a new one of the same kind and mode. The new raw key is in the "
        "answer, once. With `expires_in_hours` (0 to 168) the old key keeps working that "
        "long, so that servers can be redeployed; with 0 it stops at once.",
    ),
    # Applications (merchant)
    "applications_list": (
        "List applications",
        "Partners' applications to the merchant's programs, newest first. Filter by status, "
        "program, partner, whether the partner was invited, or search with `q`. " + MODE,
    ),
    "applications_retrieve": (
        "Read an application",
        "One application: the partner, the program, its status and the partner's message.",
    ),
    "applications_approve_create": (
        "Approve an application",
        "pending or rejected → approved. The partner gets its default referral code in the "
        "program and can start sending traffic. An approved application, or one to an "
        "archived program, is 409.",
    ),
    "applications_reject_create": (
        "Reject an application",
        "pending → rejected, with an optional message. The partner sees the decision in the "
        "portal; a rejected application may be approved later.",
    ),
    # Invitations (merchant)
    "invitations_list": (
        "List invitations",
        "The merchant's invitations: an address, a program and a status, nothing of the "
        "partner until it accepts.",
    ),
    "invitations_retrieve": ("Read an invitation", "One invitation and its status."),
    "invitations_revoke_create": (
        "Revoke an invitation",
        "invited → revoked: the emailed link stops working. Accepted or declined "
        "invitations cannot be revoked (409).",
    ),
    # Partner portal API
    "partner_applications_list": (
        "List my applications",
        "The signed-in partner's applications to programs, newest first, with their status.",
    ),
    "partner_applications_retrieve": (
        "Read one of my applications",
        "One of the partner's applications; another partner's is 404.",
    ),
    "partner_erase_create": (
        "Erase my account",
        "The partner erases its own personal data on every merchant's side; its login stops "
        "working at once and its codes stop tracking. Commissions keep their amounts, "
        "attributed to a former partner.",
    ),
    "partner_invitations_list": (
        "List my invitations",
        "Invitations sent to the partner's login email: accept to join the program, or decline.",
    ),
    "partner_invitations_retrieve": (
        "Read one of my invitations",
        "One invitation addressed to the partner's login email.",
    ),
    "partner_invitations_accept_create": (
        "Accept an invitation",
        "invited → accepted: the partner is approved in the program and gets its referral "
        "code. A revoked or already answered invitation is 409.",
    ),
    "partner_invitations_decline_create": (
        "Decline an invitation",
        "invited → declined. The merchant learns only that the invitation was declined.",
    ),
    "partner_payout_account_retrieve": (
        "Read my payout account",
        "The partner's active payout method (SEPA, PayPal, Bitcoin or manual) with its "
        "details masked; 404 when none is set up.",
    ),
    "partner_payout_account_update": (
        "Set my payout account",
        "Replace the active payout method; the previous one is kept, inactive. An IBAN must "
        "pass its checksum, a Bitcoin address must belong to the configured network.",
    ),
    "partner_profile_retrieve": (
        "Read my profile",
        "The partner's profile: login email, display name, website and country.",
    ),
    "partner_profile_partial_update": (
        "Update my profile",
        "Change some of the profile's fields; fields not sent are kept. Countries are ISO "
        "3166-1 alpha-2 codes.",
    ),
    "partner_programs_list": (
        "Browse programs",
        "Public programs of every merchant, and the invite-only ones the partner is in, "
        "with their commission terms. Filter by currency, commission type, merchant, "
        "whether the partner applied, or search with `q`.",
    ),
    "partner_programs_retrieve": (
        "Read a program",
        "One program the partner may see, with its terms and the partner's application "
        "status in it.",
    ),
    "partner_programs_apply_create": (
        "Apply to a program",
        "Send an application, with an optional message, to a published program. A second "
        "application to the same program is 409 APPLICATION_DUPLICATE.",
    ),
    "partner_promo_codes_list": (
        "List my promo codes",
        "Coupon codes the merchants set up for this partner (read-only here).",
    ),
    "partner_promo_codes_retrieve": ("Read one of my promo codes", "One of the partner's codes."),
    "partner_referral_codes_list": (
        "List my referral codes",
        "The partner's own referral codes in the programs that approved it, with each "
        "code's tracking link.",
    ),
    "partner_referral_codes_create": (
        "Create a referral code",
        "A referral code of the partner's choosing (or generated) for an approved program. "
        "A code already taken within the merchant is 409 REFERRAL_CODE_TAKEN.",
    ),
    "partner_referral_codes_retrieve": (
        "Read one of my referral codes",
        "One code and its tracking link.",
    ),
    "partner_referral_codes_disable_create": (
        "Disable one of my referral codes",
        "The code stops tracking: its link answers 404 and clicks on it are refused. "
        "Conversions already attributed keep their commissions.",
    ),
    "partner_tax_profile_retrieve": (
        "Read my tax details",
        "The partner's tax details (form W-9, W-8BEN or W-8BEN-E), tax numbers masked.",
    ),
    "partner_tax_profile_update": (
        "Set my tax details",
        "Replace the tax details and sign the form anew (dated now). Tax numbers are checked "
        "for their country's format.",
    ),
    "partner_tax_profile_form_retrieve": (
        "Read my signed tax form",
        "The signed form, rendered as a document (title and labelled lines, secrets masked).",
    ),
    # Partners (merchant)
    "partners_list": (
        "List partners",
        "Partners who applied to (or accepted an invitation to) the merchant's programs, "
        "with their application statuses. Filter by program, status, country, erasure, or "
        "search with `q`. " + MODE,
    ),
    "partners_retrieve": (
        "Read a partner",
        "One partner of the merchant's programs; a partner that never applied to them is 404.",
    ),
    "partners_erase_create": (
        "Erase a partner's data held by this merchant",
        "Erase what this merchant holds about the partner, in both modes (owner or admin). "
        "The relationship ends (the partner's applications to the merchant's programs go), "
        "its codes here stop working, and the merchant's events lose its personal data. "
        "The partner's account and its standing with other merchants are not touched: "
        "erasing the account itself is the partner's own request.",
    ),
    # Programs
    "programs_list": (
        "List programs",
        "The merchant's programs in one mode, newest first. Filter by status, commission "
        "type, currency, visibility, or search with `q`.",
    ),
    "programs_create": (
        "Create a program",
        "A new program, in draft: partners see it once it is published. `code` is 3 to 40 "
        "letters, digits, `-` or `_`, unique within the merchant and mode. The commission "
        "fields that apply depend on `commission_type` (CPA: `cpa_amount_cents`; CPS and "
        "RevShare: `percent_bps`, RevShare also `recurring_months`).",
    ),
    "programs_retrieve": ("Read a program", "One program with its terms and status."),
    "programs_partial_update": (
        "Update a program",
        "Change some of the program's fields. The code and currency can change only in "
        "draft; the commission terms only in draft or while paused (409 otherwise).",
    ),
    "programs_archive_create": (
        "Archive a program",
        "Archived is final: links and codes stop tracking, and the program's code stays reserved.",
    ),
    "programs_invite_create": (
        "Invite a partner by email",
        "Offer the program to an email address; the partner accepts or declines. The answer "
        "is the same whether the address has a Selgeo account or not. An open invitation of "
        "the same address to this program is answered again (200, no mail).",
    ),
    "programs_pause_create": (
        "Pause a program",
        "published → paused: no conversion is attributed to it meanwhile, and its commission "
        "terms may be changed.",
    ),
    "programs_publish_create": (
        "Publish a program",
        "draft → published, or paused → published. Partners can apply from then on.",
    ),
    # Promo and referral codes (merchant)
    "promo_codes_list": (
        "List promo codes",
        "Coupon codes that attribute a sale to a partner without a click. Filter by program, "
        "partner, status, or search with `q`.",
    ),
    "promo_codes_create": (
        "Create a promo code",
        "A coupon code for an approved partner in a program. A conversion that reports it in "
        "`promo_code` is attributed to that partner.",
    ),
    "promo_codes_retrieve": ("Read a promo code", "One promo code and its partner."),
    "promo_codes_disable_create": (
        "Disable a promo code",
        "The code no longer attributes conversions; earlier ones keep their commissions.",
    ),
    "referral_codes_list": (
        "List referral codes",
        "The merchant's referral codes in one mode: one partner's code in one program each, "
        "with its tracking link.",
    ),
    "referral_codes_create": (
        "Create a referral code",
        "An extra referral code for an approved partner in a program (a campaign's own "
        "link, say). A code already taken is 409 REFERRAL_CODE_TAKEN.",
    ),
    "referral_codes_retrieve": ("Read a referral code", "One referral code and its link."),
    "referral_codes_disable_create": (
        "Disable a referral code",
        "The code stops tracking: its link answers 404 and clicks on it are refused.",
    ),
    # Webhooks
    "webhooks_deliveries_list": (
        "List deliveries",
        "Every delivery attempt, newest first, with the response's status, latency and first "
        "bytes, and when the next attempt is due; filter by endpoint, event and status.",
    ),
    "webhooks_deliveries_retrieve": (
        "Read a delivery",
        "One delivery attempt: what triggered it, the response's status, latency and first "
        "bytes, or the error that prevented an answer.",
    ),
    "webhooks_endpoints_list": (
        "List webhook endpoints",
        "The merchant's webhook endpoints in one mode (at most 10), with their status and "
        "subscribed event types.",
    ),
    "webhooks_endpoints_create": (
        "Create a webhook endpoint",
        "Subscribe a URL to event types. Live endpoints must use HTTPS; a URL that resolves "
        "to a private or loopback address is refused (422). The answer carries the signing "
        "secret (`whsec_…`) once.",
    ),
    "webhooks_endpoints_retrieve": (
        "Read a webhook endpoint",
        "One endpoint with its status and, when disabled, why.",
    ),
    "webhooks_endpoints_partial_update": (
        "Update a webhook endpoint",
        "Change the URL, description, subscribed event types or status. Re-enabling a "
        "disabled endpoint resets its failure count.",
    ),
    "webhooks_endpoints_destroy": (
        "Delete a webhook endpoint",
        "The endpoint receives nothing more; its delivery log is kept for the retention period.",
    ),
    "webhooks_endpoints_replay_failed_create": (
        "Replay failed deliveries",
        "Queue a new delivery of every event that failed to reach this endpoint since the "
        "given moment. Answers how many were queued.",
    ),
    "webhooks_endpoints_rotate_secret_create": (
        "Rotate the signing secret",
        "A new signing secret, shown once. The old secret keeps signing beside the new one "
        "for `previous_valid_hours` (default 24, 0 to 168), so that receivers can switch over.",
    ),
    "webhooks_endpoints_test_create": (
        "Send a test event",
        "Send an `endpoint.test` event to this endpoint through the normal delivery path "
        "(signature, retries, log).",
    ),
    "webhooks_event_types_retrieve": (
        "List event types",
        "The event catalogue: every type Selgeo sends, with an example payload built by the "
        "same code that builds real deliveries.",
    ),
    "webhooks_events_list": (
        "List events",
        "Events recorded for the merchant in one mode, newest first, with their deliveries.",
    ),
    "webhooks_events_retrieve": (
        "Read an event",
        "One event: its type, payload exactly as delivered, and its deliveries.",
    ),
    "webhooks_events_replay_create": (
        "Replay an event",
        "Deliver the event again, with the same id and payload, to every subscribed endpoint "
        "or to the one named by `endpoint_id`.",
    ),
    # Descriptions for operations that state only a summary.
    "attribution_clicks_retrieve": (
        "What Selgeo knows of a click",
        "The click's partner, program, referral code and landing page, whether it was a bot "
        "or has expired (and when its window closes), and the conversions attributed to it.",
    ),
    "attribution_conversions_retrieve": (
        "How a conversion was (or was not) attributed, step by step",
        "Every step of the attribution decision for one conversion: the signals received, "
        "the candidates considered, the rule that decided, and the commission computed.",
    ),
    "auth_forgot_password_create": (
        "Request a password reset email",
        "Always 202, whether or not the address has an account, so that the answer reveals "
        "nothing. A known address receives a single-use link valid for two hours.",
    ),
    "auth_register_create": (
        "Create a merchant or partner account",
        "`account_type: merchant` creates a user, its merchant and four API keys (public and "
        "secret, test and live), whose raw values are in `api_keys` this once. "
        "`account_type: partner` creates a partner login. Either way the answer carries the "
        "access and refresh tokens.",
    ),
    "auth_reset_password_create": (
        "Set a new password with a reset token",
        "The token from the reset email sets a new password once; every earlier session and "
        "token of the account is revoked.",
    ),
    "partner_payouts_list": (
        "List my payouts",
        "The partner's payouts, newest first, with their amounts, rail and status.",
    ),
    "partner_payouts_retrieve": (
        "Read one of my payouts",
        "One payout with the commissions and adjustments it pays.",
    ),
    "partner_payouts_statement_retrieve": (
        "A payout's statement",
        "The statement of one payout: each commission and adjustment with its amount.",
    ),
    "partner_payouts_statement.csv_retrieve": (
        "A payout's statement as CSV",
        "The same statement as a CSV file, one line per commission or adjustment.",
    ),
    "partner_payouts_balance_retrieve": (
        "My balance",
        "What is approved and not yet paid, per merchant and currency, and what is still "
        "pending in its refund window.",
    ),
    "payouts_list": (
        "List payouts",
        "The merchant's payouts, newest first; filter by run, partner, status and currency.",
    ),
    "payouts_retrieve": (
        "Read a payout",
        "One payout with the commissions and adjustments it pays and its history.",
    ),
    "payouts_transition": (
        "Mark a payout processing, paid or failed (idempotent)",
        "`mark-processing`, `mark-paid` or `mark-failed`. A failed payout returns its "
        "commissions to the partner's balance; repeating the current status changes nothing; "
        "a transition the status does not allow is 409 PAYOUT_STATUS_CONFLICT.",
    ),
    "payouts_preview_retrieve": (
        "What each partner would be paid now, and why not",
        "For each partner with an approved balance: the amount a run would pay, or the "
        "reasons it would not (`below_minimum`, `no_payout_method`, `tax_details_missing`, "
        "`erased`).",
    ),
    "payouts_preview_export_retrieve": (
        "The preview as CSV",
        "The same preview as a CSV file, one line per partner and currency.",
    ),
    "payouts_runs_list": ("List payout runs", "The merchant's payout runs, newest first."),
    "payouts_runs_create": (
        "Create a payout run (every payable partner, or those named)",
        "Create the payouts of every partner that can be paid now (or of those in "
        "`partner_ids`), each holding the commissions it pays, so that no commission is "
        "paid twice.",
    ),
    "payouts_runs_retrieve": (
        "Read a payout run",
        "One run with its payouts, totals per currency and payment files.",
    ),
    "payouts_runs_transition": (
        "Mark every payout of a run processing, paid or failed",
        "`mark-processing`, `mark-paid` or `mark-failed`, applied to each payout of the run "
        "that allows it.",
    ),
    "payouts_runs_files_retrieve": (
        "A run's payment file",
        "The payment file for one rail: `sepa` (pain.001.001.03 XML), `paypal` (batch CSV) "
        "or `csv`. A rail whose settings are incomplete is 422 PAYOUT_FILE_UNAVAILABLE.",
    ),
    "payouts_settings_retrieve": (
        "Payout settings",
        "The schedule, minimum payout per currency, hold days and the SEPA debtor details.",
    ),
    "payouts_settings_partial_update": (
        "Change payout settings",
        "Change some of the payout settings; the debtor IBAN must pass its checksum.",
    ),
    "test_sessions_create": (
        "A test click id for a test-mode program",
        "Start a test session: a `test_` click id to report a conversion with, so that an "
        "integration can be checked end to end without a browser.",
    ),
    "test_sessions_retrieve": (
        "What a test session received and whether it validated",
        "The conversion the session received, if any, and each check it passed or failed.",
    ),
}
