"""SEPA credit transfer initiation (pain.001.001.03) written by `sepaxml`, validated
against the schema that `sepaxml` ships before it leaves Selgeo."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import sepaxml
from sepaxml import SepaTransfer

from payouts.run_models import Payout, PayoutSettings

SCHEMA = "pain.001.001.03"
NAMESPACE = f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"


def schema_path() -> Path:
    return Path(sepaxml.__file__).parent / "schemas" / f"{SCHEMA}.xsd"


def sepa_xml(
    *, payouts: Sequence[Payout], settings: PayoutSettings, test: bool, execution_date: date
) -> bytes:
    """One EUR batch debiting the merchant's account, one transaction per payout."""
    transfer = SepaTransfer(
        {
            "name": settings.sepa_debtor_name,
            "IBAN": settings.sepa_debtor_iban,
            "BIC": settings.sepa_debtor_bic or "NOTPROVIDED",
            "batch": True,
            "currency": "EUR",
        },
        schema=SCHEMA,
        clean=True,
    )
    if test:
        # The message id is how a bank names a file: TEST says it is never to be sent.
        node = transfer._xml.find("CstmrCdtTrfInitn/GrpHdr/MsgId")
        if node is not None and node.text:
            node.text = f"TEST-{node.text}"[:35]
    prefix = "TEST " if test else ""
    for payout in payouts:
        account = payout.payout_account
        assert account is not None
        payment = {
            "name": account.account_holder,
            "IBAN": account.iban,
            "amount": payout.amount_cents,
            "execution_date": execution_date,
            "description": f"{prefix}Selgeo payout {payout.pk}",
            "endtoend_id": payout.pk.hex,
        }
        if account.bic:
            payment["BIC"] = account.bic
        transfer.add_payment(payment)
    # sepaxml validates the document against its schema (xmlschema) on export.
    return bytes(transfer.export(validate=True))
