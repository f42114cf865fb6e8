"""Re-encrypt every encrypted column under the first key of SELGEO_ENCRYPTION_KEYS.

Rotation: put the new key first in SELGEO_ENCRYPTION_KEYS (keeping the old ones after
it), restart, run this command, then drop the old keys.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from payouts.services import encryption_rotate


class Command(BaseCommand):
    help = "Re-encrypt payout and tax secrets under the first key of SELGEO_ENCRYPTION_KEYS."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        rewritten = encryption_rotate(batch_size=batch_size)
        for table, count in rewritten.items():
            self.stdout.write(f"{table}: {count} rows re-encrypted")
