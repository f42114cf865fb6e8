"""The partner's legacy plaintext payout details move into encrypted payout accounts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from payouts.models import PayoutAccount
from tests.payouts.conftest import IBAN

BEFORE = [("accounts", "0002_user_token_generation"), ("payouts", "0001_payout_accounts_and_tax")]
AFTER = [
    ("accounts", "0003_partner_payout_fields_moved"),
    ("payouts", "0002_accounts_legacy_details"),
]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


@pytest.fixture
def back_to_latest() -> Iterator[None]:
    # Going back to BEFORE unapplies every later migration that depends on it (payout
    # runs, invitations, …): the tests after this one need the whole schema again.
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest")
def test_legacy_details_are_copied_encrypted_and_the_columns_dropped() -> None:
    old = _migrate(BEFORE).loader.project_state(BEFORE).apps
    User = old.get_model("accounts", "User")
    Partner = old.get_model("accounts", "Partner")
    partners = {}
    for name, method, details in [
        ("sepa", "sepa", {"iban": IBAN, "account_holder": "Sam", "bic": "COBADEFFXXX"}),
        ("paypal", "paypal", {"email": "pay@example.org"}),
        ("manual", "manual", {"note": "Cheque to PO box 12"}),
        ("none", "none", {}),
    ]:
        user = User.objects.create(email=f"{name}@example.org", password="!")
        partners[name] = Partner.objects.create(
            user=user, display_name=name, payout_method=method, payout_details=details
        )

    _migrate(AFTER)

    accounts = {a.partner.display_name: a for a in PayoutAccount.objects.select_related("partner")}
    assert sorted(accounts) == ["manual", "paypal", "sepa"]
    sepa = accounts["sepa"]
    assert (sepa.method, sepa.iban, sepa.iban_last4, sepa.account_holder, sepa.bic) == (
        "sepa",
        IBAN,
        "3000",
        "Sam",
        "COBADEFFXXX",
    )
    assert accounts["paypal"].paypal_email == "pay@example.org"
    assert accounts["manual"].instructions == "Cheque to PO box 12"
    assert all(a.is_active for a in accounts.values())
    with connection.cursor() as cursor:
        cursor.execute("SELECT iban FROM payouts_payoutaccount WHERE method = 'sepa'")
        assert IBAN not in cursor.fetchone()[0]
        columns = {
            c.name
            for c in connection.introspection.get_table_description(cursor, "accounts_partner")
        }
    assert {"payout_method", "payout_details"}.isdisjoint(columns)
