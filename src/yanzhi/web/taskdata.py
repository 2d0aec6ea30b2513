"""Cached reads of the task views, shared by the task pages and the task API: the board,
a task's page and the supervision list, each kept per role and unit until the next write
(:class:`yanzhi.web.cache.ViewCache`)."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from yanzhi.services.access.scope import Scope
from yanzhi.views import guarantees as guarantee_views
from yanzhi.views import landmarks as landmark_views
from yanzhi.views import reforms as reform_views
from yanzhi.views import supervision as supervision_views
from yanzhi.views import tasks as task_views
from yanzhi.views.guarantees import Guarantees
from yanzhi.views.landmarks import Landmarks
from yanzhi.views.reforms import Reforms
from yanzhi.views.task_models import Supervision, TaskBoard, TaskDetail
from yanzhi.web.deps import cache, engine


def board_data(
    request: Request,
    scope: Scope,
    *,
    owner: str | None = None,
    status: str | None = None,
    overdue: bool = False,
    period: str | None = None,
) -> TaskBoard:
    """The board (:func:`views.tasks.board`), cached per role and unit until a write."""
    me = scope.principal
    key = ("tasks.board", me.role, me.unit, owner, status, overdue, period)
    return cache(request).get(
        key,
        lambda: task_views.board(
            engine(request), scope, owner=owner, status=status, overdue=overdue, period=period
        ),
    )


def task_data(request: Request, scope: Scope, code: str) -> TaskDetail:
    """A task's page (:func:`views.tasks.task`), cached per role and unit until a write."""
    me = scope.principal
    key = ("tasks.task", me.role, me.unit, code)
    return cache(request).get(key, lambda: task_views.task(engine(request), scope, code))


def supervision_data(request: Request, scope: Scope, period: str | None) -> Supervision:
    """The supervision list (:func:`views.tasks.supervision`), cached until a write."""
    me = scope.principal
    key = ("tasks.supervision", me.role, me.unit, period)
    return cache(request).get(
        key, lambda: supervision_views.supervision(engine(request), scope, period=period)
    )


def guarantees_data(request: Request, scope: Scope) -> Guarantees:
    """保障措施 (:func:`views.guarantees.guarantees`), shared by everyone who sees the same
    units, until the data change."""
    scope.require("read")
    key = ("tasks.guarantees", scope.root, scope.city_wide)
    return cache(request).get(key, lambda: guarantee_views.guarantees(engine(request), scope))


def landmarks_data(request: Request, scope: Scope) -> Landmarks:
    """标志性成果 (:func:`views.landmarks.landmarks`), per role and unit (the entries and
    the task named depend on them), until the data change."""
    scope.require("read")
    key = ("tasks.landmarks", scope.role, scope.principal.unit)
    return cache(request).get(key, lambda: landmark_views.landmarks(engine(request), scope))


def reforms_data(request: Request, scope: Scope) -> Reforms:
    """重大改革 and 政策 (:func:`views.reforms.reforms`), shared by everyone who sees the same
    units, until the data change."""
    scope.require("read")
    key = ("tasks.reforms", scope.root, scope.city_wide)
    m = cache(request).get
    return m(key, lambda: reform_views.reforms(engine(request), scope, memo=m))


STATE_CLASS = {"overdue_milestone": "overdue", "silent": "silent", "target_behind": "behind"}


def _states(codes: list[str], labels: list[str]) -> list[dict[str, str]]:
    """Automatic states for badges: css class and the zh / en label."""
    out = []
    for code, label in zip(codes, labels, strict=True):
        zh, _, en = label.partition(" / ")
        out.append({"code": code, "css": STATE_CLASS.get(code, "behind"), "zh": zh, "en": en})
    return out


def board_row(t: dict[str, Any]) -> dict[str, Any]:
    """A task of the board (dumped) as the row of the board's table: the columns the page
    shows and the page and the API sort and filter by (``?tasks.sort=progress``)."""
    latest = t["latest"] or {}
    return {
        "code": t["code"],
        "title": t["title"],
        "programme": t["programme"],
        "lead": t["lead_name"] or t["lead"],
        "co_units": "、".join(t.get("co_unit_names") or []),
        "status": latest.get("status"),
        "status_zh": latest.get("status_label_zh", "未报告"),
        "status_en": latest.get("status_label_en", "not reported"),
        "progress": latest.get("progress"),
        "period": latest.get("period"),
        "states": _states(t["states"], t["state_labels"]),
        "state_labels": "; ".join(t["state_labels"]),
    }
