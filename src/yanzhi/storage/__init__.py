"""storage layer: the SQL system of record."""

# every table on Base.metadata
from yanzhi.storage import (  # noqa: F401
    assessmodels,
    casemodels,
    datamodels,
    exchangemodels,
    models,
    notifymodels,
    taskmodels,
    usermodels,
)
