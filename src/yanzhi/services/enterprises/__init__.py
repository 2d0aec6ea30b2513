"""Enterprise R&D: one enterprise's record and diagnosis against its peers, policy
calculations, and the work lists (5 % priority, visits, innovation points, doubling).

Public: ``diagnosis`` (``show``, ``diagnose``, ``policy_calc``, ``rules_summary``),
``lists`` (``priority``, ``visit``, ``points``, ``doubling``, ``write_xlsx``)."""

from yanzhi.services.enterprises import diagnosis, lists

__all__ = ["diagnosis", "lists"]
