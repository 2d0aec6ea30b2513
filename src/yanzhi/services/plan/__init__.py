"""The plan and its territory: plan files (validate, load, show) and the org-unit tree.

Public: ``files`` (``validate_plan_file``, ``load_plan_file``, ``show_plan``,
``plan_summary``), ``orgunits`` (``list_units``, ``org_tree``)."""

from yanzhi.services.plan import files, orgunits

__all__ = ["files", "orgunits"]
