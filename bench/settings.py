"""The bench server's settings: Selgeo's, with the ceiling endpoint (`bench/ceiling.py`)."""

from selgeo.settings import *  # noqa: F403

ROOT_URLCONF = "bench.ceiling"
