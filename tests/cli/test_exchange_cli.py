"""`yanzhi exchange token create`: a machine token scoped to units, usable only as one."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from yanzhi.cli.main import app
from yanzhi.services.access import users
from yanzhi.services.database import init_database
from yanzhi.storage.db import make_engine

runner = CliRunner()


def test_token_create_scopes_the_token_to_the_units(db_url: str) -> None:
    engine = make_engine(db_url)
    init_database(engine, actor="test:init")
    result = runner.invoke(
        app,
        ["exchange", "token", "create", "--units", "330205, 330203", "--name", "platform",
         "--database", db_url, "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    made = json.loads(result.output)
    assert made["username"] == "exchange-platform" and made["token"].startswith("yz_")
    found = users.machine_token(engine, made["token"])
    assert found is not None and found.units == ("330203", "330205")
    assert users.token_principal(engine, made["token"]) is None  # opens nothing else
    bad = runner.invoke(
        app, ["exchange", "token", "create", "--units", "999999", "--database", db_url]
    )
    assert bad.exit_code != 0 and "999999" in bad.output
    engine.dispose()
