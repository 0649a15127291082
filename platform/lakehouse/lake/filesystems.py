"""pyarrow filesystems for local paths and ``s3://`` URIs, with the lakehouse's storage options."""

from __future__ import annotations

from collections.abc import Mapping

from pyarrow import fs


def filesystem_for(
    uri: str, storage_options: Mapping[str, str] | None = None
) -> tuple[fs.FileSystem, str]:
    """A pyarrow filesystem and the path inside it for a local path or an ``s3://`` URI."""
    if uri.startswith("s3://"):
        options = dict(storage_options or {})
        s3 = fs.S3FileSystem(
            access_key=options.get("AWS_ACCESS_KEY_ID"),
            secret_key=options.get("AWS_SECRET_ACCESS_KEY"),
            session_token=options.get("AWS_SESSION_TOKEN"),
            region=options.get("AWS_REGION"),
            endpoint_override=options.get("AWS_ENDPOINT_URL"),
            scheme="http" if options.get("AWS_ALLOW_HTTP", "").lower() == "true" else "https",
        )
        return s3, uri.removeprefix("s3://")
    return fs.LocalFileSystem(), uri.removeprefix("file://")
