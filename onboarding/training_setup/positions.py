"""Keeping rows in order: positions (modules and questions of a course, courses of a path) stay 1..n
and unique. Rows are locked, then renumbered in two steps (:func:`_renumber`) so the unique
(tenant, parent, position) constraints never see two rows on one position.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import models
from django.db.models import F
from django.utils.translation import gettext as _

from ecosystem.errors import ApplicationError

UP, DOWN = "up", "down"


def _renumber(rows: Sequence[models.Model]) -> None:
    """Give ``rows`` (every row of one parent, locked, in their new order) positions 1..n.

    Two statements, because the unique (tenant, parent, position) constraint is checked row by row:
    first every row moves above all current positions, then each takes its final place, which no
    other row holds any more.
    """
    if not rows:
        return
    model = type(rows[0])
    above = max(row.position for row in rows) + 1
    model.objects.filter(pk__in=[row.pk for row in rows]).update(position=F("position") + above)
    for index, row in enumerate(rows, start=1):
        row.position = index
    model.objects.bulk_update(rows, ["position"])


def _moved(rows: list, target: models.Model, direction: str) -> list | None:
    """``rows`` with ``target`` swapped with its neighbour, or None when it cannot go further."""
    if direction not in (UP, DOWN):
        raise ApplicationError(_("Move a row up or down."), code="invalid_choice", field="direction")
    index = next(i for i, row in enumerate(rows) if row.pk == target.pk)
    other = index - 1 if direction == UP else index + 1
    if not 0 <= other < len(rows):
        return None
    rows = list(rows)
    rows[index], rows[other] = rows[other], rows[index]
    return rows
