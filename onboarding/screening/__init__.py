"""Denied-party screening: normalise names, read a tenant's screening list, score a name against it.

Pure functions and dataclasses: no models and no database access. The import service, the models
and the re-screening job are built around this package:

- :mod:`.names`: comparable names and countries, and the words the full-text index stores and queries;
- :mod:`.lists`: reading a screening list file (a CSV with a header, or Treasury's ``sdn.csv``);
- :mod:`.matching`: scoring a name against list entries.

How one screening works:

1. Every list entry is indexed as ``to_tsvector('simple', entry.search_terms)`` in a GIN index
   (core PostgreSQL full-text search; the embedded server has no pg_trgm).
2. The name being screened becomes ``to_tsquery('simple', tsquery_for(name))``: an OR over its
   words, the first four letters of its longer words and their sound-alike keys, so an entry is a
   candidate even when the two spellings share no exact word ("Moammar Gaddafi" and
   "QADHAFI, Muammar").
3. ``screen(name, country, candidates)`` scores each candidate with rapidfuzz and returns those at
   or above the threshold, best first, each with the reasons for its score.
"""

from __future__ import annotations

from .lists import (
    MAX_FILE_BYTES,
    MAX_NAME_LENGTH,
    MAX_PROGRAM_LENGTH,
    MAX_ROWS,
    SDN_COLUMNS,
    SDN_EMPTY,
    ParsedList,
    RowError,
    ScreeningEntry,
    ScreeningListInvalid,
    parse_screening_csv,
)
from .matching import (
    DEFAULT_THRESHOLD,
    MAX_JOINED_WORDS,
    MIN_JOINED_SIMILARITY,
    MIN_SOUND_ALIKE_RATIO,
    MIN_WORD_SIMILARITY,
    OTHER_COUNTRY_PENALTY,
    SAME_COUNTRY_BONUS,
    SOUND_ALIKE_SIMILARITY,
    MatchScore,
    Span,
    name_similarity,
    score_match,
    screen,
)
from .names import (
    LEGAL_FORMS,
    LEGAL_PHRASES,
    MAX_INDEXED_WORD_LENGTH,
    MAX_QUERY_WORDS,
    QUERY_PREFIX_LENGTH,
    SOUND_KEY_MARKER,
    name_tokens,
    normalize_name,
    resolve_country,
    search_terms,
    sound_key,
    tsquery_for,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "LEGAL_FORMS",
    "LEGAL_PHRASES",
    "MAX_FILE_BYTES",
    "MAX_INDEXED_WORD_LENGTH",
    "MAX_JOINED_WORDS",
    "MAX_NAME_LENGTH",
    "MAX_PROGRAM_LENGTH",
    "MAX_QUERY_WORDS",
    "MAX_ROWS",
    "MIN_JOINED_SIMILARITY",
    "MIN_SOUND_ALIKE_RATIO",
    "MIN_WORD_SIMILARITY",
    "OTHER_COUNTRY_PENALTY",
    "QUERY_PREFIX_LENGTH",
    "SAME_COUNTRY_BONUS",
    "SDN_COLUMNS",
    "SDN_EMPTY",
    "SOUND_ALIKE_SIMILARITY",
    "SOUND_KEY_MARKER",
    "MatchScore",
    "ParsedList",
    "RowError",
    "ScreeningEntry",
    "ScreeningListInvalid",
    "Span",
    "name_similarity",
    "name_tokens",
    "normalize_name",
    "parse_screening_csv",
    "resolve_country",
    "score_match",
    "screen",
    "search_terms",
    "sound_key",
    "tsquery_for",
]
