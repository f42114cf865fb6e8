"""Payment files: SEPA pain.001.001.03 valid against its schema, PayPal and generic CSV."""

from __future__ import annotations

import pytest
import xmlschema

from payouts import services
from payouts.rails import run_file
from payouts.rails.sepa import NAMESPACE, schema_path
from payouts.run_errors import PayoutFileUnavailable
from tests.factories import PartnerFactory
from tests.payouts.money import IBAN, commission, paypal_account

pytestmark = pytest.mark.django_db


def _debtor(merchant, mode):
    services.payout_settings_update(
        merchant=merchant,
        mode=mode,
        sepa_debtor_name="Acme GmbH",
        sepa_debtor_iban="DE02120300000000202051",
        sepa_debtor_bic="BYLADEM1001",
    )


def test_the_sepa_file_is_valid_pain_001_001_03_with_one_transfer_per_payout(
    merchant, program, jane
):
    _debtor(merchant, "live")
    commission(program, jane, 12345)
    kim = PartnerFactory(display_name="Kim")
    paypal_account(kim)
    commission(program, kim, 6000)
    run = services.payout_run_create(merchant=merchant, mode="live")

    document = run_file(run=run, rail="sepa")

    assert document.content_type == "application/xml"
    schema = xmlschema.XMLSchema(str(schema_path()))
    schema.validate(document.content)
    data = schema.to_dict(document.content)["CstmrCdtTrfInitn"]
    assert data["GrpHdr"]["NbOfTxs"] == "1"
    assert str(data["GrpHdr"]["CtrlSum"]) == "123.45"
    assert not data["GrpHdr"]["MsgId"].startswith("TEST")
    (batch,) = data["PmtInf"]
    assert batch["DbtrAcct"]["Id"]["IBAN"] == "DE02120300000000202051"
    (transfer,) = batch["CdtTrfTxInf"]
    assert transfer["CdtrAcct"]["Id"]["IBAN"] == IBAN
    assert transfer["Cdtr"]["Nm"] == "Jane Doe"
    assert NAMESPACE.encode() in document.content


def test_test_mode_files_say_test(merchant, test_program, jane):
    _debtor(merchant, "test")
    kim = PartnerFactory(display_name="Kim")
    paypal_account(kim, "kim@example.org")
    commission(test_program, jane, 7000)
    commission(test_program, kim, 6050)
    run = services.payout_run_create(merchant=merchant, mode="test")

    sepa = run_file(run=run, rail="sepa")
    schema = xmlschema.XMLSchema(str(schema_path()))
    data = schema.to_dict(sepa.content)["CstmrCdtTrfInitn"]
    assert data["GrpHdr"]["MsgId"].startswith("TEST-")
    assert data["PmtInf"][0]["CdtTrfTxInf"][0]["RmtInf"]["Ustrd"][0].startswith("TEST ")
    assert sepa.filename.startswith("TEST-")

    paypal = run_file(run=run, rail="paypal")
    kim_payout = run.payouts.get(partner=kim)
    assert paypal.content.decode() == (
        f"kim@example.org,60.50,EUR,{kim_payout.pk.hex},TEST Selgeo payout from Acme\r\n"
    )
    generic = run_file(run=run, rail="csv").content.decode().splitlines()
    assert generic[0].startswith("test,payout_id,partner_id")
    assert [line.split(",")[0] for line in generic[1:]] == ["TEST", "TEST"]
    assert sorted(line.split(",")[8] for line in generic[1:]) == ["60.50", "70.00"]


def test_no_sepa_file_without_the_debtor_account(merchant, program, jane):
    commission(program, jane, 7000)
    run = services.payout_run_create(merchant=merchant, mode="live")
    with pytest.raises(PayoutFileUnavailable):
        run_file(run=run, rail="sepa")
