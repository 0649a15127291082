"""Storage errors sorted into what a retry can fix and what only a person can, with the fix.

deltalake (object_store) and pyarrow raise ``OSError`` for almost everything that goes wrong
on S3, so the type says nothing: missing credentials, a missing bucket and a dropped
connection look alike. The texts do differ, and carry the S3 error code: object_store quotes
the XML body (``<Code>NoSuchBucket</Code>``), the AWS SDK in pyarrow names it
(``AWS Error NO_SUCH_BUCKET``). :func:`classify` reads those codes from an error and every
error it was raised from; :func:`permanent_message` turns a permanent one into one line that
names the variable to set or the resource to create, never a credential's value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from enum import StrEnum

import duckdb
from deltalake.exceptions import CommitFailedError, DeltaError


class StorageErrorKind(StrEnum):
    """What kind of storage failure an error is; ``permanent`` ones are not retried."""

    CREDENTIALS = "credentials"
    BUCKET_MISSING = "bucket missing"
    ACCESS_DENIED = "access denied"
    CONFIGURATION = "invalid configuration"
    ENDPOINT_UNREACHABLE = "endpoint unreachable"
    THROTTLED = "throttled"
    NETWORK = "network"
    COMMIT_CONFLICT = "commit conflict"
    OTHER = "other"

    @property
    def permanent(self) -> bool:
        """True if retrying cannot help: the configuration or the account must change."""
        return self in _PERMANENT


_PERMANENT = frozenset(
    {
        StorageErrorKind.CREDENTIALS,
        StorageErrorKind.BUCKET_MISSING,
        StorageErrorKind.ACCESS_DENIED,
        StorageErrorKind.CONFIGURATION,
        StorageErrorKind.ENDPOINT_UNREACHABLE,
    }
)


class PermanentStorageError(RuntimeError):
    """A storage error no retry can fix; the message is one line saying what to set or create.

    Deliberately not an ``OSError``, so nothing treats it as a transient I/O hiccup.
    """

    def __init__(self, message: str, kind: StorageErrorKind) -> None:
        super().__init__(message)
        self.kind = kind


# Checked in this order, first match wins: a refused key also answers "403 Forbidden", so the
# credential codes come before access denied; a throttled request may say "retries".
_RULES: tuple[tuple[StorageErrorKind, re.Pattern[str]], ...] = (
    (
        StorageErrorKind.CREDENTIALS,
        re.compile(
            r"InvalidAccessKeyId|INVALID_ACCESS_KEY_ID|SignatureDoesNotMatch"
            r"|SIGNATURE_DOES_NOT_MATCH|ExpiredToken|EXPIRED_TOKEN|InvalidToken|INVALID_TOKEN"
            r"|TokenRefreshRequired|no credentials|NoCredentialProviders|missing credentials"
            r"|Unable to locate credentials|/latest/api/token|169\.254\.169\.254",
            re.IGNORECASE,
        ),
    ),
    (StorageErrorKind.BUCKET_MISSING, re.compile(r"NoSuchBucket|NO_SUCH_BUCKET")),
    (
        StorageErrorKind.CONFIGURATION,
        re.compile(
            r"Generic Config error|Failed to parse config|InvalidUri|builder error"
            r"|AuthorizationHeaderMalformed|PermanentRedirect|IllegalLocationConstraint"
            r"|InvalidRegion|region '[^']*' is wrong"
        ),
    ),
    (
        StorageErrorKind.ACCESS_DENIED,
        re.compile(r"AccessDenied|ACCESS_DENIED|403 Forbidden|HTTP status 403|AllAccessDisabled"),
    ),
    (
        StorageErrorKind.ENDPOINT_UNREACHABLE,
        re.compile(r"Connection refused|os error 111|curlCode: 7\b|Could not connect to server"),
    ),
    (
        StorageErrorKind.THROTTLED,
        re.compile(
            r"SlowDown|SLOW_DOWN|503 Service Unavailable|HTTP status 503|ServiceUnavailable"
            r"|RequestLimitExceeded|Throttl|TooManyRequests|429 Too Many Requests"
            r"|InternalError|500 Internal Server Error"
        ),
    ),
    (
        StorageErrorKind.NETWORK,
        re.compile(
            r"timed out|RequestTimeout|deadline has elapsed|Connection reset|os error 104"
            r"|broken pipe|connection closed|curlCode: (?:28|52|55|56)\b",
            re.IGNORECASE,
        ),
    ),
)

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_XML_BUCKET = re.compile(r"<BucketName>([^<]+)</BucketName>")
_SDK_BUCKET = re.compile(r"in bucket '([^']+)'")
_URL = re.compile(r"\b(https?://[^/\s?]+)")


def _chain(error: BaseException) -> Iterator[BaseException]:
    """``error`` and the errors it was raised from (``__cause__`` first, then ``__context__``)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


