"""The current tenant scope: a ContextVar for the application, transaction-local settings for the database.

Two layers fail closed independently:

* the application layer reads :func:`current_scope` in every tenant model's default manager, which
  raises :class:`TenantScopeError` when no tenant is set;
* the database layer reads ``app.tenant_id`` / ``app.partner_id`` / ``app.user_id`` in row-level
  security policies. They are set with ``set_config(..., true)``, i.e. for the current transaction
  only, so a pooled connection never carries one request's tenant into the next.

Row-level security only sees settings made in the same transaction, so :func:`tenant_context`
always opens one (a savepoint when a transaction is already open).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace

from django.db import connections, transaction


class TenantScopeError(RuntimeError):
    """Tenant data was touched outside a tenant scope (or across two). Always a programming error."""


@dataclass(frozen=True)
class TenantScope:
    tenant_id: int
    partner_id: int | None = None
    user_id: int | None = None


_scope: ContextVar[TenantScope | None] = ContextVar("tenant_scope", default=None)


def current_scope() -> TenantScope | None:
    return _scope.get()


def require_tenant_id() -> int:
    scope = _scope.get()
    if scope is None:
        raise TenantScopeError(
            "No tenant in scope. Enter one with tenant_context(), or use .unscoped() in platform code "
            "with a comment that says why."
        )
    return scope.tenant_id


def _apply_database_settings(scope: TenantScope | None, *, using: str) -> None:
    def text(value: int | None) -> str:
        return "" if value is None else str(value)

    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT set_config('app.tenant_id', %s, true), set_config('app.partner_id', %s, true), "
            "set_config('app.user_id', %s, true)",
            [
                text(scope.tenant_id if scope else None),
                text(scope.partner_id if scope else None),
                text(scope.user_id if scope else None),
            ],
        )


@contextmanager
def tenant_context(
    tenant_id: int,
    *,
    partner_id: int | None = None,
    user_id: int | None = None,
    atomic: bool = True,
    using: str = "default",
) -> Iterator[TenantScope]:
    """Run the block as ``tenant_id`` (and, for partner users, as ``partner_id``).

    With ``atomic=True`` (the default, used by views and ordinary tasks) the block runs in one
    transaction whose first statement sets the row-level security settings. Long jobs pass
    ``atomic=False`` and open :func:`tenant_atomic` blocks themselves, so progress commits as it goes.
    """
    if tenant_id is None:
        raise TenantScopeError("tenant_context() needs a tenant id")
    previous = _scope.get()
    if previous is not None and previous.tenant_id != tenant_id:
        raise TenantScopeError("Refusing to nest a scope for another tenant inside a tenant scope")
    scope = TenantScope(tenant_id=int(tenant_id), partner_id=partner_id, user_id=user_id)
    token = _scope.set(scope)
    try:
        if atomic:
            with tenant_atomic(using=using):
                yield scope
        else:
            yield scope
    finally:
        _scope.reset(token)
        _restore_outer_settings(previous, using=using)


@contextmanager
def tenant_atomic(*, using: str = "default") -> Iterator[None]:
    """A transaction (or savepoint) that carries the current scope to the database."""
    scope = _scope.get()
    if scope is None:
        raise TenantScopeError("tenant_atomic() outside tenant_context()")
    with transaction.atomic(using=using):
        _apply_database_settings(scope, using=using)
        yield


def restrict_to_partner(partner_id: int) -> TenantScope:
    """Narrow the current scope to one partner organisation, in the application and in the database."""
    scope = _scope.get()
    if scope is None:
        raise TenantScopeError("restrict_to_partner() outside tenant_context()")
    if scope.partner_id not in (None, partner_id):
        raise TenantScopeError("Refusing to switch partner inside a partner scope")
    narrowed = replace(scope, partner_id=partner_id)
    _scope.set(narrowed)  # undone by tenant_context's reset
    if connections["default"].in_atomic_block:
        _apply_database_settings(narrowed, using="default")
    return narrowed


@contextmanager
def across_partners(*, reason: str, using: str = "default") -> Iterator[TenantScope]:
    """Inside a partner user's scope, read and write the whole tenant for one decision, then narrow again.

    For services that must see every partner's rows to decide something for the caller (is this
    customer already registered? which partner gets this lead?) and that never hand those rows
    back. ``reason`` is required so every use says why, next to the call; grep for it. Outside a
    partner scope this changes nothing.
    """
    if not reason:
        raise TenantScopeError("across_partners() needs a reason")
    scope = _scope.get()
    if scope is None:
        raise TenantScopeError("across_partners() outside tenant_context()")
    if scope.partner_id is None:
        yield scope
        return
    wide = replace(scope, partner_id=None)
    token = _scope.set(wide)
    try:
        with transaction.atomic(using=using):
            _apply_database_settings(wide, using=using)
            yield wide
    finally:
        _scope.reset(token)
        _restore_outer_settings(scope, using=using)


@contextmanager
def user_context(user_id: int, *, using: str = "default") -> Iterator[None]:
    """A transaction in which the database lets a signed-in user read their own memberships.

    No tenant is set: every tenant table reads as empty except the user's own membership rows
    (the ``membership_self`` policy), which is what a tenant switcher needs.
    """
    with transaction.atomic(using=using):
        with connections[using].cursor() as cursor:
            cursor.execute(
                "SELECT set_config('app.tenant_id', '', true), set_config('app.partner_id', '', true), "
                "set_config('app.user_id', %s, true)",
                [str(user_id)],
            )
        try:
            yield
        finally:
            # Inside a tenant request, put the tenant's settings back for the rest of it.
            if connections[using].in_atomic_block and not connections[using].needs_rollback:
                _apply_database_settings(_scope.get(), using=using)


def _restore_outer_settings(previous: TenantScope | None, *, using: str) -> None:
    """Inside a longer transaction (tests, nested scopes) put the outer settings back.

    ``set_config(..., true)`` lasts until the end of the *transaction*, not of a released
    savepoint, so without this a scope would outlive its ``with`` block inside an outer transaction.
    """
    connection = connections[using]
    if connection.connection is None or not connection.in_atomic_block or connection.needs_rollback:
        return
    _apply_database_settings(previous, using=using)
