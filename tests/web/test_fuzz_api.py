"""Fuzzing the JSON API from its own OpenAPI document (schemathesis): whatever the input,
no operation answers with a server error, and every response matches the schema the
operation declares. Runs as an admin API token, so every operation is reached past the
permission check; on every database of YANZHI_TEST_DATABASES."""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance
from tests.web.conftest import Site

from yanzhi.services.access import users
from yanzhi.services.access.principal import Principal

FUZZ_USER = "fz-q7x3-admin"  # an unlikely name, so the fuzzer never edits its own account
ADMIN = Principal(FUZZ_USER, "admin")

# Left out because they would end the fuzzing user's access half-way, not because they
# are fragile: logging out, and revoking tokens (token ids are small integers, so the
# fuzzer would soon revoke its own).
DESTRUCTIVE = [("POST", "/auth/logout"), ("DELETE", "/tokens/{token_id}")]


@pytest.fixture(scope="module")
def fuzz_token(site: Site) -> str:
    """An API token of an admin account made for the fuzzing alone."""
    users.create_user(
        site.engine, username=FUZZ_USER, password="fuzz-pass-123", role="admin", actor="test"
    )
    made = users.create_token(site.engine, FUZZ_USER, name="fuzz", actor=ADMIN)
    return made.token


def _schema() -> Any:
    from yanzhi.web.api import create_api

    document = create_api().openapi()  # the same document /api/v1/openapi.json serves
    document["servers"] = [{"url": "/api/v1"}]
    config = SchemathesisConfig.from_dict(
        {
            "generation": {"mode": "all", "max-examples": 20, "unique-inputs": True},
            "phases": {"coverage": {"enabled": False}},
            "request-timeout": 120,
        }
    )
    loaded = schemathesis.openapi.from_dict(document, config=config)
    for method, path in DESTRUCTIVE:
        loaded = loaded.exclude(method=method, path=path)
    return loaded


schema = _schema()
# CI replays the same cases every run (a failure is the code's, not the draw's); set
# YANZHI_FUZZ_RANDOM=1 to explore new inputs (hypothesis prints how to replay a find).
DERANDOMIZE = os.environ.get("YANZHI_FUZZ_RANDOM") != "1"


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    print_blob=True,
    derandomize=DERANDOMIZE,
)
@schema.parametrize()
def test_api_never_fails_on_odd_input(case: Any, site: Site, fuzz_token: str) -> None:
    case.call_and_validate(
        app=site.app,
        headers={"Authorization": f"Bearer {fuzz_token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )


ROLE_ACCOUNTS = ("analyst", "district", "township", "leader", "owner", "enterprise")
"""The demo accounts of the other six roles (tests/web/conftest.py)."""


@pytest.fixture(scope="module")
def role_tokens(site: Site) -> dict[str, str]:
    """An API token of each of the six non-admin demo accounts."""
    out = {}
    for name in ROLE_ACCOUNTS:
        acc = site.accounts[name]
        who = Principal(name, acc["role"], acc.get("unit"), acc.get("enterprise"))
        out[name] = users.create_token(site.engine, name, name="fuzz", actor=who).token
    return out


@pytest.mark.parametrize("account", ROLE_ACCOUNTS)
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    print_blob=True,
    derandomize=DERANDOMIZE,
)
@schema.parametrize()
def test_api_never_fails_on_odd_input_whatever_the_role(
    case: Any, site: Site, role_tokens: dict[str, str], account: str
) -> None:
    """The same, as each other role: the permission checks themselves never fail with a
    server error, whatever the input (each role reaches its own paths and parameters)."""
    case.call_and_validate(
        app=site.app,
        headers={"Authorization": f"Bearer {role_tokens[account]}"},
        checks=[not_a_server_error, response_schema_conformance],
    )


def test_the_fuzzed_document_is_the_one_served(site: Site) -> None:
    served = site.anonymous().get("/api/v1/openapi.json").json()
    assert set(served["paths"]) == set(schema.raw_schema["paths"])
