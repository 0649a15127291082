"""deltalake's allocator is set, where the platform's processes start, to give freed memory back.

jemalloc (deltalake's allocator) reads ``_RJEM_MALLOC_CONF`` once, when the library loads, so
the setting belongs to the launchers: the Makefile (``make run``, ``make test``, ``make bench``)
and the image every production process runs from.
"""

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VARIABLE = "_RJEM_MALLOC_CONF"

# A partitioned write of ~250 MB from a fresh process, then how much of what the write took
# the process still holds once the data is gone, polled for up to 5 s (the allocator's thread
# purges within ~1 s; jemalloc's defaults keep it ~10 s, until the allocator runs again).
WRITE_THEN_FREE = textwrap.dedent(
    """
    import gc, os, sys, time
    import numpy as np, pyarrow as pa
    from deltalake import write_deltalake

    PAGE = os.sysconf("SC_PAGE_SIZE")

    def rss_mib():
        return int(open("/proc/self/statm").read().split()[1]) * PAGE // 2**20

    n = 8_000_000
    start = rss_mib()
    table = pa.table({
        "a": pa.array(np.char.add("k", np.arange(n).astype(str))),
        "d": pa.array(np.full(n, 20454, dtype=np.int32)).cast(pa.date32()),
    })
    before = rss_mib()
    write_deltalake(sys.argv[1], table, partition_by=["d"])
    grown = rss_mib() - before
    del table
    gc.collect()
    pa.default_memory_pool().release_unused()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and rss_mib() - start > grown * KEPT_SHARE:
        time.sleep(0.2)
    print(grown, rss_mib() - start)
    """
)
KEPT_SHARE = 0.6
"""Measured, what the process keeps of the write's growth: ~30 % with the settings (the
write machinery's own ~90 MiB), 85-115 % with jemalloc's defaults."""


def _makefile_value() -> str:
    found = re.search(rf"^export {VARIABLE} \?= (\S+)$", (ROOT / "Makefile").read_text(), re.M)
    assert found, f"the Makefile exports {VARIABLE} (keeping a value already set)"
    return found.group(1)


def test_the_image_sets_what_the_makefile_sets() -> None:
    dockerfile = (ROOT / "infra" / "docker" / "Dockerfile").read_text()
    assert f"{VARIABLE}={_makefile_value()}" in dockerfile


def _make_shows(env: dict[str, str]) -> str:
    shown = subprocess.run(
        ["make", "-s", "--no-print-directory", "-f", "Makefile", "-f", "-", "show"],
        input=f"show:\n\t@echo $${VARIABLE}\n",
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return shown.stdout.strip()


def test_make_exports_the_settings_and_keeps_an_operators_value() -> None:
    unset = {k: v for k, v in os.environ.items() if k != VARIABLE}
    assert _make_shows(unset) == _makefile_value()
    assert _make_shows(unset | {VARIABLE: "dirty_decay_ms:0"}) == "dirty_decay_ms:0"


def test_memory_a_delta_write_freed_goes_back_to_the_system(tmp_path: Path) -> None:
    env = dict(os.environ) | {VARIABLE: _makefile_value()}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            f"KEPT_SHARE = {KEPT_SHARE}\n{WRITE_THEN_FREE}",
            str(tmp_path / "t"),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    grown, kept = map(int, done.stdout.split())
    assert grown > 100, f"the write should have taken well over 100 MiB, took {grown}"
    assert kept < grown * KEPT_SHARE, f"{kept} MiB still held of the {grown} MiB the write took"
