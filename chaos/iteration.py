"""One chaos iteration: a run of one table, a fault inside the targeted step, then the checks."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import dagster as dg

from chaos.lakes import (
    Lake,
    Snapshot,
    claimed_slots,
    compare,
    live_runs,
    point,
    run_of_pid,
    snapshot,
    step_durations,
    step_seconds,
    steps,
)
from chaos.services import S3, Daemon, Postgres, SmallDisk, find_pg_bindir
from chaos.zygote import Zygote

KINDS = ("sigkill", "s3-freeze", "s3-restart", "disk-full", "pg-restart")
TABLES = {
    "bronze": ("orders", "order_items", "web_events"),
    "silver": ("orders", "order_items", "web_events"),
    "gold": ("orders_daily", "revenue_by_product_category_daily"),
}
S3_CHAIN = ("bronze/orders", "silver/orders")
"""On S3 each iteration writes this chain from scratch under a fresh prefix."""


def step_key(table: str) -> str:
    layer, name = table.split("/")
    return "gold_daily_marts" if layer == "gold" else f"{layer}__{name}"


@dataclass
class Outcome:
    """What one iteration did and found."""

    kind: str
    target: str
    delay: float = 0.0
    hit: str = ""
    fault_code: int | None = None
    readable: bool = False
    rerun_code: int | None = None
    rerun_seconds: float = 0.0
    live: int = -1
    claimed: int = -1
    lost: int = 0
    duplicated: int = 0
    differing: tuple[str, ...] = ()
    note: str = ""
    log_tail: str = ""

    @property
    def recovered(self) -> bool:
        return (
            self.readable
            and self.rerun_code == 0
            and self.live == 0
            and self.claimed == 0
            and not self.differing
        )


@dataclass
class Env:
    """A lake, its warm runner and an open handle on its Dagster instance."""

    lake: Lake
    zygote: Zygote
    instance: dg.DagsterInstance


class Series:
    """The environments of a chaos series, started when first needed, stopped at the end."""

    def __init__(
        self,
        work: Path,
        reference: Lake,
        timeout: float,
        tables: dict[str, tuple[str, ...]] | None = None,
        s3_chain: tuple[str, ...] = S3_CHAIN,
        chain_is_reference: bool = False,
    ) -> None:
        """``tables``: the tables to target, by layer (default ``TABLES``); ``s3_chain``: the
        tables written from scratch on S3 (``chain_is_reference``: the reference run selected
        exactly them, so it is also their clean run)."""
        self.work, self.reference, self.timeout = work, reference, timeout
        self.tables = tables or TABLES
        self.s3_chain = s3_chain
        self.expected: Snapshot = snapshot(reference)
        self.durations = step_durations(reference.home)
        self.envs: dict[str, Env] = {}
        self.solo: dict[str, float] = {}
        self.cleanup: list[Callable[[], None]] = []
        """Stops every server started, even by an environment that failed to start."""
        self.chain: Snapshot | None = None
        if chain_is_reference:
            self.chain = self.expected
        self.number = 0

    def __enter__(self) -> Series:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        for env in self.envs.values():
            env.zygote.close()
            env.instance.dispose()
        for step in reversed(self.cleanup):
            step()

    def _env(self, name: str) -> Env:
        if name in self.envs:
            return self.envs[name]
        root, cleanup = self.work / "chaos" / "lake", self.cleanup
        lake = Lake(root, self.work / name / "dagster", self.reference.landing)
        if name == "s3":
            server = S3(self.work / "s3")
            server.start()
            server.bucket("chaos")
            cleanup.append(server.stop)
            lake = Lake("s3://chaos/lake", lake.home, lake.landing, server.env)
            self.s3 = server
        if name == "pg":
            bindir = find_pg_bindir()
            if bindir is None:
                raise RuntimeError("no PostgreSQL server binaries: run scripts/install-postgres.sh")
            self.pg = Postgres(bindir)
            self.pg.start()
            cleanup.append(self.pg.stop)
            lake.instance_yaml = self.pg.instance_yaml()
            daemon = Daemon(lake.env(), self.work / "pg" / "daemon.log")
            daemon.start()
            cleanup.append(daemon.stop)
            self.daemon = daemon
        env = lake.env()
        zygote = Zygote(env, self.work / name / "logs")
        instance = dg.DagsterInstance.from_config(str(lake.home))
        self.envs[name] = Env(lake, zygote, instance)
        return self.envs[name]

    def _solo_seconds(self, target: str, select: str) -> float:
        """How long the step of ``target`` takes in a run of that table alone (one clean run
        the first time, on the local root): the reference builds every table in one run, and
        its gold step builds every mart, so its durations are not those of one table."""
        if target not in self.solo:
            env = self._env("local")
            self._restore(env.lake, target)
            pid = env.zygote.start(["--select", select], f"solo-{target.replace('/', '-')}")
            env.zygote.wait(pid, self.timeout)
            run_id = run_of_pid(env.instance, pid)
            seconds = step_seconds(env.instance, run_id, step_key(target)) if run_id else None
            self.solo[target] = seconds or self.durations.get(step_key(target), 2.0)
        return self.solo[target]

    def _restore(self, lake: Lake, without: str) -> None:
        """The chaos root becomes the reference lake minus table ``without``."""
        root = Path(lake.root)
        root.mkdir(parents=True, exist_ok=True)
        for child in root.iterdir():
            if child.name != ".chaos-filler":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        shutil.copytree(Path(self.reference.root), root, dirs_exist_ok=True)
        shutil.rmtree(root / without)

    def iterate(self, kind: str, rng: random.Random) -> Outcome:
        self.number += 1
        if kind.startswith("s3"):
            env = self._env("s3")
            self.s3.clear("chaos", "lake/")
            self.s3.restart_recording("chaos")
            target = rng.choice(self.s3_chain)
            select = " or ".join(f"key:{t}" for t in self.s3_chain)
            required = set(self.s3_chain)
        else:
            env = self._env("pg" if kind == "pg-restart" else "local")
            layer = rng.choice(sorted(self.tables))
            target = f"{layer}/{rng.choice(self.tables[layer])}"
            select, required = f"key:{target}", set(self.expected)
        outcome = Outcome(kind, target)
        if kind.startswith("s3"):
            seconds = self.durations.get(step_key(target), 2.0)
        else:
            seconds = self._solo_seconds(target, select)
        outcome.delay = rng.uniform(0.05, 0.9) * seconds
        if kind == "disk-full":  # early in the step, so that its writes meet the full disk
            outcome.delay /= 2
        disk = None
        if kind == "disk-full":
            size = sum(
                f.stat().st_size for f in Path(self.reference.root).rglob("*") if f.is_file()
            )
            disk = SmallDisk(Path(env.lake.root), size // 2**20 * 2 + 64)
            self.disk = disk
        try:
            if not kind.startswith("s3"):
                self._restore(env.lake, target)
            self._fault(env, kind, target, select, outcome, rng)
            self._check(env, select, required, outcome)
        finally:
            if disk is not None:
                disk.free()
                disk.unmount()
        return outcome

    def _fault(
        self,
        env: Env,
        kind: str,
        target: str,
        select: str,
        outcome: Outcome,
        rng: random.Random,
    ) -> None:
        name = f"{self.number:03d}-{kind}"
        pid = env.zygote.start(["--select", select, "--slot-timeout", "60"], name)
        key = step_key(target)
        deadline = time.monotonic() + self.timeout
        while env.zygote.poll(pid, 0.1) is None and time.monotonic() < deadline:
            with contextlib.suppress(Exception):
                run_id = run_of_pid(env.instance, pid)
                if run_id and key in steps(env.instance, run_id)[0]:
                    break
        if env.zygote.poll(pid, outcome.delay) is not None:
            outcome.hit = "finished first"
        elif kind == "sigkill":
            os.kill(pid, signal.SIGKILL)
            env.zygote.poll(pid, 30)
            outcome.hit = point(env.instance, pid)
        else:
            outcome.hit = point(env.instance, pid)
            self._inject(kind, rng, outcome)
        outcome.fault_code = env.zygote.wait(pid, self.timeout)
        if kind == "disk-full":
            self.disk.free()
        outcome.log_tail = (env.zygote.logs / f"{name}.log").read_text()[-3000:]

    def _inject(self, kind: str, rng: random.Random, outcome: Outcome) -> None:
        if kind == "s3-freeze":
            seconds = rng.uniform(2, 8)
            self.s3.signal(signal.SIGSTOP)
            time.sleep(seconds)
            self.s3.signal(signal.SIGCONT)
            outcome.note = f"S3 frozen {seconds:.1f} s"
        elif kind == "s3-restart":
            seconds = rng.uniform(1, 4)
            self.s3.kill()
            time.sleep(seconds)
            started = time.monotonic()
            self.s3.start(replay=True)
            outcome.note = (
                f"S3 down {seconds:.1f} s, replayed in {time.monotonic() - started:.0f} s"
            )
        elif kind == "disk-full":
            self.disk.fill()
            outcome.note = "root filled"
        elif kind == "pg-restart":
            started = time.monotonic()
            self.pg.restart()
            outcome.note = f"PostgreSQL restarted in {time.monotonic() - started:.1f} s"

    def _check(self, env: Env, select: str, required: set[str], outcome: Outcome) -> None:
        try:
            snapshot(env.lake)
            outcome.readable = True
        except Exception as error:
            outcome.note += f"; unreadable: {error!r:.200}"
        name = f"{self.number:03d}-rerun"
        started = time.monotonic()
        pid = env.zygote.start(["--select", select, "--slot-timeout", "60"], name)
        outcome.rerun_code = env.zygote.wait(pid, self.timeout)
        outcome.rerun_seconds = time.monotonic() - started
        rerun_log = (env.zygote.logs / f"{name}.log").read_text()
        if " is dead (" in rerun_log:
            outcome.note += "; dead run reported"
        if outcome.rerun_code != 0:
            outcome.log_tail += "\n--- rerun\n" + rerun_log[-3000:]
        outcome.live = len(live_runs(env.instance))
        outcome.claimed = claimed_slots(env.instance)
        if outcome.kind == "pg-restart" and not self.daemon.alive():
            outcome.note += "; daemon died"
            outcome.live = max(outcome.live, 1)
        expected = self.expected
        if env.lake.storage_options:
            expected = self._chain_reference()
        comparison = compare(expected, snapshot(env.lake), required)
        outcome.lost, outcome.duplicated = comparison.lost, comparison.duplicated
        outcome.differing = comparison.differing
        if comparison.differing:
            outcome.note += (
                f"; tables differing from the reference: {', '.join(comparison.differing)}"
            )
        outcome.note = outcome.note.lstrip("; ")

    def _chain_reference(self) -> Snapshot:
        """The S3 chain's tables as a clean run writes them on an empty local root."""
        if self.chain is None:
            lake = Lake(
                self.work / "chain" / "lake",
                self.work / "chain" / "dagster",
                self.reference.landing,
            )
            shutil.rmtree(lake.root, ignore_errors=True)
            zygote = Zygote(lake.env(), self.work / "chain" / "logs")
            select = " or ".join(f"key:{t}" for t in self.s3_chain)
            pid = zygote.start(["--select", select], "chain")
            if zygote.wait(pid, self.timeout) != 0:
                raise RuntimeError("the clean run of the S3 chain failed on a local root")
            zygote.close()
            self.chain = snapshot(lake)
        return self.chain
