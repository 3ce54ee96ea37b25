"""What the directory and collaboration pages read, and the access checks the portal and the API share.

The directory's one rule: another partner's profile leaves the database only when it is
published, and then only as a :class:`DirectoryCard` (the public fields, the partner's name, type
and tier, its valid certifications per course if it shows them, and the in-market solutions it
delivers a component of). Never its deals, plans, people or anything else. Partner callers read
other partners' rows only here, through ``across_partners``, each time with its reason.

* :mod:`.profiles` — the directory: profiles as cards, search, the filters' choices, the partner's
  own profile, and the published partners a collaboration request may go to.
* :mod:`.collaborations` — collaboration requests as either partner reads them, the access check,
  the vendor's list of every collaboration, and what a request may be about.
* :mod:`.ecosystem_map` — the ecosystem map (staff only): partners and their links as a graph.
"""

from .collaborations import (
    CollaborationFilter,
    CollaborationView,
    access_collaboration,
    collaboration_filter,
    collaboration_list,
    collaboration_subject,
    collaboration_subjects,
    collaboration_views,
    collaborations_for_partner,
)
from .ecosystem_map import (
    EDGE_KINDS,
    EDGE_LABELS,
    MAP_STATUSES,
    NODE_MAX_SIZE,
    NODE_MIN_SIZE,
    REVENUE_WINDOW_DAYS,
    TYPE_COLOURS,
    MapFilters,
    ecosystem_graph,
    node_size,
    top_connections,
)
from .profiles import (
    DIRECTORY_SORT_KEYS,
    LISTED_STATUSES,
    PUBLIC_FIELDS,
    CertificationCount,
    DirectoryCard,
    DirectoryFilters,
    collaboration_recipients,
    directory_card,
    directory_options,
    directory_ordering,
    directory_search,
    is_uuid,
    own_profile,
    published_partner,
)

__all__ = [
    "DIRECTORY_SORT_KEYS",
    "EDGE_KINDS",
    "EDGE_LABELS",
    "LISTED_STATUSES",
    "MAP_STATUSES",
    "NODE_MAX_SIZE",
    "NODE_MIN_SIZE",
    "PUBLIC_FIELDS",
    "REVENUE_WINDOW_DAYS",
    "TYPE_COLOURS",
    "CertificationCount",
    "CollaborationFilter",
    "CollaborationView",
    "DirectoryCard",
    "DirectoryFilters",
    "MapFilters",
    "access_collaboration",
    "collaboration_filter",
    "collaboration_list",
    "collaboration_recipients",
    "collaboration_subject",
    "collaboration_subjects",
    "collaboration_views",
    "collaborations_for_partner",
    "directory_card",
    "directory_options",
    "directory_ordering",
    "directory_search",
    "ecosystem_graph",
    "is_uuid",
    "node_size",
    "own_profile",
    "published_partner",
    "top_connections",
]
