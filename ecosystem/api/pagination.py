"""The API's pages: cursors over indexed rows (``CreatedCursorPagination``, the default), over computed
lists that a single SQL statement measures (``KeysetPagination``) and over querysets ordered by values that
tie, such as scores, dates or aggregated rows (``KeyedCursorPagination``)."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.utils.urls import remove_query_param


class CreatedCursorPagination(CursorPagination):
    """Newest first. Cursor pages stay stable while rows are added, and cost one indexed query."""

    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200


class Keyset(Protocol):
    """A computed list that pages by a unique, total key (``KeysetPagination``'s side of the bargain)."""

    def page(self, *, after: tuple | None, before: tuple | None, limit: int, descending: bool) -> list:
        """At most ``limit`` rows strictly after ``after`` (or strictly before ``before``, the nearest ones),
        in the list's order (by key, descending or not)."""

    def key_of(self, row) -> list:
        """The row's key as JSON values (what a cursor carries)."""

    def read_key(self, values: Any) -> tuple:
        """The key back from a cursor's JSON values; ``ValueError``/``TypeError`` when it is not one."""


class KeysetPagination(CursorPagination):
    """Cursor pages over a computed list (rows measured by one SQL statement, no model to order by).

    The list pages by a key that orders it totally (``Keyset``): the next page is the rows after the last
    row's key (``WHERE (key) < (last key)``), never an OFFSET, and no COUNT is run. The cursor is DRF's
    (base64, ``p`` the key as JSON, ``r`` for backwards), so a tampered one answers 404 "Invalid cursor"
    exactly as on the other lists. ``?ordering=`` takes ``ordering_field`` or ``-ordering_field`` (the key's
    leading column as the API names it); anything else answers 400 ``invalid_ordering``, as
    ``StrictOrderingFilter`` does. A view using it has no filter backends: its ordering is here.
    """

    ordering_field = ""  # e.g. "started"
    default_descending = True
    ordering_param = "ordering"
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset: Keyset, request, view=None) -> list:
        self.request = request
        self.base_url = request.build_absolute_uri()
        self.page_size = self.get_page_size(request)
        descending = self.get_descending(request)
        cursor = self.decode_cursor(request)
        position = None
        if cursor is not None:
            try:
                position = queryset.read_key(json.loads(cursor.position))
            except (TypeError, ValueError) as error:
                raise exceptions.NotFound(self.invalid_cursor_message) from error
        backwards = cursor is not None and cursor.reverse
        rows = queryset.page(
            after=None if backwards else position,
            before=position if backwards else None,
            limit=self.page_size + 1,
            descending=descending,
        )
        more = len(rows) > self.page_size
        if backwards:
            rows = rows[1:] if more else rows  # the extra row is the farthest from the key: the first
            has_next, has_previous = True, more
        else:
            rows = rows[: self.page_size]
            has_next, has_previous = more, position is not None
        self._next = self._link(queryset, rows[-1] if rows else None, reverse=False) if has_next else None
        self._previous = self._link(queryset, rows[0] if rows else None, reverse=True) if has_previous else None
        self.display_page_controls = has_next or has_previous  # the browsable API's links
        return rows

    def _link(self, keyset: Keyset, row, *, reverse: bool) -> str:
        if row is None:  # the rows around the cursor are gone: start again from the first page
            return remove_query_param(self.base_url, self.cursor_query_param)
        position = json.dumps(keyset.key_of(row), separators=(",", ":"))
        return self.encode_cursor(Cursor(offset=0, reverse=reverse, position=position))

    def get_next_link(self) -> str | None:
        return self._next

    def get_previous_link(self) -> str | None:
        return self._previous

    def get_descending(self, request) -> bool:
        """``?ordering=``: the first of its comma-separated terms (blank: the default order)."""
        terms = [term.strip() for term in request.query_params.get(self.ordering_param, "").split(",") if term.strip()]
        unknown = [term for term in terms if term.removeprefix("-") != self.ordering_field]
        if unknown:
            detail = _("Unknown ordering: %(unknown)s. Order by one of: %(valid)s.") % {
                "unknown": ", ".join(unknown),
                "valid": self.ordering_field,
            }
            raise exceptions.ValidationError({self.ordering_param: [exceptions.ErrorDetail(detail, code="invalid_ordering")]})
        return terms[0].startswith("-") if terms else self.default_descending

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": f"Order by {self.ordering_field} (comma-separated; prefix - for descending). "
                "An unknown field answers 400 invalid_ordering.",
                "schema": {"type": "string"},
            },
        ]