_STORAGE_TYPES: tuple[type[BaseException], ...] = (OSError, DeltaError, duckdb.Error)
"""Errors whose text is read: what deltalake, pyarrow and DuckDB raise for storage trouble."""


def _text(error: BaseException) -> str:
    """The storage errors' texts in the chain, without terminal colours; others are ignored."""
    texts = [str(e) for e in _chain(error) if isinstance(e, _STORAGE_TYPES)]
    return _ANSI.sub("", "\n".join(texts))


def classify(error: BaseException) -> StorageErrorKind:
    """The kind of storage failure ``error`` (or an error it was raised from) is.

    A Delta commit race (``CommitFailedError``) is ``COMMIT_CONFLICT``; ``OTHER`` means the
    error is not recognisably about storage, and the caller decides as before.
    """
    for current in _chain(error):
        if isinstance(current, PermanentStorageError):
            return current.kind
        if isinstance(current, CommitFailedError):
            return StorageErrorKind.COMMIT_CONFLICT
    text = _text(error)
    for kind, pattern in _RULES:
        if pattern.search(text):
            return kind
    return StorageErrorKind.OTHER


def _bucket(text: str) -> str | None:
    found = _XML_BUCKET.search(text) or _SDK_BUCKET.search(text)
    return found.group(1) if found else None


def _endpoint(text: str, options: Mapping[str, str]) -> str | None:
    configured = options.get("AWS_ENDPOINT_URL")
    if configured:
        return configured
    found = _URL.search(text)
    return found.group(1) if found else None


def permanent_message(
    error: BaseException, storage_options: Mapping[str, str] | None = None
) -> str:
    """One line: what is wrong with the storage configuration and what to set or create.

    ``storage_options`` (optional) only supply the configured endpoint and region; no
    credential value is ever part of the message. For an error that is not permanent the
    message is the error's own first line.
    """
    options = storage_options or {}
    for current in _chain(error):
        if isinstance(current, PermanentStorageError):
            return str(current)
    text = _text(error)
    kind = classify(error)
    endpoint = _endpoint(text, options)
    at = f" at {endpoint}" if endpoint else ""
    region = options.get("AWS_REGION")
    if kind is StorageErrorKind.CREDENTIALS:
        return (
            f"S3 refused or found no credentials{at}: set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys, renewed if "
            "expired) to a key that is valid for this endpoint"
        )
    if kind is StorageErrorKind.BUCKET_MISSING:
        bucket = _bucket(text)
        name = f"bucket {bucket!r}" if bucket else "the bucket"
        return (
            f"S3 {name} does not exist{at}: create it, or fix the bucket in "
            "LAKEHOUSE_ROOT / LAKEHOUSE_LANDING"
        )
    if kind is StorageErrorKind.ACCESS_DENIED:
        bucket = _bucket(text)
        name = f"bucket {bucket!r}" if bucket else "the bucket"
        return (
            f"S3 denied access to {name}{at}: grant the key in AWS_ACCESS_KEY_ID read and write "
            "on it, or use a key that has them"
        )
    if kind is StorageErrorKind.ENDPOINT_UNREACHABLE:
        where = endpoint or "the S3 endpoint"
        return (
            f"cannot connect to {where} (connection refused): check AWS_ENDPOINT_URL "
            "and that the storage service is running"
        )
    if kind is StorageErrorKind.CONFIGURATION:
        if re.search(r"InvalidUri|builder error", text):
            given = f" {endpoint!r}" if endpoint else ""
            return (
                f"the S3 endpoint{given} is not a valid URL: set AWS_ENDPOINT_URL to "
                "http(s)://host:port, or unset it for AWS S3"
            )
        if re.search(r"Redirect|Region|region|AuthorizationHeaderMalformed|Location", text):
            return (
                f"S3 rejected the region {region!r}: set AWS_REGION to the bucket's region"
                if region
                else "S3 needs the bucket's region: set AWS_REGION"
            )
        return f"invalid storage configuration: {first_line(text)}; check the AWS_* variables"
    return first_line(text or str(error))


def first_line(text: str) -> str:
    """The first non-blank line of ``text``, stripped: an error's one-line summary."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else "unknown storage error"


def storage_failure(
    error: BaseException, storage_options: Mapping[str, str] | None = None
) -> PermanentStorageError | None:
    """A ``PermanentStorageError`` for a permanent storage error, else ``None``."""
    kind = classify(error)
    if not kind.permanent:
        return None
    return PermanentStorageError(permanent_message(error, storage_options), kind)
