"""A local threaded HTTP server for photo fetching tests: serves one real image, and misbehaves on request.

Paths (each answers the same whatever the query string, so a URL may carry a fake token):
/ok.png            the image, image/png            /octet.png   the image, application/octet-stream
/big               11 MiB with Content-Length      /big-stream  11 MiB with no Content-Length
/html-as-jpeg      an HTML page sent as image/jpeg /html        an HTML page as text/html
/slow              image/png, a byte every 0.2 s   /missing     404
/to-ok             302 to /ok.png                  /to-file     302 to file:///etc/passwd
/broken.png        PNG magic bytes, then garbage   /flaky.png   404 until `server.fixed` is set, then the image
Every request's headers are kept in `server.requests` (path, headers), to check what was sent.
"""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from connectors.sample import SAMPLE_IMAGES

IMAGE = (SAMPLE_IMAGES / "phfb-3.png").read_bytes()  # three drawn faces
BIG = 11 * 1024 * 1024
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


class ImageServer:
    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.fixed = False
        self.image = IMAGE
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                path = urlsplit(self.path).path
                server.requests.append((path, {k.lower(): v for k, v in self.headers.items()}))
                try:
                    server.answer(self, path)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "ImageServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}{path}"

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)

    def answer(self, h: BaseHTTPRequestHandler, path: str) -> None:
        def send(status: int, body: bytes, ctype: str | None, extra: dict[str, str] | None = None, length: bool = True) -> None:
            h.send_response(status)
            if ctype:
                h.send_header("Content-Type", ctype)
            for k, v in (extra or {}).items():
                h.send_header(k, v)
            if length:
                h.send_header("Content-Length", str(len(body)))
            else:
                h.send_header("Connection", "close")
            h.end_headers()
            h.wfile.write(body)

        if path == "/ok.png" or (path == "/flaky.png" and self.fixed):
            send(200, self.image, "image/png")
        elif path == "/octet.png":
            send(200, self.image, "application/octet-stream")
        elif path == "/big":
            send(200, b"\x89PNG\r\n\x1a\n" + b"\0" * BIG, "image/png")
        elif path == "/big-stream":
            h.close_connection = True
            send(200, b"\x89PNG\r\n\x1a\n" + b"\0" * BIG, "image/png", length=False)
        elif path == "/html-as-jpeg":
            send(200, HTML, "image/jpeg")
        elif path == "/html":
            send(200, HTML, "text/html; charset=utf-8")
        elif path == "/broken.png":
            send(200, b"\x89PNG\r\n\x1a\n" + b"not really a png" * 10, "image/png")
        elif path == "/slow":
            h.send_response(200)
            h.send_header("Content-Type", "image/png")
            h.send_header("Content-Length", str(len(self.image)))
            h.end_headers()
            for i in range(0, 60):
                h.wfile.write(self.image[i:i + 1])
                h.wfile.flush()
                time.sleep(0.2)
        elif path == "/to-ok":
            send(302, b"", None, {"Location": "/ok.png"})
        elif path == "/to-file":
            send(302, b"", None, {"Location": "file:///etc/passwd"})
        else:
            send(404, b"not found", "text/plain")


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_image(path: Path) -> Path:
    path.write_bytes(IMAGE)
    return path
