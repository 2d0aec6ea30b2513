"""The SYNTHETIC demo: the calibrated panel written as real import files and imported
through the same path as a bureau's files, demo tasks and registers, demo accounts.

Public: ``panel`` (``load``, ``build``, ``summary``), ``tasks`` (``load``), ``accounts``
(``create``, ``scopes``)."""

from yanzhi.services.demo import accounts, panel, tasks

__all__ = ["accounts", "panel", "tasks"]
