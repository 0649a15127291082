"""A partition linked from one table to another on S3 is a server-side copy: the target reads
the rows, holds objects of its own and keeps them when the source's are deleted."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
from pyarrow import fs

from lakehouse.lake import DeltaStore
from lakehouse.lake.filesystems import filesystem_for

from .conftest import S3Server

DAY = date(2026, 1, 1)
HISTORY, CURRENT = ["silver", "events_history"], ["silver", "events"]


def test_a_partition_linked_on_s3_is_copied_and_outlives_the_source(
    s3_server: S3Server, bucket: str
) -> None:
    store = DeltaStore(f"s3://{bucket}/prod/lake", s3_server.env)
    day = pa.table({"landing_date": pa.array([DAY] * 3, pa.date32()), "event_id": [1, 2, 3]})
    written = store.replace_partitions(HISTORY, day, "landing_date", [DAY])

    result = store.link_partitions(CURRENT, written, "landing_date", [DAY])

    assert result is not None and result.rows == 3
    files, base = filesystem_for(store.uri(HISTORY), store.storage_options)
    files.delete_dir_contents(base)  # every object of the source, log included
    assert store.read(CURRENT).sort_by("event_id").equals(day)
    own = [u.removeprefix("s3://") for u in store.table(CURRENT).file_uris()]
    found = files.get_file_info(own)
    assert own and all(f.type == fs.FileType.File for f in found)
