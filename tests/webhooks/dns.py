"""Fake DNS answers for the SSRF tests, through the SELGEO_WEBHOOKS_RESOLVER seam.

`ANSWERS[name]` is a list of answers (each a list of addresses) given in turn, the last
one repeated: one answer for a plain fake name, two for a name that rebinds. Names not
listed go to the system resolver, so numeric forms are read the way the C library does.
"""

from __future__ import annotations

import socket

from webhooks.ssrf import system_resolve

ANSWERS: dict[str, list[list[str]]] = {}
QUERIES: list[str] = []


def resolve(host: str, port: int) -> list[str]:
    QUERIES.append(host)
    answers = ANSWERS.get(host)
    if answers is None:
        return system_resolve(host, port)
    if not answers[0]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return answers.pop(0) if len(answers) > 1 else answers[0]


def broken_resolve(host: str, port: int) -> list[str]:
    """A resolver that fails in a way nobody planned for."""
    raise RuntimeError("resolver plugin crashed")
