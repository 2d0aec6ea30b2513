"""Use cases, one package per domain of the plan; the only place where storage meets core.

``access`` (who is asking), ``plan`` (plan files, org units), ``collection`` (imports,
checks, submission workflow), ``monitoring`` (indicator values, statuses, forecasts,
attribution, warnings), ``evaluation`` (composite index), ``tasks`` (task updates,
targets, registers), ``enterprises`` (diagnosis, policy, lists), ``demo`` (the synthetic
demo); ``database`` opens, creates and migrates the database. The view layer
(``yanzhi.views``) shapes these results for each screen and document."""
