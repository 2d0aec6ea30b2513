"""The plan's key tasks and what they count: progress reports and the board, supervision,
comments, owners and milestones; the quantitative task targets; the registers (labs,
scenarios, the three lists …).

Public: ``updates`` (``report``, ``history``, ``board``, ``current_period``),
``supervision`` (``supervise``, ``remind``), ``comments`` (``comment``, ``comments``),
``owners`` (``assign``, ``set_milestone``), ``targets`` (``list_targets``,
``statuses_by_task``), ``registers`` (``import_register``, ``list_register``, ``counts``)."""

from yanzhi.services.tasks import comments, owners, registers, supervision, targets, updates

__all__ = ["comments", "owners", "registers", "supervision", "targets", "updates"]
