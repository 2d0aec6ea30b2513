"""``yanzhi users add --email`` and ``yanzhi notify deliver``: the pending e-mails go to
the SMTP server of the settings; a refused delivery stays pending for the next run."""

from __future__ import annotations

import json

from sqlalchemy import select
from tests.smtp_support import free_port, smtp_server, use_smtp
from typer.testing import CliRunner

from yanzhi.cli.main import app
from yanzhi.services.notifications.send import Message, notify
from yanzhi.storage import migrate
from yanzhi.storage.db import make_engine, transaction
from yanzhi.storage.usermodels import UserRow

runner = CliRunner()


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_deliver_sends_what_is_pending_and_retries_failures(db_url, monkeypatch):
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    out = _run(
        "users", "add", "zhang", "--role", "admin", "--password", "secret-123",
        "--email", "zhang@keji.test", "--database", db_url, "--json",
    )  # fmt: skip
    assert json.loads(out)["email"] == "zhang@keji.test"
    bad = runner.invoke(
        app,
        ["users", "set", "zhang", "--email", "a@b.test\nBcc: x@y.test", "--database", db_url],
    )
    assert bad.exit_code == 2  # no header injection through the address
    use_smtp(monkeypatch, free_port())
    with transaction(engine) as session:
        users = list(session.scalars(select(UserRow)))
        notify(
            session,
            users,
            Message("supervision", "督办: 2 项任务需报送进展", "请报送。"),
            actor="t",
        )
    failed = json.loads(_run("notify", "deliver", "--database", db_url, "--json"))
    assert (failed["attempted"], failed["sent"], failed["failed"]) == (1, 0, 1)
    with smtp_server() as (received, port):
        use_smtp(monkeypatch, port)
        assert "成功 1 封" in _run("notify", "deliver", "--database", db_url)
        assert "尝试 0 封" in _run("notify", "deliver", "--database", db_url)
    assert received.subjects() == ["督办: 2 项任务需报送进展"]
    monkeypatch.delenv("YANZHI_SMTP_HOST")
    assert "未配置邮件服务器" in _run("notify", "deliver", "--database", db_url)
    engine.dispose()
