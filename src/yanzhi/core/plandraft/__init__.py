"""Draft a plan file from the text of a policy document (issue #22): pure text rules.

``normalise`` cleans the extracted text, ``structure`` finds the title, period, issuer,
sections, programmes, tasks and guarantee measures, ``targets`` the numeric targets and
landmark results, ``catalogue`` matches indicator names to known indicators, and
``draft`` assembles the plan document with the span and confidence of every element.
"""

from yanzhi.core.plandraft.catalogue import Catalogue, CatalogueEntry
from yanzhi.core.plandraft.draft import Draft, Element, draft_plan
from yanzhi.core.plandraft.normalise import normalise

__all__ = ["Catalogue", "CatalogueEntry", "Draft", "Element", "draft_plan", "normalise"]
