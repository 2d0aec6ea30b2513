"""Who is asking and what they may do: the principal (role + scope), the scope rules,
accounts, sessions and API tokens.

Public: ``principal`` (``Principal``, ``Role``, ``ROLES``), ``scope`` (the rules: ``can``,
``require``, ``org_scope`` …), ``users`` (accounts, login, sessions, tokens)."""

from yanzhi.services.access import principal, scope, users

__all__ = ["principal", "scope", "users"]
