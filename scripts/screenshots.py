"""Regenerate the README screenshots (docs/screenshots/*.png): the cockpit, an indicator
page and the evaluation page (district level), in a 1366×768 browser window, logged in as
a city analyst on the demo data. Each image is the page from its top, 1366 pixels wide and
as tall as the page up to a cap (so the charts below the fold are in it too).

    .venv/bin/python scripts/screenshots.py [--database URL | --enterprises 10000]
        [--out docs/screenshots] [--full-page]

Without ``--database`` it builds a fresh demo (`yanzhi demo --no-serve`, SYNTHETIC data)
in a temporary folder. It adds (or resets) the account ``screenshots`` (city analyst),
serves the app with uvicorn on a free loopback port and drives Debian's Chromium
(/usr/bin/chromium, `apt-get install -y chromium`) with Playwright — never
`playwright install`. Each page is captured once every chart on it has been drawn.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
YANZHI = [sys.executable, "-m", "yanzhi.cli.main"]
CHROMIUM = os.environ.get("YANZHI_CHROMIUM", "/usr/bin/chromium")
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
USER = "screenshots"
SHOTS = {  # file name -> (page, the most of its height to show, in CSS pixels)
    "cockpit.png": ("/", 1500),
    "indicator.png": ("/indicators/RD_GDP", 1200),
    "evaluation.png": ("/evaluation?level=district", 1500),  # 10 districts: table and charts
}


def sh(*argv: str) -> None:
    proc = subprocess.run(argv, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")


def set_account(url: str, username: str, role: str, password: str) -> None:
    """Create the account, or reset its role and password (as `yanzhi demo` does)."""
    from yanzhi.services.access import users
    from yanzhi.storage.db import make_engine

    engine = make_engine(url)
    try:
        if username in {u.username for u in users.list_users(engine)}:
            users.update_user(
                engine,
                username,
                actor="screenshots",
                password=password,
                role=role,
                unit="",
                active=True,
            )
        else:
            users.create_user(
                engine, username=username, password=password, role=role, actor="screenshots"
            )
    finally:
        engine.dispose()


def account(url: str) -> str:
    """The screenshot account (a city analyst) with a fresh password."""
    password = secrets.token_urlsafe(12)
    set_account(url, USER, "city_analyst", password)
    return password


def start_server(url: str) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    argv = [str(BIN / "uvicorn"), "--factory", "yanzhi.web.app:create_app"]
    argv += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen(argv, env={**os.environ, "YANZHI_DATABASE_URL": url})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):
                return proc, base
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise SystemExit("the server did not start") from None
            time.sleep(0.3)


def capture(base: str, password: str, out: Path, full_page: bool) -> list[str]:
    """Capture every page of SHOTS; returns the problems (pages that failed)."""
    from playwright.sync_api import sync_playwright

    problems = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        page.goto(base + "/login")
        page.fill("input[name=username]", USER)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.click("form[action='/login'] button[type=submit]")
        for name, (path, most) in SHOTS.items():
            response = page.goto(base + path)
            status = response.status if response else 0
            if status != 200:
                problems.append(f"{path}: HTTP {status} — {name} not written")
                continue
            page.wait_for_function(
                "() => [...document.querySelectorAll('[data-chart]')]"
                ".every(el => el.dataset.rendered === '1')",
                timeout=30000,
            )
            page.wait_for_timeout(1200)  # let the ECharts entry animations finish
            height = int(page.evaluate("document.documentElement.scrollHeight"))
            clip: Any = {"x": 0, "y": 0, "width": 1366, "height": min(height, most)}
            page.screenshot(path=str(out / name), full_page=True, clip=None if full_page else clip)
            print(f"  {out / name}  ({path})")
        browser.close()
    return problems


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database", help="an existing demo database (default: build one)")
    ap.add_argument("--enterprises", type=int, default=10_000)
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    ap.add_argument("--full-page", action="store_true", help="whole pages, however long")
    args = ap.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"no Chromium at {CHROMIUM}: apt-get install -y chromium")
    folder = Path(tempfile.mkdtemp(prefix="yanzhi-shots-"))
    try:
        url = args.database
        if not url:
            db = folder / "demo.db"
            print(f"building the demo ({args.enterprises} enterprises)…")
            sh(
                *YANZHI,
                "demo",
                "--no-serve",
                "--enterprises",
                str(args.enterprises),
                "--db",
                str(db),
            )
            url = f"sqlite:///{db}"
        password = account(url)
        args.out.mkdir(parents=True, exist_ok=True)
        proc, base = start_server(url)
        try:
            problems = capture(base, password, args.out, args.full_page)
        finally:
            proc.terminate()
            proc.wait(timeout=15)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for p in problems:
        print(p, file=sys.stderr)
    raise SystemExit(1 if problems else 0)


if __name__ == "__main__":
    main()
