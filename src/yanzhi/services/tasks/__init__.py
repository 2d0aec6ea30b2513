"""The plan's key tasks and what they count: task updates, supervision, comments and
assignments; the quantitative task targets; the registers (labs, scenarios, the three
lists …).

Public: ``updates`` (``report``, ``board``, ``supervise``, ``remind`` …), ``targets``
(``list_targets``, ``statuses_by_task``), ``registers`` (``import_register``,
``list_register``, ``counts``)."""

from yanzhi.services.tasks import registers, targets, updates

__all__ = ["registers", "targets", "updates"]
