"""Helpers shared by the portal's list pages."""

from __future__ import annotations

from django.http import HttpRequest, QueryDict


def filter_query(request: HttpRequest, filters) -> str:
    """The filters the person chose, as a query string for pagination and export links.

    ``filters`` is a filter set or a form. Only its own fields (every value of a multiple choice):
    nothing else they may have put in the address is echoed back.
    """
    form = getattr(filters, "form", filters)
    query = QueryDict(mutable=True)
    for name in form.fields:
        values = [value for value in request.GET.getlist(name) if value]
        if values:
            query.setlist(name, values)
    return query.urlencode()
