"""Attribution explanations: the stable codes, the recorded steps, a failed check.

The codes are part of the API: merchants branch on them. Never rename one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

ATTRIBUTED_CLICK = "attributed_click"
ATTRIBUTED_PROMO_CODE = "attributed_promo_code"
CLICK_NOT_FOUND = "click_not_found"
CLICK_EXPIRED = "click_expired"
CLICK_IS_BOT = "click_is_bot"
CLICK_AFTER_CONVERSION = "click_after_conversion"
REFERRAL_CODE_DISABLED = "referral_code_disabled"
PROMO_CODE_UNKNOWN = "promo_code_unknown"
PROMO_CODE_DISABLED = "promo_code_disabled"
PARTNER_ERASED = "partner_erased"
PROGRAM_NOT_ACTIVE = "program_not_active"
CURRENCY_MISMATCH = "currency_mismatch"
CPA_CUSTOMER_LIMIT = "cpa_customer_limit"
CPA_CLICK_LIMIT = "cpa_click_limit"
REVSHARE_WINDOW_OVER = "revshare_window_over"

EXPLANATION_CODES = (
    ATTRIBUTED_CLICK,
    ATTRIBUTED_PROMO_CODE,
    CLICK_NOT_FOUND,
    CLICK_EXPIRED,
    CLICK_IS_BOT,
    CLICK_AFTER_CONVERSION,
    REFERRAL_CODE_DISABLED,
    PROMO_CODE_UNKNOWN,
    PROMO_CODE_DISABLED,
    PARTNER_ERASED,
    PROGRAM_NOT_ACTIVE,
    CURRENCY_MISMATCH,
    CPA_CUSTOMER_LIMIT,
    CPA_CLICK_LIMIT,
    REVSHARE_WINDOW_OVER,
)

# One sentence per code, for people: the dashboard shows it beside (never instead of)
# the code. The stored `message` says the same for one conversion, with its details.
CODE_SENTENCES: dict[str, str] = {
    ATTRIBUTED_CLICK: "Attributed through the partner's tracking link.",
    ATTRIBUTED_PROMO_CODE: "Attributed through the partner's promo code.",
    CLICK_NOT_FOUND: "The click id matches no click of this merchant in this mode.",
    CLICK_EXPIRED: "The click's attribution window had closed when the sale happened.",
    CLICK_IS_BOT: "The click was made by a bot or crawler; bots never earn.",
    CLICK_AFTER_CONVERSION: "The sale happened before the click was recorded.",
    REFERRAL_CODE_DISABLED: "The partner's referral code had been disabled.",
    PROMO_CODE_UNKNOWN: "The promo code matches no promo code of this merchant.",
    PROMO_CODE_DISABLED: "The promo code had been disabled.",
    PARTNER_ERASED: "The partner erased their data and can no longer earn.",
    PROGRAM_NOT_ACTIVE: "The program was not published (draft, paused or archived).",
    CURRENCY_MISMATCH: "The sale's currency is not one the program pays on.",
    CPA_CUSTOMER_LIMIT: "CPA pays once per customer, and this customer had already converted.",
    CPA_CLICK_LIMIT: "CPA pays once per click, and this click had already converted.",
    REVSHARE_WINDOW_OVER: "The RevShare period for this customer was over.",
}


def code_sentence(code: str) -> str:
    return CODE_SENTENCES.get(code, "")


# The result of one step.
PASS, FAIL, SKIPPED, INFO = "pass", "fail", "skipped", "info"


@dataclass(frozen=True)
class Failure:
    code: str
    message: str


@dataclass
class Steps:
    items: list[dict[str, str]] = field(default_factory=list)

    def add(self, check: str, result: str, message: str) -> None:
        self.items.append({"check": check, "result": result, "message": message})

    def fail(self, check: str, code: str, message: str) -> Failure:
        self.add(check, FAIL, message)
        return Failure(code, message)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
