"""The staging tables of chunked writes (``lakehouse.lake.chunked``), and the sweep of those a
killed writer left.

A chunked write stages its files in a table inside the target's folder and deletes the staging
table's log once the target's commit landed (the files stay: the target references them). A
writer killed before that leaves the log, and the folder then reads as a table of its own
(``silver/orders/streamed-...``) to anything that looks for tables. The next chunked write of
the table removes the staging logs of writers that are gone: on this machine, a process that no
longer runs; elsewhere (another host, an object store), a log unchanged for ``STALE_AFTER``.
Only the log goes: the files of a write whose commit landed are the target's, and the files of
one that never committed are unreferenced, which the table's vacuum removes.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Mapping

from pyarrow import fs

from lakehouse.lake.filesystems import filesystem_for
from lakehouse.lake.scratch import process_gone

PREFIX = "streamed-"
STALE_AFTER = 3600.0
"""Seconds a staging log of another machine's writer stays untouched before it is removed."""
LOG = "_delta_log"


def staging_folder() -> str:
    """A new staging folder's name: ``streamed-<host>-<pid>-<random>``."""
    return f"{PREFIX}{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex}"


def _writer_gone(name: str, log: fs.FileInfo, now: float) -> bool:
    host, _, rest = name.removeprefix(PREFIX).rpartition("-")[0].rpartition("-")
    pid = rest if rest.isdigit() else ""
    if host == socket.gethostname() and pid:
        return process_gone(int(pid))
    changed = log.mtime.timestamp() if log.mtime is not None else now
    return now - changed > STALE_AFTER


def sweep_dead_staging(uri: str, options: Mapping[str, str] | None) -> list[str]:
    """Remove the staging logs in the table at ``uri`` whose writer is gone; their folders."""
    filesystem, base = filesystem_for(uri, options)
    selector = fs.FileSelector(base.rstrip("/"), allow_not_found=True)
    now, removed = time.time(), []
    for info in filesystem.get_file_info(selector):
        if info.type != fs.FileType.Directory or not info.base_name.startswith(PREFIX):
            continue
        log = filesystem.get_file_info(f"{info.path}/{LOG}")
        if log.type != fs.FileType.Directory or not _writer_gone(info.base_name, log, now):
            continue
        try:
            filesystem.delete_dir(log.path)
        except OSError:  # removed meanwhile: nothing left to do
            continue
        removed.append(info.base_name)
    return removed
