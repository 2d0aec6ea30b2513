"""What the web tests of the indicator, unit and cockpit areas share: the district the demo
accounts sit in, their townships, and a service status as the JSON the API gives."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import Site

from yanzhi.services.monitoring import status
from yanzhi.services.plan import orgunits

DISTRICT = "330212"


def own_town(site: Site) -> str:
    """The township officer's township."""
    return str(site.accounts["township"]["unit"])


def other_town(site: Site) -> str:
    """Another township of the same district (a sibling the township officer may not see)."""
    tree = orgunits.org_tree(site.engine)
    return next(u.code for u in tree.children(DISTRICT) if u.code != own_town(site))


def other_district(site: Site) -> str:
    """A district other than the demo accounts' one."""
    tree = orgunits.org_tree(site.engine)
    return next(u.code for u in tree.by_level("district") if u.code != DISTRICT)


def by_code(rows: list[dict[str, Any]], key: str = "indicator") -> dict[str, dict[str, Any]]:
    """Rows by their code."""
    return {r[key]: r for r in rows}


def status_of(site: Site, **kwargs: Any) -> dict[str, Any]:
    """monitoring.status.status as a plain dictionary (what the API answers)."""
    return status.status(site.engine, **kwargs).to_dict()
