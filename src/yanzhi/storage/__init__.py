"""storage layer: the SQL system of record."""

# every table on Base.metadata
from yanzhi.storage import datamodels, models, notifymodels, taskmodels, usermodels  # noqa: F401
