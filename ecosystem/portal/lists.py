"""Helpers shared by the portal's list pages."""

from __future__ import annotations

from django.http import HttpRequest, QueryDict


def filter_query(request: HttpRequest, filterset) -> str:
    """The filters the person chose, as a query string for pagination and export links.

    Only the filter set's own fields: nothing else they may have put in the address is echoed back.
    """
    query = QueryDict(mutable=True)
    for name in filterset.form.fields:
        if request.GET.get(name):
            query[name] = request.GET[name]
    return query.urlencode()
