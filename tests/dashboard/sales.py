"""Sales recorded the way a merchant's server records them: clicks, then the Conversion API.

`record_sales` builds one month of Acme's live data on fixed UTC dates, so that the
conversions, commissions, partner activity and earnings pages can be checked to the cent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from accounts.models import Merchant, Partner
from conversions import services
from conversions.models import Commission, CommissionStatus
from partners.models import Program
from tests.conftest import Keys, api_client
from tests.partners.factories import ApplicationFactory, ClickFactory, ProgramFactory
from tracking.models import Click

# Pages are looked at on this moment; "the last 30 days" are May 2 to May 31 2026.
NOW = datetime(2026, 5, 31, 12, 0, tzinfo=UTC)
UNKNOWN_CLICK = "00000000-0000-7000-8000-000000000000"


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def report(sk: str, *, txid: str, click: Click | str | None = None, **fields: Any) -> str:
    """POST a conversion with a secret key; returns the new conversion's id."""
    body: dict[str, Any] = {
        "event_type": "purchase",
        "external_transaction_id": txid,
        "amount_cents": 10000,
        "currency": "EUR",
        **fields,
    }
    if click is not None:
        body["click_id"] = str(click.pk) if isinstance(click, Click) else click
    response = api_client(sk).post("/api/v1/conversions", body, format="json")
    assert response.status_code == 201, response.content
    return str(response.json()["id"])


def sale(
    time_machine: Any,
    when: datetime,
    sk: str,
    *,
    txid: str,
    program: Program,
    partner: Partner,
    **fields: Any,
) -> str:
    """A click by the partner's visitor and, at the same moment, the sale it led to."""
    time_machine.move_to(when, tick=False)
    click = ClickFactory(program=program, partner=partner, created_at=when)
    return report(sk, txid=txid, click=click, **fields)


@dataclass
class Sales:
    bags: Program
    ids: dict[str, str] = field(default_factory=dict)

    def commission(self, txid: str) -> Commission:
        return Commission.objects.get(conversion_id=self.ids[txid])


def record_sales(
    time_machine: Any,
    *,
    keys: Keys,
    other_keys: Keys,
    merchant: Merchant,
    program: Program,
    test_program: Program,
    other_program: Program,
    partner: Partner,
    other_partner: Partner,
) -> Sales:
    """Acme's live month (SHOES pays 15% in EUR, BAGS 5.00 USD per sale, 30-day holds).

    | txid        | when         | partner       | commission              |
    | c-paid      | Apr 1 10:00  | partner       | 30.00 EUR, paid         |
    | c-approved  | May 1 10:00  | partner       | 15.00 EUR, approved     |
    | c-pending   | May 20 10:00 | partner       | 3.00 EUR (20.00 sale)   |
    | c-usd       | May 20 11:00 | partner, BAGS | 5.00 USD (99.00 sale)   |
    | c-reversed  | May 21 10:00 | partner       | 7.50 EUR, reversed      |
    | c-elsewhere | May 22 10:00 | partner, Other merchant | 6.00 EUR      |
    | c-other     | May 22 12:00 | other_partner | 1.50 EUR                |
    | c-none      | May 23 10:00 | (unknown click, not attributed)         |
    | t-1         | May 24 10:00 | partner, test mode | 1.50 EUR           |
    and a bot click of the partner on May 25, which no figure counts.
    """
    bags = ProgramFactory(
        merchant=merchant,
        mode="live",
        code="BAGS",
        name="Bags",
        currency="USD",
        commission_type="cpa",
        cpa_amount_cents=500,
        percent_bps=None,
    )
    ApplicationFactory(program=bags, partner=partner, status="approved")
    ApplicationFactory(program=program, partner=other_partner, status="approved")
    sales = Sales(bags=bags)
    ids = sales.ids
    sk = keys.sk_live
    mine = {"program": program, "partner": partner}
    ids["c-paid"] = sale(time_machine, at(4, 1), sk, txid="c-paid", amount_cents=20000, **mine)
    ids["c-approved"] = sale(time_machine, at(5, 1), sk, txid="c-approved", **mine)
    ids["c-pending"] = sale(
        time_machine, at(5, 20), sk, txid="c-pending", amount_cents=2000, event_type="lead", **mine
    )
    ids["c-usd"] = sale(
        time_machine,
        at(5, 20, 11),
        sk,
        txid="c-usd",
        program=bags,
        partner=partner,
        amount_cents=9900,
        currency="USD",
    )
    ids["c-reversed"] = sale(
        time_machine, at(5, 21), sk, txid="c-reversed", amount_cents=5000, **mine
    )
    ids["c-elsewhere"] = sale(
        time_machine,
        at(5, 22),
        other_keys.sk_live,
        txid="c-elsewhere",
        program=other_program,
        partner=partner,
        amount_cents=4000,
    )
    ids["c-other"] = sale(
        time_machine,
        at(5, 22, 12),
        sk,
        txid="c-other",
        program=program,
        partner=other_partner,
        amount_cents=1000,
    )
    time_machine.move_to(at(5, 23), tick=False)
    ids["c-none"] = report(sk, txid="c-none", click=UNKNOWN_CLICK, amount_cents=3000)
    ids["t-1"] = sale(
        time_machine, at(5, 24), keys.sk_test, txid="t-1", program=test_program, partner=partner
    )
    ClickFactory(program=program, partner=partner, created_at=at(5, 25), is_bot=True)

    time_machine.move_to(NOW, tick=False)
    services.conversion_reverse(
        merchant=merchant, mode="live", conversion_id=uuid.UUID(ids["c-reversed"]), reason="refund"
    )
    # Approves c-paid and c-approved, whose 30-day holds are over by now.
    assert services.commissions_approve_due(now=NOW) == 2
    # Payouts mark commissions paid; this one was paid out.
    Commission.objects.filter(conversion_id=ids["c-paid"]).update(
        status=CommissionStatus.PAID, paid_at=NOW - timedelta(days=1)
    )
    return sales
