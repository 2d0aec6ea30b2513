"""The reports area: which documents a principal may download (``catalogue``) and the
data behind the monthly bulletin (``bulletin``) and the district report (``district``)."""
