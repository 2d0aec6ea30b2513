"""The monthly data desk's use cases: importing files (enterprise register, YTD R&D
reports, statistics) with their checks, the import templates, and the submission →
approval → unlock workflow with completeness.

Public: ``imports`` (``import_file``, ``ImportReport`` — created / updated / unchanged),
``kinds`` (``IMPORTERS``: each import kind's checks and writer), ``checks`` (the context
checks of an import), ``templates`` (``write_template``), ``workflow`` (``transition``,
``approve_all``, ``completeness``, ``unit_status``)."""

from yanzhi.services.collection import checks, imports, kinds, templates, workflow

__all__ = ["checks", "imports", "kinds", "templates", "workflow"]
