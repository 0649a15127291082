"""Storage errors are sorted into permanent (fail at once, say what to set) and transient.

The errors are real: deltalake talks to a tiny HTTP server on 127.0.0.1 that answers like S3
(the XML bodies are those AWS S3 and moto send), to a closed port, and to a server that resets
connections. pyarrow's wording, which needs a full S3 server, is quoted from runs against moto.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from deltalake import DeltaTable
from deltalake.exceptions import CommitFailedError

from lakehouse.lake.errors import (
    PermanentStorageError,
    StorageErrorKind,
    classify,
    permanent_message,
    storage_failure,
)
from lakehouse.lake.retry import OBJECT_STORE_RETRY_BOUNDS, with_commit_retries, with_retry_bounds
from lakehouse.policy.retries import failure_description, is_transient

BUCKET = "lake-bucket"


def _xml(code: str, message: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
        f"<Message>{message}</Message><BucketName>{BUCKET}</BucketName></Error>"
    ).encode()


ANSWERS: dict[str, tuple[int, bytes]] = {
    "no-such-bucket": (404, _xml("NoSuchBucket", "The specified bucket does not exist")),
    "invalid-key": (
        403,
        _xml("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist."),
    ),
    "bad-signature": (
        403,
        _xml("SignatureDoesNotMatch", "The request signature we calculated does not match."),
    ),
    "expired-token": (400, _xml("ExpiredToken", "The provided token has expired.")),
    "access-denied": (403, _xml("AccessDenied", "Access Denied")),
    "slow-down": (503, _xml("SlowDown", "Please reduce your request rate.")),
}


class _S3Like(BaseHTTPRequestHandler):
    """Answers every request with the status and XML body its path's first segment names."""

    def _answer(self) -> None:
        status, body = ANSWERS[self.path.strip("/").split("/")[0].split("?")[0]]
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_PUT = do_HEAD = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _S3Like)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _options(endpoint: str, **extra: str) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ALLOW_HTTP": "true",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "secret-value-never-shown",
        "max_retries": "1",
        "retry_timeout": "5s",
        **extra,
    }


def _open_error(uri: str, options: dict[str, str]) -> BaseException:
    with pytest.raises(Exception) as caught:
        DeltaTable(uri, storage_options=options)
    return caught.value


@pytest.mark.parametrize(
    ("answer", "kind", "names"),
    [
        ("no-such-bucket", StorageErrorKind.BUCKET_MISSING, f"bucket '{BUCKET}' does not exist"),
        ("invalid-key", StorageErrorKind.CREDENTIALS, "AWS_ACCESS_KEY_ID and AWS_SECRET"),
        ("bad-signature", StorageErrorKind.CREDENTIALS, "AWS_SECRET_ACCESS_KEY"),
        ("expired-token", StorageErrorKind.CREDENTIALS, "AWS_SESSION_TOKEN"),
        ("access-denied", StorageErrorKind.ACCESS_DENIED, f"denied access to bucket '{BUCKET}'"),
    ],
)
def test_s3_refusals_are_permanent_and_say_what_to_fix(
    endpoint: str, answer: str, kind: StorageErrorKind, names: str
) -> None:
    options = _options(endpoint)
    error = _open_error(f"s3://{answer}/lake/silver/orders", options)
    assert isinstance(error, OSError)  # deltalake's type says nothing; the text does
    assert classify(error) is kind and kind.permanent
    assert not is_transient(error)
    message = permanent_message(error, options)
    assert names in message
    assert "\n" not in message and "secret-value-never-shown" not in message


def test_throttling_stays_transient(endpoint: str) -> None:
    error = _open_error("s3://slow-down/lake/silver/orders", _options(endpoint))
    assert classify(error) is StorageErrorKind.THROTTLED
    assert is_transient(error)


def test_connection_refused_names_the_endpoint_variable() -> None:
    dead = f"http://127.0.0.1:{_closed_port()}"
    error = _open_error("s3://bucket/lake/silver/orders", _options(dead))
    assert classify(error) is StorageErrorKind.ENDPOINT_UNREACHABLE
    assert not is_transient(error)
    message = permanent_message(error, _options(dead))
    assert message.startswith(f"cannot connect to {dead} (connection refused)")
    assert "AWS_ENDPOINT_URL" in message


def test_missing_credentials_are_reported_as_such() -> None:
    # Without keys object_store asks the instance metadata service; here it is a closed port.
    options = _options(f"http://127.0.0.1:{_closed_port()}")
    del options["AWS_ACCESS_KEY_ID"], options["AWS_SECRET_ACCESS_KEY"]
    options["AWS_METADATA_ENDPOINT"] = options["AWS_ENDPOINT_URL"]
    error = _open_error("s3://bucket/lake/silver/orders", options)
    assert "/latest/api/token" in str(error)
    assert classify(error) is StorageErrorKind.CREDENTIALS


