"""What the task and register views return: typed results that are also the API's response
models (``/api/v1/tasks…``, ``/api/v1/registers…``), so the OpenAPI document describes
every response. Field names are the JSON keys the API has always sent."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict


class Out(BaseModel):
    """A view result: the declared fields, and any others a service adds kept as they are
    (so a new service field reaches the API without being cut off)."""

    model_config = ConfigDict(extra="allow")


class Evidence(Out):
    """An evidence file of a report (its download address: ``url``, in the API)."""

    file_name: str
    sha256: str
    size: int
    mime: str
    url: str | None = None


class TaskReport(Out):
    """A progress report on a task."""

    id: int
    task: str
    period: str
    status: str
    status_label_zh: str
    status_label_en: str
    progress: float
    narrative: str | None = None
    delay_reason: str | None = None
    delay_count: int = 0
    reported_by: str | None = None
    reported_at: str
    synthetic: bool = False
    evidence: list[Evidence] = []


class MilestoneDue(Out):
    """A milestone of a task: its code and due date (ISO)."""

    code: str
    due: str


class Milestone(MilestoneDue):
    """A milestone of a task and whether it is done."""

    done: bool


class TaskItem(Out):
    """A task on the board: its latest report, automatic states and milestones."""

    code: str
    title: str
    title_en: str | None = None
    programme: str
    lead: str | None = None
    lead_name: str | None = None
    co_units: list[str] = []
    co_unit_names: list[str] = []
    weight: float | None = None
    latest: TaskReport | None = None
    states: list[str] = []
    state_labels: list[str] = []
    overdue_milestones: list[MilestoneDue] = []
    milestones: list[Milestone] = []


class ProgrammeProgress(Out):
    """A programme's progress (the whole plan's) and the principal's tasks on it."""

    code: str
    progress: float | None = None
    title: str = ""
    title_en: str | None = None
    tasks: int = 0
    flagged: int = 0


class Choice(Out):
    """A code and its name (a filter's choice)."""

    code: str
    name: str


class StatusChoice(Out):
    """A task status code with its labels."""

    code: str
    zh: str
    en: str


class BoardFilters(Out):
    """The filters a board was asked with."""

    owner: str | None = None
    status: str | None = None
    overdue: bool = False


class TaskBoard(Out):
    """The task board limited to the principal's tasks, with the plan's roll-up."""

    period: str
    today: str
    plan_progress: float | None = None
    programmes: list[ProgrammeProgress] = []
    tasks: list[TaskItem] = []
    summary: dict[str, int] = {}
    owners: list[Choice] = []
    filters: BoardFilters = BoardFilters()
    statuses: list[StatusChoice] = []


class TaskBoardPage(Out):
    """The board in the API: its numbers, with the tasks paginated as ``items``."""

    period: str
    today: str
    plan_progress: float | None = None
    programmes: list[ProgrammeProgress] = []
    summary: dict[str, int] = {}
    owners: list[Choice] = []
    filters: BoardFilters = BoardFilters()
    statuses: list[StatusChoice] = []
    items: list[TaskItem]
    total: int
    page: int
    size: int
    synthetic: bool = False  # the database holds generated (demo) data


class Reminder(Out):
    """A reminder (督办) sent to a unit about a task."""

    unit: str
    period: str
    reasons: list[str] = []
    note: str | None = None
    reminded_by: str
    reminded_at: str


class Comment(Out):
    """A leader's comment (批示) on a task."""

    task: str
    author: str
    text: str
    at: str | None = None


class TaskMilestone(Milestone):
    """A milestone on a task's page: with its title, year and whether it is overdue."""

    title: str = ""
    title_en: str | None = None
    year: int | None = None
    overdue: bool = False


class TaskTarget(Out):
    """A quantitative target of a task and its status (:func:`list_targets`)."""


class Permissions(Out):
    """What the principal may do with a task."""

    report: bool
    comment: bool
    manage: bool


class TaskDetail(TaskItem):
    """A task's page: texts, owners, milestones, targets, history, comments, reminders."""

    text: str | None = None
    note: str | None = None
    programme_title: str = ""
    programme_title_en: str | None = None
    milestones: list[TaskMilestone] = []  # type: ignore[assignment]
    targets: list[TaskTarget] = []
    history: list[TaskReport] = []
    comments: list[Comment] = []
    reminders: list[Reminder] = []
    current_period: str
    may: Permissions
    units: list[Choice] = []


class ReportPage(Out):
    """A task's reports, newest first, paginated."""

    items: list[TaskReport]
    total: int
    page: int
    size: int
    synthetic: bool = False  # the database holds generated (demo) data


class Assignment(Out):
    """A task's owners after a change, and whether anything changed."""

    task: str
    lead: str | None
    co_units: list[str]
    changed: bool


class MilestoneSaved(Out):
    """A milestone added or edited."""

    task: str
    milestone: str
    done: bool | None = None


class OverdueMilestone(MilestoneDue):
    """An overdue milestone on the supervision list: its title and days overdue."""

    title: str = ""
    days_overdue: int | None = None


class SupervisedTask(Out):
    """A task on the supervision list, with the reminders already sent."""

    code: str
    title: str
    states: list[str] = []
    state_labels: list[str] = []
    state_labels_zh: list[str] = []
    latest: TaskReport | None = None
    overdue_milestones: list[OverdueMilestone] = []
    reminders: list[Reminder] = []


class SupervisedUnit(Out):
    """A responsible unit and its tasks to supervise."""

    unit: str
    unit_name: str
    tasks: list[SupervisedTask]


class Supervision(Out):
    """督办: per responsible unit, the visible tasks overdue, silent or behind."""

    period: str
    today: str
    units: list[SupervisedUnit]
    may_remind: bool = False
    tasks_total: int | None = None  # tasks of the plan judged
    synthetic: bool = False  # the database holds generated (demo) data
    issuer: str | None = None
    plan_title: str | None = None


class ReminderSent(Out):
    """A reminder recorded for one task."""

    task: str
    unit: str
    reasons: list[str]


class Reminders(Out):
    """The reminders recorded for a unit (empty: nothing to remind it of)."""

    unit: str
    reminded: list[ReminderSent]


class EvidenceFile(BaseModel):
    """An evidence file to download: path on disk, name, size and the type to send."""

    path: Path
    file_name: str
    size: int
    mime: str
