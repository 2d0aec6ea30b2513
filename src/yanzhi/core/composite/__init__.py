"""Composite-index engine: a Python equivalent of COINr 1.1.14 (EU JRC).

Pure core layer (numpy / pandas / scipy only). Entry points: :func:`new_build` (validate
iData + iMeta), :func:`build` (run a spec), then the results, analysis and robustness helpers.
"""

from .aggregate import aggregate, aggregate_block, effective_weights
from .errors import CompositeInputError, Issue
from .model import CompositeBuild, new_build
from .normalise import normalise
from .pipeline import BuildResult, build, regenerate
from .prepare import denominate, impute, screen
from .spec import DEFAULT_SPEC, resolve_spec
from .treat import treat, winsorise

__all__ = [
    "DEFAULT_SPEC",
    "BuildResult",
    "CompositeBuild",
    "CompositeInputError",
    "Issue",
    "aggregate",
    "aggregate_block",
    "build",
    "denominate",
    "effective_weights",
    "impute",
    "new_build",
    "normalise",
    "regenerate",
    "resolve_spec",
    "screen",
    "treat",
    "winsorise",
]
