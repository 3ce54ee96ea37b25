"""Partners named in an import file: by public id, else by exact name (any case).

Every CSV import that has a partner column (partners, contacts, touchpoints, customer revenue) reads
the partners the whole file names in one query, then looks each row's reference up here, so they all
match the same way and report the same codes: ``partner_not_found`` and ``ambiguous_partner`` (two
partners share the name: the row must give the public id).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy

from ecosystem.tenancy.models import Tenant

from .models import PartnerOrganization

T = TypeVar("T")

PARTNER_PROBLEMS = {
    "ambiguous_partner": gettext_lazy("Several partners have this name; give the partner's public id."),
    "partner_not_found": gettext_lazy("Unknown partner: no partner of this program has this id or name."),
}


def as_uuid(raw: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID((raw or "").strip())
    except ValueError:
        return None


@dataclass
class PartnerReferences(Generic[T]):
    """The partners a file names, by public id and by lower-case name (each a row or a primary key)."""

    by_id: dict[uuid.UUID, T] = field(default_factory=dict)
    by_name: dict[str, list[T]] = field(default_factory=dict)

    def find(self, reference: str) -> tuple[T | None, str]:
        """(the partner, "") or (None, the problem's code) for a public id or an exact name."""
        reference_id = as_uuid(reference)
        if reference_id is not None and reference_id in self.by_id:
            return self.by_id[reference_id], ""
        candidates = self.by_name.get(reference.lower(), [])
        if len(candidates) > 1:
            return None, "ambiguous_partner"
        if candidates:
            return candidates[0], ""
        return None, "partner_not_found"


def partner_references(tenant: Tenant, references: Iterable[str], *, rows: bool = False) -> PartnerReferences[Any]:
    """The partners ``references`` name, in one query: full rows (tier joined) with ``rows``, else primary keys."""
    references = [r for r in references if r]
    found: PartnerReferences[Any] = PartnerReferences()
    if not references:
        return found
    ids = {u for u in map(as_uuid, references) if u is not None}
    folded = {r.lower() for r in references}  # lower(), as SQL's LOWER()
    partners = (
        PartnerOrganization.objects.filter(tenant=tenant)
        .annotate(name_folded=Lower("name"))
        .filter(Q(public_id__in=ids) | Q(name_folded__in=folded))
    )
    if rows:
        pairs = ((p, p.public_id, p.name) for p in partners.select_related("tier"))
    else:
        pairs = partners.values_list("pk", "public_id", "name")
    for partner, public_id, name in pairs:
        found.by_id[public_id] = partner
        found.by_name.setdefault(name.lower(), []).append(partner)
    return found
