"""storage layer: the SQL system of record."""

from yanzhi.storage import datamodels, models, taskmodels  # noqa: F401  (every table on Base.metadata)
