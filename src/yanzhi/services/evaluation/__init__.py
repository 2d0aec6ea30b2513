"""The composite index: the township and district evaluation of a plan, and the
COINr-equivalent builds, uncertainty and sensitivity runs of any framework.

Public: ``evaluate`` (``evaluate``, ``EvaluationResult``, ``register_counts``),
``composite`` (``run_build``, ``run_uncertainty``, ``run_sensitivity``,
``run_remove_elements``)."""

from yanzhi.services.evaluation import composite, evaluate

__all__ = ["composite", "evaluate"]
