"""moto's S3 server on 127.0.0.1, with conditional writes made atomic as on AWS S3.

Run as ``python s3_server.py [PORT]``: it binds PORT (default: a free port) on 127.0.0.1 and
prints ``PORT <n>`` once it serves.

moto checks ``If-None-Match: *`` and then stores the object in two separate steps, so two
requests on two server threads can both pass the check and the second silently replaces the
first. AWS S3 checks and writes in one step, and Delta commits rely on exactly that, so
conditional PUTs are run one at a time here; every other request stays concurrent.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class AtomicConditionalWrites:
    """WSGI middleware that serialises PUTs carrying ``If-None-Match`` or ``If-Match``."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        conditional = environ.get("REQUEST_METHOD") == "PUT" and (
            "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MATCH" in environ
        )
        if not conditional:
            return self.app(environ, start_response)
        with self.lock:
            return list(self.app(environ, start_response))


def main() -> None:
    app = AtomicConditionalWrites(DomainDispatcherApplication(create_backend_app))
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()
    sys.exit(0)


if __name__ == "__main__":
    main()
