"""The README's shell blocks and a way to run them, shared by the tests under ``tests/readme``.

The blocks are taken from README.md itself, so an edited command is tested as edited; each runs
with bash in a scratch lakehouse of its own (its own Dagster instance).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
README = PROJECT / "README.md"
BIN = Path(sys.executable).parent
SCRATCH = "/tmp/walk"

ONE_FAULT = "One fault end to end"
QUERY = "Query the lakehouse"
NEW_DAY = "Operations"
ADD_SOURCE = "Add a source"
CHANGE_MART = "Change a mart safely"
MODEL_LIFECYCLE = "The model lifecycle"
BOLD_LEADS = (ONE_FAULT, CHANGE_MART)
"""Walk-throughs led by a bold line inside a section, named by that line."""


@dataclass(frozen=True)
class Block:
    """One ```bash block of the README and the walk-through it belongs to."""

    section: str
    text: str


def readme_blocks() -> list[Block]:
    """Every ```bash block, named by its ``##`` heading or by a bold ``**Walk-through**`` lead."""
    blocks, section, lines = [], "", README.read_text().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("## "):
            section = line[3:].strip()
        elif (bold := re.match(r"^\*\*([^*]+)\*\*", line)) and bold[1].strip() in BOLD_LEADS:
            section = bold[1].strip()
        if line.strip() == "```bash":
            end = lines.index("```", i + 1)
            blocks.append(Block(section, "\n".join(lines[i + 1 : end])))
            i = end
        i += 1
    return blocks


def section(name: str) -> list[Block]:
    """The blocks of the section (or bold-led walk-through) ``name``, in README order."""
    return [b for b in readme_blocks() if b.section == name]


@dataclass
class Shell:
    """Runs README blocks with bash in one scratch lakehouse (its own Dagster instance)."""

    scratch: Path

    @property
    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("LAKEHOUSE_", "DAGSTER_")) or k == "LAKEHOUSE_USER"
        }
        return {
            **env,
            "LAKEHOUSE_ENV": "dev",
            "LAKEHOUSE_ROOT": str(self.scratch / "lake"),
            "LAKEHOUSE_LANDING": str(self.scratch / "landing"),
        }

    def script(self, block: Block) -> str:
        """The block as a user runs it, on the scratch paths and this environment's bin."""
        text = block.text.replace(SCRATCH, str(self.scratch))
        return text.replace(".venv/bin/", f"{BIN}/")

    def run(self, block: Block, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``block`` with bash (``pipefail``); with ``check``, assert it exited 0."""
        result = subprocess.run(
            ["bash", "-o", "pipefail", "-c", self.script(block)],
            cwd=PROJECT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if check:
            assert result.returncode == 0, f"{block.text}\n{result.stdout}\n{result.stderr}"
        return result
