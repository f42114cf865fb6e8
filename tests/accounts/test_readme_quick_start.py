"""The README's quick start, run as written against `make run`'s demo on a live server: the
commands are read from README.md's "Two commands" section, the values `make run` prints
are put in for their placeholders, and the answer must be the one the README shows."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from tests.embedded import ROOT, EmbeddedSite

README_BASE = "http://127.0.0.1:8000"


def two_commands_section() -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index("## Two commands\n")
    return text[start : text.index("\n## ", start + 1)]


def fenced_blocks(section: str) -> list[tuple[str, str]]:
    return [(m[1], m[2]) for m in re.finditer(r"```(\w*)\n(.*?)```", section, re.S)]


def shell_commands(block: str) -> list[str]:
    """The block's commands, each whole (continuation lines kept), comments left out."""
    commands: list[str] = []
    for line in block.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith((" ", "\t")) and commands:
            commands[-1] += "\n" + line
        else:
            commands.append(line)
    return commands


def run(command: str) -> str:
    result = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, (command, result.stderr)
    return result.stdout


def expected_pattern(shown: str, known: dict[str, str]) -> re.Pattern[str]:
    """The README's answer as a pattern: placeholders it names stand for those values,
    other `<…>` placeholders for any one value, and a `...` line for any lines."""
    parts = []
    for line in shown.rstrip("\n").split("\n"):
        if line.strip() == "...":
            parts.append(r"(?:[^\n]*\n)*?")
            continue
        pieces = re.split(r"(<[^<>]+>)", line)
        pattern = ""
        for piece in pieces:
            if piece in known:
                pattern += re.escape(known[piece])
            elif re.fullmatch(r"<[^<>]+>", piece):
                pattern += r"[^\"\s]+"
            else:
                pattern += re.escape(piece)
        parts.append(pattern + r"\n")
    return re.compile("".join(parts))


def test_the_quick_start_parses_into_the_commands_it_shows():
    blocks = fenced_blocks(two_commands_section())
    quick = next(body for lang, body in blocks if lang == "sh" and "<live link>" in body)
    commands = shell_commands(quick)
    assert [c.split()[0] for c in commands] == ["curl", "curl"]
    assert "-A 'Mozilla/5.0" in commands[0]
    assert commands[1].endswith("| python3 -m json.tool")


def test_the_readme_quick_start_ends_with_an_attributed_conversion_and_its_commission(
    tmp_path: Path,
):
    site = EmbeddedSite(tmp_path)
    printed = site.seed()
    values = {
        "<live link>": re.search(r"live link: (\S+)", printed)[1],  # type: ignore[index]
        "<sk_live>": re.search(r"sk_live:\s+(\S+)", printed)[1],  # type: ignore[index]
    }
    assert values["<live link>"].startswith(f"{site.base}/r/demo-shop/")
    section = two_commands_section()
    blocks = fenced_blocks(section)
    quick = next(body for lang, body in blocks if lang == "sh" and "<live link>" in body)
    shown_answer = next(body for lang, body in blocks if lang == "text")
    follow, report = shell_commands(quick)

    def prepare(command: str) -> str:
        for placeholder, value in values.items():
            command = command.replace(placeholder, value)
        return command.replace(README_BASE, site.base)

    with site.serve():
        landing = run(prepare(follow)).strip()
        shown_landing = re.search(r"`(http://127\.0\.0\.1:8000/demo/shop/\?[^`]+)`", section)
        assert shown_landing is not None
        click_id = landing.rpartition("selgeo_click_id=")[2]
        values["<selgeo_click_id>"] = click_id
        assert landing == shown_landing[1].replace(README_BASE, site.base).replace(
            "<selgeo_click_id>", click_id
        )
        answer = run(prepare(report))
        assert expected_pattern(shown_answer, values).fullmatch(answer), answer
        body = json.loads(answer)
        assert (body["attributed"], body["attribution"]["explanation"]["code"]) == (
            True,
            "attributed_click",
        )
        assert (body["commission"]["amount_cents"], body["commission"]["status"]) == (
            490,
            "pending",
        )
        also = next(body for lang, body in blocks if lang == "sh" and "auth/login" in body)
        login, health = (json.loads(run(prepare(c))) for c in shell_commands(also))
        assert set(login["tokens"]) >= {"access", "refresh"}
        assert health["status"] == "ok"
    # The click came from a browser's User-Agent: a person's, not a bot's.
    bots = "from tracking.models import Click as C; print(list(C.objects.values_list('is_bot')))"
    assert site.shell(bots).splitlines()[-1] == "[(False,)]"
