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

# A partitioned write of ~250 MB from a fresh process, then how much of what it allocated the
# process still holds once the data is gone, polled for 4 s (the allocator's thread purges
# within ~1 s; its defaults, after ~10 s).
WRITE_THEN_FREE = textwrap.dedent(
    """
    import gc, sys, time
    import numpy as np, pyarrow as pa
    from deltalake import write_deltalake

    def rss_mib():
        return int(open("/proc/self/statm").read().split()[1]) * 4096 // 2**20

    n = 8_000_000
    start = rss_mib()
    table = pa.table({
        "a": pa.array(np.char.add("k", np.arange(n).astype(str))),
        "d": pa.array(np.full(n, 20454, dtype=np.int32)).cast(pa.date32()),
    })
    before = rss_mib()
    write_deltalake(sys.argv[1], table, partition_by=["d"])
    during = rss_mib()
    del table
    gc.collect()
    pa.default_memory_pool().release_unused()
    deadline = time.monotonic() + 4
    while time.monotonic() < deadline and rss_mib() > start:
        time.sleep(0.2)
    print(during - before, rss_mib() - start)
    """
)


def _makefile_value() -> str:
    found = re.search(rf"^export {VARIABLE} \?= (\S+)$", (ROOT / "Makefile").read_text(), re.M)
    assert found, f"the Makefile exports {VARIABLE} (keeping a value already set)"
    return found.group(1)


def test_the_image_sets_what_the_makefile_sets() -> None:
    dockerfile = (ROOT / "infra" / "docker" / "Dockerfile").read_text()
    assert f"{VARIABLE}={_makefile_value()}" in dockerfile


def test_make_keeps_an_operators_value() -> None:
    env = dict(os.environ) | {VARIABLE: "dirty_decay_ms:0"}
    shown = subprocess.run(
        ["make", "-s", "--no-print-directory", "-f", "Makefile", "-f", "-", "show"],
        input=f"show:\n\t@echo $${VARIABLE}\n",
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == "dirty_decay_ms:0"


def test_memory_a_delta_write_freed_goes_back_to_the_system(tmp_path: Path) -> None:
    env = dict(os.environ) | {VARIABLE: _makefile_value()}
    done = subprocess.run(
        [sys.executable, "-c", WRITE_THEN_FREE, str(tmp_path / "t")],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    grown, kept = map(int, done.stdout.split())
    assert grown > 100, f"the write should have allocated well over 100 MiB, grew {grown}"
    # Measured: the write machinery keeps ~90 MiB for good; jemalloc's defaults hold ~250-350
    # MiB more for ~10 s, the settings give it back within a second.
    assert kept < 160, f"{kept} MiB still held after the write's data was freed (grew {grown})"
