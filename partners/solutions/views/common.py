"""What the vendor and the partner pages share: the page size, the filter query, the details form's initial values."""

from __future__ import annotations

from django.http import QueryDict

PAGE_SIZE = 25


def _query(filters: dict[str, str]) -> str:
    query = QueryDict(mutable=True)
    query.update(filters)
    return query.urlencode()


def _details_initial(solution) -> dict:
    return {
        "name": solution.name,
        "summary": solution.summary,
        "industries": ", ".join(solution.industries),
        "regions": solution.regions,
    }
