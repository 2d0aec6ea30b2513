"""Modules imported when first used: the CLI names its services at the top of each
command module but imports them (with SciPy, Polars, pandas, SQLAlchemy and matplotlib
behind them) only when a command touches one, so ``yanzhi --help`` and ``yanzhi version``
start at once. Each command module writes::

    if TYPE_CHECKING:
        from yanzhi.services.monitoring import status
    else:
        status = lazy("yanzhi.services.monitoring.status")

so that the type checker sees the real module."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class _Lazy:
    __slots__ = ("_module", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attr)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


def lazy(name: str) -> Any:
    """The module ``name``, imported on the first attribute read."""
    return _Lazy(name)
