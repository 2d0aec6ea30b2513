"""Helpers for the browser tests and scripts/screenshots.py: the app served by a real
uvicorn on a free loopback port (in a background thread), and Debian's Chromium driven by
Playwright (never `playwright install`: it downloads a browser of its own and fails here)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("YANZHI_CHROMIUM", "/usr/bin/chromium")
# Without the networking flags Chromium keeps trying to reach the internet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def chromium_missing() -> str | None:
    """Why the browser cannot run, or None."""
    if not Path(CHROMIUM).exists():
        return (
            f"Chromium not found at {CHROMIUM}: install Debian's package "
            "(`apt-get install -y chromium`; scripts/test.sh does it) or set YANZHI_CHROMIUM"
        )
    return None


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a background thread on a free 127.0.0.1 port; yields
    the base URL and stops the server afterwards."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", ws="none"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def login(page: Any, base: str, username: str, password: str) -> None:
    """Log in through the form at /login and land on the next page."""
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form[action='/login'] button[type=submit]")
    assert "/login" not in page.url, f"login as {username} failed: {page.url}"


def logout(page: Any) -> None:
    with page.expect_navigation():
        page.click("form[action='/logout'] button[type=submit]")
    assert page.url.endswith("/login"), page.url


def by_id(element_id: str) -> str:
    """A selector for an id with characters CSS would need escaped (e.g. 2026-01..10)."""
    return f'[id="{element_id}"]'


def wait_for_charts(page: Any, timeout_ms: int = 15000) -> None:
    """Wait until every chart element of the page has been drawn (data-rendered="1")."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            "() => [...document.querySelectorAll('[data-chart]')]"
            ".every(el => el.dataset.rendered === '1')",
            timeout=timeout_ms,
        )
    except PlaywrightTimeout:
        undrawn = page.evaluate(
            "() => [...document.querySelectorAll('[data-chart]')]"
            ".filter(el => el.dataset.rendered !== '1').map(el => el.id || el.dataset.chart)"
        )
        raise AssertionError(
            f"{page.url}: charts not drawn after {timeout_ms} ms: {undrawn}"
        ) from None


def horizontal_overflow(page: Any) -> int:
    """How many CSS pixels the document is wider than the viewport (0 = none)."""
    return int(
        page.evaluate("() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)")
    )


def _with_place(error: Any) -> str:
    """A page's uncaught error with the first line of its stack that names a script."""
    frames = [line.strip() for line in (error.stack or "").splitlines()[1:] if "http" in line]
    return f"{error}" + (f" ({frames[0]})" if frames else "")


class Tab:
    """A fresh browser context and page; JavaScript errors are collected."""

    def __init__(self, browser: Any, base: str, viewport: dict[str, int] = DESKTOP) -> None:
        self.context = browser.new_context(viewport=viewport, locale="zh-CN")
        self.page = self.context.new_page()
        self.page.set_default_timeout(20000)
        self.base = base
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(_with_place(e)))
        # a Content-Security-Policy violation is an error too (issue #16)
        self.page.on(
            "console",
            lambda m: (
                self.errors.append(m.text)
                if m.type == "error" and "Content Security Policy" in m.text
                else None
            ),
        )

    def goto(self, path: str) -> Any:
        return self.page.goto(self.base + path)

    def login(self, site: Any, username: str) -> None:
        login(self.page, self.base, username, site.accounts[username]["password"])

    def close(self) -> None:
        self.context.close()
