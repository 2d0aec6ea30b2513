"""``yanzhi notify``: deliver the notifications still waiting for e-mail. / 通知"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated

import typer

from yanzhi.cli.common import DatabaseOpt, JsonOpt, console, engine_for, handled, print_json
from yanzhi.cli.helpformat import group
from yanzhi.cli.lazy import lazy

if TYPE_CHECKING:
    from yanzhi.services.notifications import mail, send
else:
    mail = lazy("yanzhi.services.notifications.mail")
    send = lazy("yanzhi.services.notifications.send")

app = group(
    "Notifications: e-mail delivery. / 通知",
)


@app.command("deliver")
def deliver(
    limit: Annotated[int, typer.Option(min=1, help="At most this many e-mails")] = 1000,
    database: DatabaseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """E-mail the notifications not yet delivered (new ones and earlier failures), through
    YANZHI_SMTP_HOST; each attempt is recorded. Run it from cron to retry failures.
    / 发送待发邮件通知(含此前发送失败的)"""
    with handled(as_json), engine_for(database) as engine:
        report = send.deliver(engine, limit=limit)
    if as_json:
        print_json({**asdict(report), "email_enabled": mail.enabled()})
        return
    if not mail.enabled():
        console.print("e-mail is off (YANZHI_SMTP_HOST unset) / 未配置邮件服务器, 通知仅在站内")
        return
    console.print(
        f"attempted {report.attempted}, sent {report.sent}, failed {report.failed} "
        f"/ 尝试 {report.attempted} 封, 成功 {report.sent} 封, 失败 {report.failed} 封(待重试)"
    )
