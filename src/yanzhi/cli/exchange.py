"""`yanzhi exchange …`: the data exchange's machine accounts (docs/exchange.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from yanzhi.cli.common import DatabaseOpt, JsonOpt, console, engine_for, handled, print_json
from yanzhi.cli.helpformat import group
from yanzhi.cli.lazy import lazy

if TYPE_CHECKING:
    from yanzhi.services.access import principal
    from yanzhi.services.access import users as svc
else:
    svc = lazy("yanzhi.services.access.users")
    principal = lazy("yanzhi.services.access.principal")

app = group("The data exchange with the city's digital platform. / 数据交换")
token_app = group("Machine accounts' tokens. / 数据交换令牌")
app.add_typer(token_app, name="token")


@token_app.command("create")
def create(
    units: Annotated[
        str, typer.Option(help="Comma-separated district / township codes it may file for")
    ],
    name: Annotated[str, typer.Option(help="The sending system (a-z, 0-9, -, _)")] = "platform",
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A machine account's token that may only submit filings of UNITS (shown this once;
    stored hashed; revoke with `yanzhi users revoke ID`). / 创建数据交换令牌"""
    with handled(as_json), engine_for(database) as engine:
        tok = svc.create_machine_token(engine, name, units.split(","), actor=principal.SYSTEM.name)
    print_json(tok.model_dump()) if as_json else console.print(
        f"{tok.token}\n({tok.username}, id {tok.id}; shown once / 仅显示一次)"
    )