class KeyedCursorPagination(CursorPagination):
    """Cursor pages over a queryset ordered by values that tie (a score, a date, a name), ending in a unique key.

    DRF's ``CursorPagination`` remembers the first term's value plus an OFFSET among the rows sharing it, capped
    at 1,000: a list whose first term ties more often than that (every open deal ends on the period's last day)
    would repeat rows. This cursor carries the value of every term of the order, and the next page is the rows
    after them: ``(total, partner_name, id) > (41.5, 'Acme', 907)``, written ``total > 41.5 OR (total = 41.5 AND
    (partner_name > 'Acme' OR (...)))``. Ties of any size walk once, with no OFFSET and no COUNT; floats travel
    as JSON numbers (their exact repr).

    ``ordering`` is the default order and its last term is unique (``"id"``, ``"registration_id"``). A
    ``?ordering=`` (validated by the view's ``StrictOrderingFilter``) names the leading terms; the default
    order follows as the tie-breaker. Terms may be columns, annotations, ``values()`` keys or paths
    (``partner__name``); nulls sort as in PostgreSQL (last ascending, first descending). A cursor that does
    not fit the order answers 404 "Invalid cursor", as on the other lists.
    """

    page_size_query_param = "page_size"
    max_page_size = 200

    def order_for(self, terms: tuple[str, ...]) -> tuple[str, ...]:
        """The whole order for the reader's checked ``?ordering=`` terms (the view's default when none):
        the terms, then the default order as the tie-breaker. A list whose reader-facing names are not
        its columns (``tier`` sorting by a rank) maps them here."""
        named = {term.lstrip("-") for term in terms}
        return terms + tuple(term for term in type(self).ordering if term.lstrip("-") not in named)

    def get_ordering(self, request, queryset, view) -> tuple[str, ...]:
        terms: tuple[str, ...] = ()
        for backend in getattr(view, "filter_backends", ()):
            if isinstance(backend, type) and issubclass(backend, OrderingFilter):  # checks ?ordering= (400 if unknown)
                terms = tuple(backend().get_ordering(request, queryset, view) or ())
                break
        return self.order_for(terms)

    def paginate_queryset(self, queryset: QuerySet, request, view=None) -> list | None:
        self.request = request
        self.page_size = self.get_page_size(request)
        if not self.page_size:
            return None
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        self.cursor = self.decode_cursor(request)
        reverse = self.cursor is not None and self.cursor.reverse
        values = None if self.cursor is None else self._read_position(self.cursor.position)
        order = tuple(term[1:] if term.startswith("-") else f"-{term}" for term in self.ordering) if reverse else self.ordering
        queryset = queryset.order_by(*order)
        if values is not None:
            try:
                queryset = queryset.filter(_after(order, values))
            except (TypeError, ValueError, DjangoValidationError) as error:  # a value its column cannot read
                raise exceptions.NotFound(self.invalid_cursor_message) from error
        rows = list(queryset[: self.page_size + 1])
        more = len(rows) > self.page_size
        self.page = rows[: self.page_size]
        if reverse:
            self.page.reverse()
            self.has_next, self.has_previous = True, more
        else:
            self.has_next, self.has_previous = more, values is not None
        self.display_page_controls = self.has_next or self.has_previous
        return self.page

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        if not self.page:  # the rows around the cursor are gone: start again from the first page
            return remove_query_param(self.base_url, self.cursor_query_param)
        return self._link(self.page[-1], reverse=False)

    def get_previous_link(self) -> str | None:
        if not self.has_previous:
            return None
        if not self.page:
            return remove_query_param(self.base_url, self.cursor_query_param)
        return self._link(self.page[0], reverse=True)

    def _link(self, row, *, reverse: bool) -> str:
        values = [_json_value(_value_of(row, term.lstrip("-"))) for term in self.ordering]
        position = json.dumps({"o": list(self.ordering), "v": values}, separators=(",", ":"))
        return self.encode_cursor(Cursor(offset=0, reverse=reverse, position=position))

    def _read_position(self, position: str | None) -> list:
        """The values of a cursor made for this order; 404 "Invalid cursor" for anything else."""
        try:
            found = json.loads(position or "")
        except ValueError:
            found = None
        values = found.get("v") if isinstance(found, dict) and found.get("o") == list(self.ordering) else None
        if not isinstance(values, list) or len(values) != len(self.ordering):
            raise exceptions.NotFound(self.invalid_cursor_message)
        if not all(value is None or isinstance(value, (bool, int, float, str)) for value in values):
            raise exceptions.NotFound(self.invalid_cursor_message)
        return values


def _value_of(row, path: str) -> Any:
    """A term's value in a row: a ``values()`` key, an attribute, or a path through relations."""
    if isinstance(row, dict):
        return row[path]
    value = row
    for part in path.split(LOOKUP_SEP):
        if value is None:
            break
        value = getattr(value, part)
    return value


def _json_value(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.time)):  # a datetime too, its microseconds kept
        return value.isoformat()
    if isinstance(value, (Decimal, UUID)):
        return str(value)
    return value


def _after(order: tuple[str, ...], values: list) -> Q:
    """The rows strictly after ``values`` in ``order``: lexicographic, each term in its own direction."""
    after: Q | None = None  # after on the terms that follow: nothing once the last (unique) term ties too
    for term, value in reversed(list(zip(order, values, strict=True))):
        name, descending = term.lstrip("-"), term.startswith("-")
        if value is None:  # nulls come last ascending (nothing after them) and first descending (all after them)
            beyond = Q(**{f"{name}__isnull": False}) if descending else None
            tie = Q(**{f"{name}__isnull": True})
        else:
            beyond = Q(**{f"{name}__lt": value}) if descending else Q(**{f"{name}__gt": value}) | Q(**{f"{name}__isnull": True})
            tie = Q(**{name: value})
        tied = tie & after if after is not None else None
        after = beyond | tied if beyond is not None and tied is not None else beyond or tied
    return after if after is not None else Q(pk__in=[])
