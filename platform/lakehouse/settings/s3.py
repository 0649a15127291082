"""S3 locations: bucket names, region, and the storage options that make Delta commits safe.

deltalake 1.6.6 commits a version by writing ``_delta_log/<version>.json`` with an S3
conditional write (``If-None-Match: *``): of two writers racing for a version, S3 accepts one
and answers the other ``412``, which retries on the next version. That needs
``aws_conditional_put=etag``, the library's default, set here explicitly so the guarantee does
not hang on a default. The DynamoDB log store (``AWS_S3_LOCKING_PROVIDER``) was removed from
deltalake and ``AWS_S3_ALLOW_UNSAFE_RENAME`` is never consulted, so both are refused rather
than left to look as if they did something.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

CONDITIONAL_PUT = "AWS_CONDITIONAL_PUT"
"""Storage option (and environment variable) for how commits are made exclusive on S3."""

_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IP_ADDRESS = re.compile(r"\d{1,3}(\.\d{1,3}){3}")


def is_s3(uri: str) -> bool:
    """True for an ``s3://`` URI."""
    return uri.lower().startswith("s3://")


def check_bucket(variable: str, uri: str) -> None:
    """Raise ``ValueError`` naming ``variable`` if the bucket of ``uri`` is not a valid S3 name."""
    bucket = uri[len("s3://") :].split("/", 1)[0]
    if _BUCKET.fullmatch(bucket) and ".." not in bucket and not _IP_ADDRESS.fullmatch(bucket):
        return
    raise ValueError(
        f"{variable}={uri!r}: {bucket!r} is not a valid S3 bucket name (3-63 lowercase letters, "
        "digits, dots and hyphens, starting and ending with a letter or digit); "
        f"use for example {variable}=s3://my-bucket/prod/..."
    )


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def s3_storage_options(locations: Mapping[str, str], storage: Mapping[str, str]) -> dict[str, str]:
    """``storage`` completed for the ``s3://`` URIs among ``locations`` (variable -> URI).

    Without any ``s3://`` location the options come back unchanged. Otherwise every bucket is
    validated, ``AWS_REGION`` is required (``AWS_DEFAULT_REGION`` is accepted in its place) and
    ``AWS_CONDITIONAL_PUT`` defaults to ``etag``.

    Raises:
        ValueError: a malformed bucket, no region, or a commit configuration that is unsafe or
            unsupported; the message names the variable and what to set instead.
    """
    options = dict(storage)
    s3_locations = {name: uri for name, uri in locations.items() if is_s3(uri)}
    if not s3_locations:
        return options
    for name, uri in s3_locations.items():
        check_bucket(name, uri)
    names = " and ".join(s3_locations) + (" are" if len(s3_locations) > 1 else " is")
    if not options.get("AWS_REGION") and options.get("AWS_DEFAULT_REGION"):
        options["AWS_REGION"] = options["AWS_DEFAULT_REGION"]
    if not options.get("AWS_REGION"):
        raise ValueError(
            f"AWS_REGION is required because {names} on S3: set the bucket's region, "
            "for example AWS_REGION=eu-west-1"
        )
    conditional_put = options.get(CONDITIONAL_PUT) or "etag"
    if conditional_put.strip().lower() != "etag":
        raise ValueError(
            f"{CONDITIONAL_PUT}={conditional_put!r}: Delta commits on S3 are only safe "
            "with conditional writes; unset it or set it to 'etag' (AWS S3, MinIO and R2 support "
            "If-None-Match). A store without conditional writes cannot hold the lakehouse."
        )
    options[CONDITIONAL_PUT] = "etag"
    if options.get("AWS_S3_LOCKING_PROVIDER"):
        raise ValueError(
            f"AWS_S3_LOCKING_PROVIDER={options['AWS_S3_LOCKING_PROVIDER']!r} is not supported: "
            "deltalake 1.6.6 removed its DynamoDB log store and would ignore it. Unset it; "
            f"commits use S3 conditional writes ({CONDITIONAL_PUT}=etag)."
        )
    if _truthy(options.get("AWS_S3_ALLOW_UNSAFE_RENAME")):
        raise ValueError(
            "AWS_S3_ALLOW_UNSAFE_RENAME is set, but deltalake 1.6.6 never renames a commit into "
            f"place on S3 (it uses conditional writes, {CONDITIONAL_PUT}=etag). Unset it."
        )
    return options
