"""`yanzhi serve`, `yanzhi demo` (the main job) and `yanzhi users …`."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from yanzhi.cli.common import (
    DatabaseOpt,
    JsonOpt,
    OldUnitOpt,
    OrgUnitOpt,
    actor,
    console,
    engine_for,
    handled,
    print_json,
)
from yanzhi.cli.common import org_unit as org_unit_of
from yanzhi.cli.helpformat import group
from yanzhi.cli.lazy import lazy

if TYPE_CHECKING:
    from yanzhi.services.access import principal
    from yanzhi.services.access import users as svc
else:
    svc = lazy("yanzhi.services.access.users")
    principal = lazy("yanzhi.services.access.principal")

users_app = group(
    "Accounts, roles, scopes and API tokens. / 用户与权限",
)

HostOpt = Annotated[str, typer.Option(help="Address to listen on (loopback by default)")]
PortOpt = Annotated[int, typer.Option(help="Port")]


WorkersOpt = Annotated[
    int,
    typer.Option(
        min=1,
        help="Server processes; with more than one, set YANZHI_REDIS_URL so that they share "
        "what they compute",
    ),
]


def _serve(url: str, host: str, port: int, workers: int = 1) -> None:
    import os

    import uvicorn

    from yanzhi import config

    os.environ["YANZHI_DATABASE_URL"] = url  # the app factory opens it (cli does not import web)
    if workers > 1 and not config.settings().redis_url:
        console.print(
            f"[yellow]{workers} 个进程未设 YANZHI_REDIS_URL: 各进程各自计算、各自缓存 / "
            f"{workers} workers without YANZHI_REDIS_URL: each computes and caches on its "
            "own[/yellow]"
        )
    # each process loads the document libraries in the background as it starts
    # (web.app.served_app) and computes the shared results once for all (web/precompute.py)
    uvicorn.run(
        "yanzhi.web.app:served_app",
        factory=True,
        host=host,
        port=port,
        log_level="warning",
        workers=workers,
        timeout_worker_healthcheck=30,  # a process busy computing on a small machine is alive
    )


def serve(
    database: DatabaseOpt = None,
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
    workers: WorkersOpt = 1,
) -> None:
    """Start the web app (pages at /, API at /api/v1); ``--workers N`` runs N server
    processes, which share their computed pages through Redis (YANZHI_REDIS_URL). /
    启动网页服务"""
    from yanzhi import config

    with handled():
        url = database or config.database_url()
        console.print(f"yanzhi: http://{host}:{port}/  (API: /api/v1/docs)")
        _serve(url, host, port, workers)


def demo(
    enterprises: Annotated[int, typer.Option(help="Number of demo enterprises")] = 10_000,
    seed: Annotated[int, typer.Option(help="Random seed")] = 2027,
    database: Annotated[Path, typer.Option("--db", help="SQLite file to create afresh")] = Path(
        "yanzhi-demo.db"
    ),
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Build, print accounts, exit")
    ] = False,
) -> None:
    """The main job: a fresh SQLite database with the Ningbo plan, divisions and the
    SYNTHETIC demo panel, everything computed, demo accounts, then the web app on
    127.0.0.1. / 一键演示"""
    from yanzhi.services.database import init_database
    from yanzhi.services.demo import accounts as demo_accounts
    from yanzhi.services.demo import panel as demo_svc

    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{database.resolve()}"
    with handled(), engine_for(url) as engine:
        init_database(engine, actor=actor())
        console.print(
            f"[yellow]building the SYNTHETIC demo panel / 生成合成演示数据[/yellow] "
            f"({enterprises} enterprises, seed {seed})…"
        )
        data = demo_svc.build(seed=seed, n_enterprises=enterprises)
        folder = Path(tempfile.mkdtemp(prefix="yanzhi-demo-"))
        try:
            files = demo_svc.write_files(data, folder)
            reports = demo_svc.load(
                engine,
                data,
                files,
                actor=actor(),
                progress=lambda f: console.print(f"  importing {f}…"),
            )
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        if not all(r.ok for r in reports):
            raise ValueError("the demo data did not import / 演示数据导入失败")
        accounts = demo_accounts.create(engine, actor=actor())
    console.print(f"\ndatabase / 数据库: {url}")
    console.print(
        f"[bold]open / 打开: http://{host}:{port}/[/bold]   API: http://{host}:{port}/api/v1/docs"
    )
    console.print("demo accounts (passwords are new each run) / 演示账号(每次运行生成新密码):")
    for a in accounts:
        scope = a.unit or a.enterprise or "全市 city"
        console.print(f"  {a.username:<11} {a.password:<14} {a.role:<17} {scope}")
    if not no_serve:
        _serve(url, host, port)


@users_app.command("add")
def add_user(
    username: str,
    role: Annotated[
        str,
        typer.Option(
            help="admin | city_analyst | district_officer | "
            "township_officer | leader | task_owner | enterprise"
        ),
    ],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    org_unit: OrgUnitOpt = None,
    enterprise: Annotated[str | None, typer.Option(help="USCC of an enterprise user")] = None,
    name: Annotated[str | None, typer.Option(help="Display name")] = None,
    email: Annotated[str | None, typer.Option(help="E-mail address for notifications")] = None,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
    old_unit: OldUnitOpt = None,
) -> None:
    """Create an account (password hashed with Argon2; audited); ``--org-unit`` is its
    scope (a department for a task owner). / 新建用户"""
    unit = org_unit_of(org_unit, old_unit)
    with handled(as_json), engine_for(database) as engine:
        u = svc.create_user(
            engine,
            username=username,
            password=password,
            role=role,
            unit=unit,
            enterprise=enterprise,
            display_name=name,
            email=email,
            actor=actor(),
        )
    print_json(u.model_dump()) if as_json else console.print(f"created {u.username} ({u.role})")


@users_app.command("list")
def list_users(database: DatabaseOpt = None, as_json: JsonOpt = False) -> None:
    """Every account with role and scope. / 用户列表"""
    with handled(as_json), engine_for(database) as engine:
        rows = svc.list_users(engine)
    if as_json:
        print_json([u.model_dump() for u in rows])
        return
    for u in rows:
        flag = "" if u.active else " (inactive / 已停用)"
        console.print(f"{u.username:<16} {u.role:<17} {u.unit or u.enterprise or '-'}{flag}")


@users_app.command("set")
def set_user(
    username: str,
    role: Annotated[str | None, typer.Option()] = None,
    org_unit: Annotated[
        str | None, typer.Option("--org-unit", help="New scope ('' for the whole city)")
    ] = None,
    active: Annotated[bool | None, typer.Option("--active/--inactive")] = None,
    reset_password: Annotated[
        bool, typer.Option("--password", help="Prompt for a new password")
    ] = False,
    email: Annotated[
        str | None, typer.Option(help="E-mail address for notifications ('' clears it)")
    ] = None,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
    old_unit: OldUnitOpt = None,
) -> None:
    """Change role, scope, state or e-mail address; a deactivated user's sessions end at
    once. / 修改用户"""
    unit = org_unit_of(org_unit, old_unit)
    password = (
        typer.prompt("password", hide_input=True, confirmation_prompt=True)
        if reset_password
        else None
    )
    with handled(as_json), engine_for(database) as engine:
        u = svc.update_user(
            engine,
            username,
            actor=actor(),
            role=role,
            unit=unit,
            active=active,
            password=password,
            email=email,
        )
    print_json(u.model_dump()) if as_json else console.print(f"updated {u.username}")


@users_app.command("token")
def create_token(
    username: str,
    name: Annotated[str, typer.Option(help="What the token is for")] = "script",
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A new API token (shown this once; stored hashed). / 创建 API 令牌"""
    with handled(as_json), engine_for(database) as engine:
        tok = svc.create_token(engine, username, name=name, actor=principal.SYSTEM)
    print_json(tok.model_dump()) if as_json else console.print(
        f"{tok.token}\n(id {tok.id}; shown once / 仅显示一次)"
    )


@users_app.command("revoke")
def revoke_token(token_id: int, database: DatabaseOpt = None) -> None:
    """Revoke an API token by its id. / 撤销令牌"""
    with handled(), engine_for(database) as engine:
        done = svc.revoke_token(engine, token_id, actor=principal.SYSTEM)
    console.print("revoked / 已撤销" if done else "already revoked / 早已撤销")
