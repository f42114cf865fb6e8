"""Payout details kept on the partner (accounts.Partner.payout_method/payout_details, in
plaintext) move to encrypted payout accounts; the next accounts migration drops them."""

from django.db import migrations, models
from django.utils import timezone


def copy_legacy_details(apps, schema_editor):
    Partner = apps.get_model("accounts", "Partner")
    PayoutAccount = apps.get_model("payouts", "PayoutAccount")
    partners = Partner.objects.exclude(payout_method="none").filter(erased_at__isnull=True)
    for partner in partners.iterator():
        if PayoutAccount.objects.filter(partner=partner, is_active=True).exists():
            continue
        details = partner.payout_details or {}
        account = PayoutAccount(partner=partner, method=partner.payout_method)
        if partner.payout_method == "sepa":
            account.iban = details.get("iban", "")
            account.iban_last4 = account.iban[-4:]
            account.account_holder = details.get("account_holder", "")
            account.bic = details.get("bic", "")
        elif partner.payout_method == "paypal":
            account.paypal_email = details.get("email", "")
        elif partner.payout_method == "manual":
            account.instructions = details.get("note", "")
        else:
            continue
        account.created_at = timezone.now()
        account.save()


def copy_back(apps, schema_editor):
    Partner = apps.get_model("accounts", "Partner")
    PayoutAccount = apps.get_model("payouts", "PayoutAccount")
    for account in PayoutAccount.objects.filter(is_active=True).exclude(method="bitcoin"):
        if account.method == "sepa":
            details = {"iban": account.iban, "account_holder": account.account_holder}
            if account.bic:
                details["bic"] = account.bic
        elif account.method == "paypal":
            details = {"email": account.paypal_email}
        else:
            details = {"note": account.instructions}
        Partner.objects.filter(pk=account.partner_id).update(
            payout_method=account.method, payout_details=details
        )


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        ("payouts", "0001_payout_accounts_and_tax"),
    ]

    operations = [
        migrations.AddField(
            model_name="payoutaccount",
            name="bitcoin_network",
            field=models.CharField(blank=True, max_length=10),
        ),
        migrations.RunPython(copy_legacy_details, copy_back),
    ]
