"""Leaders' comments (批示) on key tasks: writing one (audited) and listing them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Engine

from yanzhi.core.tasks import TaskInputError
from yanzhi.services.database import require_schema
from yanzhi.services.tasks.updates import _plan_id, _task
from yanzhi.storage import tasks as store
from yanzhi.storage.audit import WriteContext
from yanzhi.storage.db import transaction
from yanzhi.storage.plans import get_plan


@dataclass(frozen=True)
class TaskComment:
    """A leader's comment on a task; ``at`` (ISO time) is given when listed."""

    task: str
    author: str
    text: str
    at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """As JSON: ``task``, ``author``, ``text`` and, when known, ``at``."""
        d = asdict(self)
        if self.at is None:
            del d["at"]
        return d


def comment(engine: Engine, task: str, text: str, *, actor: str) -> TaskComment:
    """A leader's comment (批示) on a task; audited."""
    if not text.strip():
        raise TaskInputError("a comment needs text / 批示内容不能为空")
    require_schema(engine)
    with transaction(engine) as session:
        row = _task(session, get_plan(session), task)
        c = store.create_comment(session, task=row, text=text.strip(), ctx=WriteContext(actor))
        return TaskComment(task, c.author, c.text)


def comments(engine: Engine, task: str | None = None) -> list[TaskComment]:
    """The leaders' comments, oldest first: every task's, or only ``task``'s."""
    with transaction(engine) as session:
        plan = get_plan(session)
        pid = _plan_id(session, plan)
        codes = {t.id: t.code for t in store.list_tasks(session, pid)}
        return [
            TaskComment(codes[c.task_id], c.author, c.text, c.at.isoformat())
            for c in store.list_comments(session, pid)
            if task is None or codes[c.task_id] == task
        ]
