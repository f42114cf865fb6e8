"""ISO 3166-1 alpha-2 country codes, from pycountry (the maintained ISO list), for partner
profiles, sign-up and tax details alike.

User-assigned codes (`XX`, `ZZ`, `AA`, `QM` to `QZ`) and reserved ones (`UK`, `EU`) are
not countries and are refused.
"""

from __future__ import annotations

from functools import cache

import pycountry

COUNTRY_RULE = "Use an ISO 3166-1 alpha-2 country code"


@cache
def countries() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


def is_country(code: str) -> bool:
    return code in countries()
