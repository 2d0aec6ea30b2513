"""Enterprise R&D: one enterprise's record and diagnosis against its peers, policy
calculations, and the work lists (5 % priority, visits, innovation points, doubling).

Public: ``diagnosis`` (``show``, ``diagnose``, ``policy_calc``, ``rules_summary``),
``lists`` (``priority``, ``visit``, ``points``, ``doubling``, ``write_xlsx``); their typed
results in ``results``."""

from yanzhi.services.enterprises import diagnosis, lists, results

__all__ = ["diagnosis", "lists", "results"]
