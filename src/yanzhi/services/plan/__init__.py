"""The plan and its territory: plan files (validate, load, show) and the org-unit tree.

Public: ``files`` (``validate_plan_file`` → ``ValidationReport``, ``load_plan_file`` →
``LoadResult``, ``show_plan``), ``summary`` (``plan_summary`` → ``PlanSummary``),
``orgunits`` (``list_units`` → ``UnitRow``, ``org_tree``)."""

from yanzhi.services.plan import files, orgunits, summary

__all__ = ["files", "orgunits", "summary"]
