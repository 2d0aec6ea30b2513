"""Uploads are judged while they stream (issue #16, point 2): on a real uvicorn server, a
body whose declared length passes its kind's limit is refused before it is sent, and a body
that grows past the limit — sent quickly or slowly, without a declared length — is cut off
with 413 as soon as it does, long before the client has finished sending."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from tests.conftest import new_database
from tests.web.browser_support import serve

from yanzhi.storage.db import make_engine
from yanzhi.web.limits import MB, limit_for


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from yanzhi.services.database import init_database
    from yanzhi.web.app import create_app

    folder = tmp_path_factory.mktemp("limits")
    with new_database("sqlite", folder) as url:
        eng = make_engine(url)
        init_database(eng, actor="test:init")
        with serve(create_app(eng)) as address:
            yield address
        eng.dispose()


def _connect(base: str) -> socket.socket:
    u = urlparse(base)
    return socket.create_connection((u.hostname, u.port), timeout=20)


def _answer(sock: socket.socket) -> tuple[int, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (int(line.split(b":")[1]) for line in head.split(b"\r\n")
         if line.lower().startswith(b"content-length:")),
        0,
    )  # fmt: skip
    while len(body) < length and (chunk := sock.recv(65536)):
        body += chunk
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, head + b"\r\n\r\n" + body


def _send_chunked(
    sock: socket.socket,
    path: str,
    total: int,
    piece: int,
    pause: float,
    ctype: str = "application/octet-stream",
) -> int:
    """Send a chunked body of ``total`` bytes; stop when the server has answered (or closed).
    The bytes sent."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {ctype}\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    sock.sendall(head.encode())
    if ctype.startswith("multipart/"):
        part = b'--b\r\nContent-Disposition: form-data; name="file"; filename="x.csv"\r\n\r\n'
        sock.sendall(f"{len(part):x}\r\n".encode() + part + b"\r\n")
    sent = 0
    sock.setblocking(True)
    while sent < total:
        try:
            sock.sendall(f"{piece:x}\r\n".encode() + b"a" * piece + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            break
        sent += piece
        sock.settimeout(pause or 0.001)
        try:
            if sock.recv(1, socket.MSG_PEEK):
                break  # the server has answered already
        except (TimeoutError, BlockingIOError):
            pass
        finally:
            sock.settimeout(20)
    return sent


def test_a_declared_length_over_the_limit_is_refused_before_the_body(base: str) -> None:
    _, limit = limit_for("/api/v1/data/imports")
    with _connect(base) as sock:
        sock.sendall(
            (
                "POST /api/v1/data/imports HTTP/1.1\r\nHost: x\r\n"
                f"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {limit + 1}"
                "\r\n\r\n"
            ).encode()
        )
        status, data = _answer(sock)  # no body byte sent
    assert status == 413
    assert "上传内容过大".encode() in data and b"too_large" in data


@pytest.mark.parametrize("pause", [0.0, 0.02], ids=["quickly", "slowly"])
def test_a_growing_body_is_cut_off_as_soon_as_it_passes_the_limit(
    base: str, pause: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YANZHI_MAX_FORM_MB", "0.25")
    _, limit = limit_for("/api/v1/auth/login")
    assert limit == MB // 4
    started = time.monotonic()
    with _connect(base) as sock:
        sent = _send_chunked(sock, "/api/v1/auth/login", 8 * limit, 16384, pause)
        status, data = _answer(sock)
    assert status == 413, data[:300]
    # the answer came while the client was still sending: it sent about the limit, not 8×
    assert limit < sent < 3 * limit, sent
    assert time.monotonic() - started < 30
    page_status = _page_upload(base)
    assert page_status == 413


def _page_upload(base: str) -> int:
    """A page form (not the API) over the limit gets the Chinese 413 page."""
    with _connect(base) as sock:
        _send_chunked(sock, "/login", MB, 16384, 0.0, "multipart/form-data; boundary=b")
        status, data = _answer(sock)
    assert "上传内容过大".encode() in data and b"text/html" in data
    return status