def test_connection_resets_stay_transient() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        stop = threading.Event()

        def reset_all() -> None:
            server.settimeout(0.2)
            while not stop.is_set():
                try:
                    conn, _ = server.accept()
                except TimeoutError:
                    continue
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
                conn.close()

        thread = threading.Thread(target=reset_all, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{server.getsockname()[1]}"
            error = _open_error("s3://bucket/lake/silver/orders", _options(url))
        finally:
            stop.set()
            thread.join()
    assert classify(error) is StorageErrorKind.NETWORK
    assert is_transient(error)


def test_an_unparsable_storage_option_is_invalid_configuration(endpoint: str) -> None:
    error = _open_error("s3://no-such-bucket/t", _options(endpoint, connect_timeout="soon"))
    assert classify(error) is StorageErrorKind.CONFIGURATION
    assert not is_transient(error)
    assert "check the AWS_* variables" in permanent_message(error)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # pyarrow (AWS SDK) wording, as raised against moto
        (
            "When listing objects under key 'lake/t/' in bucket 'b1': AWS Error NO_SUCH_BUCKET "
            "during ListObjectsV2 operation: The specified bucket does not exist",
            StorageErrorKind.BUCKET_MISSING,
        ),
        (
            "When listing objects under key 'lake/t/' in bucket 'b1': AWS Error "
            "INVALID_ACCESS_KEY_ID during ListObjectsV2 operation: The AWS Access Key Id ...",
            StorageErrorKind.CREDENTIALS,
        ),
        (
            "When getting information for key 'lake/t' in bucket 'b1': AWS Error ACCESS_DENIED "
            "during HeadObject operation: No response body.",
            StorageErrorKind.ACCESS_DENIED,
        ),
        (
            "When getting information for key 'lake/t' in bucket 'b1': AWS Error "
            "NETWORK_CONNECTION during HeadObject operation: curlCode: 7, Could not connect",
            StorageErrorKind.ENDPOINT_UNREACHABLE,
        ),
        # AWS S3's answer to a request signed for the wrong region
        (
            "<Error><Code>AuthorizationHeaderMalformed</Code><Message>the region 'us-east-1' is "
            "wrong; expecting 'eu-west-1'</Message></Error>",
            StorageErrorKind.CONFIGURATION,
        ),
        ("operation timed out", StorageErrorKind.NETWORK),
        ("schema mismatch", StorageErrorKind.OTHER),
    ],
)
def test_texts_of_other_clients_are_classified(text: str, kind: StorageErrorKind) -> None:
    assert classify(OSError(text)) is kind


def test_wrong_region_names_aws_region() -> None:
    error = OSError("<Code>AuthorizationHeaderMalformed</Code> the region 'us-east-1' is wrong")
    assert "set AWS_REGION" in permanent_message(error, {"AWS_REGION": "us-east-1"})


def test_commit_conflicts_stay_transient() -> None:
    error = CommitFailedError("Failed to commit transaction: 15")
    assert classify(error) is StorageErrorKind.COMMIT_CONFLICT
    assert is_transient(error)


def test_non_storage_errors_are_not_read_for_storage_codes() -> None:
    assert classify(ValueError("column 'AccessDenied' is unknown")) is StorageErrorKind.OTHER


def test_a_permanent_error_inside_a_commit_retry_is_raised_once_with_its_fix(
    endpoint: str,
) -> None:
    options = _options(endpoint)
    calls: list[int] = []

    def write() -> None:
        calls.append(1)
        DeltaTable(f"s3://no-such-bucket/lake/{len(calls)}", storage_options=dict(options))

    with pytest.raises(PermanentStorageError, match=f"bucket '{BUCKET}' does not exist") as caught:
        with_commit_retries(write, table="t", operation="append", storage_options=options)
    assert calls == [1]
    assert caught.value.kind is StorageErrorKind.BUCKET_MISSING
    assert classify(caught.value) is StorageErrorKind.BUCKET_MISSING
    assert not is_transient(caught.value)
    assert failure_description(caught.value) == str(caught.value)


def test_storage_failure_is_none_for_transient_errors() -> None:
    assert storage_failure(OSError("Connection reset by peer (os error 104)")) is None


def test_failure_description_is_one_line_for_other_errors() -> None:
    assert failure_description(ValueError("bad row\nsecond line")) == "ValueError: bad row"


def test_object_store_retries_are_bounded_on_s3_only() -> None:
    assert with_retry_bounds("s3://b/lake", {"AWS_REGION": "x"}) == {
        **OBJECT_STORE_RETRY_BOUNDS,
        "AWS_REGION": "x",
    }
    assert with_retry_bounds("s3://b/lake", {"max_retries": "7"})["max_retries"] == "7"
    assert with_retry_bounds("/tmp/lake", None) == {}


def test_the_store_bounds_the_object_store_clients_retries_on_s3_only() -> None:
    from lakehouse.lake import DeltaStore
    from lakehouse.lake.retry import OBJECT_STORE_RETRY_BOUNDS

    s3 = DeltaStore("s3://bucket/lake", {"AWS_REGION": "eu-west-1", "max_retries": "1"})
    assert s3.storage_options["max_retries"] == "1"
    for name, value in OBJECT_STORE_RETRY_BOUNDS.items():
        if name != "max_retries":
            assert s3.storage_options[name] == value
    assert "max_retries" not in DeltaStore("/tmp/lake").storage_options
