"""Check or rewrite the README's example outputs: each ```text block whose first line starts with `$ dti` holds one
or more commands (`$ …` lines) each followed by exactly what it prints (stdout and stderr in the order written) on
an 80-column terminal, in the repository's root.

Usage: python scripts/readme.py          check: list every block whose output differs, exit 1 if one does
       python scripts/readme.py --write  rewrite the outputs in place from what the commands print now

A command is run as on a terminal (tables, no colour) unless it is piped: `dti … | head -n N` and
`dti … | grep TEXT` run piped (tab-separated output by default) and keep the lines of stdout asked for; what the
command writes on stderr (notes, the closing status) is shown whole, as a terminal shows it.

The commands share one store (`dti import`), a new empty directory for the run, shown as `$DTI_HOME` where a
command prints its path (the only substitution made).
"""

from __future__ import annotations

import io
import os
import re
import shlex
import sys
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK = re.compile(r"```text\n(\$ dti .*?)```", re.S)
HOME = tempfile.mkdtemp(prefix="dti-readme-")  # the store of the README's commands


class _Stream(io.TextIOBase):
    """stdout or stderr, writing into one shared list of (stream, text) chunks so that their order is kept."""

    def __init__(self, chunks: list, name: str, tty: bool):
        self.chunks, self.name, self.tty = chunks, name, tty

    def write(self, s: str) -> int:
        self.chunks.append((self.name, s))
        return len(s)

    def isatty(self) -> bool:
        return self.tty

    def fileno(self) -> int:
        raise io.UnsupportedOperation("no file descriptor")


def run(command: str) -> str:
    """What `command` prints, stdout and stderr together, as the README shows it."""
    from dti_cli import cli

    pipe = None
    if " | " in command:
        command, pipe = (part.strip() for part in command.split(" | ", 1))
    args = shlex.split(command)[1:]
    chunks: list[tuple[str, str]] = []
    env = {"COLUMNS": "80", "TERM": "dumb", "NO_COLOR": "1", "DTI_HOME": HOME}
    saved = {k: os.environ.get(k) for k in (*env, "DTI_LANG")}
    os.environ.update(env)
    os.environ.pop("DTI_LANG", None)
    here = os.getcwd()
    os.chdir(ROOT)
    try:
        with redirect_stdout(_Stream(chunks, "out", tty=pipe is None)), \
                redirect_stderr(_Stream(chunks, "err", tty=False)):
            try:
                cli.main(args)
            except SystemExit:
                pass
    finally:
        os.chdir(here)
        for k, v in saved.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
    if pipe:  # the pipe filters stdout only: what stderr printed before stdout began, the kept lines, the rest
        first = next((i for i, (name, _) in enumerate(chunks) if name == "out"), len(chunks))
        before = "".join(t for name, t in chunks[:first] if name == "err")
        after = "".join(t for name, t in chunks[first:] if name == "err")
        kept = _filter("".join(t for name, t in chunks if name == "out").splitlines(), pipe)
        lines = before.splitlines() + kept + after.splitlines()
    else:
        lines = "".join(t for _, t in chunks).splitlines()
    lines = [line.replace(HOME, "$DTI_HOME").rstrip() for line in lines]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def _filter(lines: list[str], pipe: str) -> list[str]:
    words = shlex.split(pipe)
    if words[0] == "head":
        return lines[:int(words[-1].lstrip("-"))]
    if words[0] == "grep":
        return [line for line in lines if words[-1] in line]
    raise ValueError(f"the README may pipe into head or grep only, not: {pipe}")


def commands(block: str) -> list[tuple[str, str]]:
    """(command, the output shown under it) for each `$ ` line of a block."""
    out, current, shown = [], None, []
    for line in block.rstrip("\n").split("\n"):
        if line.startswith("$ "):
            if current is not None:
                out.append((current, "\n".join(shown).rstrip("\n")))
            current, shown = line[2:], []
        else:
            shown.append(line.rstrip())
    if current is not None:
        out.append((current, "\n".join(shown).rstrip("\n")))
    return out


def render(block: str) -> str:
    parts = []
    for command, _ in commands(block):
        parts.append(f"$ {command}\n{run(command)}")
    return "\n\n".join(parts) + "\n"


def differences(text: str) -> list[tuple[str, str, str]]:
    """(command, shown, printed) for every README command whose output is not what it prints."""
    found = []
    for m in BLOCK.finditer(text):
        for command, shown in commands(m.group(1)):
            printed = run(command)
            if printed != shown:
                found.append((command, shown, printed))
    return found


def main() -> int:
    text = README.read_text(encoding="utf-8")
    if "--write" in sys.argv[1:]:
        README.write_text(BLOCK.sub(lambda m: "```text\n" + render(m.group(1)) + "```", text), encoding="utf-8")
        return 0
    bad = differences(text)
    for command, shown, printed in bad:
        print(f"$ {command}\n--- README\n{shown}\n--- prints\n{printed}\n")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
