"""chaos/RESULTS.md: the command, the totals by fault kind, one row per iteration."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from chaos.iteration import Outcome


@dataclass
class Results:
    """What a chaos series observed; rewritten after every iteration."""

    command: str
    planned: list[tuple[str, int]]
    reference_seconds: float = 0.0
    outcomes: list[Outcome] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def recovered(self) -> int:
        return sum(o.recovered for o in self.outcomes)

    def add(self, number: int, seed: int, outcome: Outcome, seconds: float) -> None:
        self.outcomes.append(outcome)
        self.seconds = seconds
        o = outcome
        self.lines.append(
            f"| {number} | {seed} | {o.kind} | {o.target} | {o.delay:.1f} | {o.hit} | "
            f"{_exit(o.fault_code)} | "
            f"{'yes' if o.recovered else 'NO'} | {o.lost} | {o.duplicated} | {o.live} | "
            f"{o.claimed} | {o.rerun_seconds:.0f} | {o.note} |"
        )

    def write(self, path: Path) -> None:
        done = self.outcomes
        by_kind = Counter(o.kind for o in done)
        recovered = Counter(o.kind for o in done if o.recovered)
        kinds = "\n".join(
            f"| {kind} | {by_kind[kind]} | {recovered[kind]} | "
            f"{sum(o.lost for o in done if o.kind == kind)} | "
            f"{sum(o.duplicated for o in done if o.kind == kind)} |"
            for kind in sorted(by_kind)
        )
        layers = Counter(o.target.split("/")[0] for o in done if o.kind == "sigkill")
        hits = Counter(_layer(o.hit) for o in done if o.kind == "sigkill")
        path.write_text(
            "# Chaos results\n\n"
            "Written by `chaos/run.py` after every iteration (see its docstring for what each "
            "fault does and what is checked). Delay: seconds after the targeted step started; "
            "hit in: the step running when the fault struck.\n\n"
            f'Command: `{self.command}` (`make chaos CHAOS="..."` passes the options).\n\n'
            f"Iterations planned: {len(self.planned)}; ran: {len(done)}; recovered: "
            f"{self.recovered}; rows lost: {sum(o.lost for o in done)}; rows duplicated: "
            f"{sum(o.duplicated for o in done)}; runs left STARTED: "
            f"{sum(max(o.live, 0) for o in done)}; slots left claimed: "
            f"{sum(max(o.claimed, 0) for o in done)}.\n\n"
            f"Reference run (built once, reused): {self.reference_seconds:.0f} s; "
            f"series: {self.seconds / 60:.1f} min.\n\n"
            "| fault kind | iterations | recovered | rows lost | rows duplicated |\n"
            "| --- | --- | --- | --- | --- |\n"
            f"{kinds}\n\n"
            f"SIGKILL layers targeted: {_counts(layers)}; killed inside a step of: "
            f"{_counts(hits)}.\n\n"
            "| # | seed | fault | target | delay s | hit in | faulted run | recovered | "
            "rows lost | rows dup | STARTED after | slots after | rerun s | note |\n"
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- "
            "| --- |\n" + "\n".join(self.lines) + "\n"
        )


def _exit(code: int | None) -> str:
    """How the run under fault ended."""
    if code is None:
        return "hung, killed"
    if code < 0:
        return f"killed ({-code})"
    return "ok" if code == 0 else f"failed ({code})"


def _layer(hit: str) -> str:
    if hit.startswith(("bronze__", "silver__")):
        return hit.split("__")[0]
    if hit.startswith("gold"):
        return "gold"
    return hit.split(" ")[0] if hit.startswith("after") else hit


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{k}: {n}" for k, n in sorted(counter.items())) or "none"
