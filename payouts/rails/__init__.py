"""Payment files per rail for a payout run: SEPA credit transfer XML, PayPal Payouts
batch CSV and a generic CSV. Test-mode runs are marked TEST in every file."""

from payouts.rails.files import RAILS, RunFile, run_file

__all__ = ["RAILS", "RunFile", "run_file"]
