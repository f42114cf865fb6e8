"""Catch the click, conversion and commission rollups up with the clock.

The periodic tasks advance them a span at a time; after an import, a restore or a long
outage this command does all the spans at once (each its own transaction, so it can be
stopped and run again at any point).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from conversions.rollups import sales_rollup_catch_up
from tracking.rollups import click_rollup_catch_up


class Command(BaseCommand):
    help = "Catch the click, conversion and commission rollups up with the clock."

    def handle(self, *args: Any, **options: Any) -> None:
        began = time.perf_counter()
        clicks = click_rollup_catch_up()
        self.stdout.write(f"clicks: {clicks} counted in {time.perf_counter() - began:.1f}s")
        began = time.perf_counter()
        sales = sales_rollup_catch_up()
        self.stdout.write(
            f"conversions and commissions: {sales} counted in {time.perf_counter() - began:.1f}s"
        )
