"""How background work is declared.

:func:`tenant_task` turns ``fn(tenant_id, *plain_ids)`` into a Celery task that enters the tenant
scope, calls ``fn``, and leaves the scope in ``finally``. Arguments are JSON (ids, not objects).
Tasks are acknowledged late and rejected if the worker dies, so they must be safe to run twice.

:func:`enqueue_on_commit` sends a task only after the current transaction commits, so a worker
never looks for a row that is not there yet, and a rolled-back request sends nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from celery import shared_task
from django.db import transaction

from ecosystem.tenancy.context import tenant_context


def tenant_task(
    *,
    time_limit: int = 15 * 60,
    soft_time_limit: int | None = None,
    atomic: bool = True,
    queue: str | None = None,
    **options: Any,
) -> Callable:
    """Declare a tenant task. ``atomic=False`` for long jobs that commit progress as they go."""

    def decorator(fn: Callable) -> Any:
        @functools.wraps(fn)
        def run(tenant_id: int, *args: Any, **kwargs: Any) -> Any:
            if not isinstance(tenant_id, int):
                raise TypeError(f"{fn.__name__}: tenant_id must be the first argument, an int")
            with tenant_context(tenant_id, atomic=atomic):
                return fn(tenant_id, *args, **kwargs)

        task_options = {
            "acks_late": True,
            "reject_on_worker_lost": True,
            "time_limit": time_limit,
            "soft_time_limit": soft_time_limit or max(time_limit - 30, 1),
            **options,
        }
        if queue:
            task_options["queue"] = queue
        task = shared_task(name=f"{fn.__module__}.{fn.__name__}", **task_options)(run)
        task.is_tenant_task = True
        return task

    return decorator


def platform_task(**options: Any) -> Callable:
    """A task over the whole platform (e.g. a sweep that fans out one tenant task per tenant)."""

    def decorator(fn: Callable) -> Any:
        task = shared_task(name=f"{fn.__module__}.{fn.__name__}", acks_late=True, reject_on_worker_lost=True, **options)(fn)
        task.is_tenant_task = False
        return task

    return decorator


def enqueue_on_commit(task: Any, tenant_id: int, *args: Any, using: str = "default") -> None:
    """Send ``task(tenant_id, *args)`` after the surrounding transaction commits."""
    transaction.on_commit(lambda: task.apply_async(args=[tenant_id, *args]), using=using)
