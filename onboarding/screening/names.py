"""Comparable names and countries: normalisation, sound-alike keys, the words the full-text index
stores (:func:`search_terms`) and the query that finds candidates (:func:`tsquery_for`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

from django.utils import translation
from django_countries import countries

MAX_QUERY_WORDS = 16
MAX_INDEXED_WORD_LENGTH = 64
QUERY_PREFIX_LENGTH = 4
SOUND_KEY_MARKER = "0"  # sound-alike keys are indexed as "0ktf": digit-led, so no real word collides


# --- Normalisation ------------------------------------------------------------------------------

LEGAL_FORMS = frozenset(
    {"inc", "incorporated", "llc", "ltd", "limited", "plc", "co", "corp", "corporation", "company", "llp", "lp"}  # English
    | {"gmbh", "ag", "kg", "sa", "sarl", "srl", "spa", "sas", "bv", "nv", "oy", "ab", "as", "ltda"}  # European, Latin American
    | {"kk", "pte", "pty"}  # Japanese, Singaporean, Australian
    | {"jsc", "pjsc", "ojsc", "cjsc", "ooo", "oao", "zao", "pao"}  # Russian and post-Soviet, common on sanctions lists
)
LEGAL_PHRASES = tuple(
    tuple(phrase.split())
    for phrase in (
        "open joint stock company",
        "closed joint stock company",
        "public joint stock company",
        "joint stock company",
        "limited liability company",
        "limited liability partnership",
        "public limited company",
        "societe anonyme",
        "sociedad anonima",
        "gesellschaft mit beschrankter haftung",
    )
)
_LIGATURES = str.maketrans(
    {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h", "ŧ": "t", "ŋ": "ng"}
)
_JOINERS = frozenset("'’ʼ‘`´.")  # "O'Brien" and "S.A." read as one word, not two


def _plain(text: str) -> str:
    """Lower-case, accents and ligatures folded, punctuation to spaces, whitespace collapsed."""
    folded = unicodedata.normalize("NFKD", str(text).casefold().translate(_LIGATURES))
    kept = []
    for char in folded:
        category = unicodedata.category(char)
        if category[0] == "M" or char in _JOINERS:
            continue
        kept.append(char if category[0] in "LN" else " ")
    return " ".join("".join(kept).split())


def normalize_name(text: str) -> str:
    """The comparable form of a name: ``"Müller & Söhne GmbH"`` → ``"muller sohne"``.

    Lower-cased, accents stripped, ligatures spelled out, punctuation removed, legal forms
    (``ltd``, ``gmbh``, ``joint stock company`` …) dropped as whole words. A name made only of
    legal forms keeps them, so it never normalises to nothing. Other scripts (Cyrillic, Greek) are
    kept, lower-cased and with their diacritics stripped like Latin ones.
    """
    words = _plain(text).split()
    kept: list[str] = []
    index = 0
    while index < len(words):
        phrase = next((p for p in LEGAL_PHRASES if tuple(words[index : index + len(p)]) == p), None)
        if phrase:
            index += len(phrase)
            continue
        if words[index] not in LEGAL_FORMS:
            kept.append(words[index])
        index += 1
    return " ".join(kept or words)


def name_tokens(text: str) -> list[str]:
    """The normalised words of a name that are at least two characters long."""
    return [word for word in normalize_name(text).split() if len(word) >= 2]


def sound_key(word: str) -> str:
    """A transliteration-tolerant key of one Latin-script word: vowels dropped, consonants grouped.

    ``qadhafi``/``gaddafi`` → ``ktf``, ``husayn``/``hussein`` → ``syn``, ``hassan`` → ``sn``. A vowel
    pair ending in i or y (``ei``, ``ay``) is kept as ``y`` because it is usually a letter of the
    original name, not a spelling choice. Words in other scripts or with digits have no key.
    """
    if not (word.isascii() and word.isalpha()):
        return ""
    sounds = []
    for part in re.findall(r"[aeiouy]+|[^aeiouy]", word.replace("ph", "f")):
        if part[0] in "aeiouy":
            sounds.append("y" if len(part) > 1 and ("i" in part[1:] or "y" in part[1:]) else "")
        else:
            sounds.append(_CONSONANT_SOUNDS.get(part, part))
    return re.sub(r"(.)\1+", r"\1", "".join(sounds))


_CONSONANT_SOUNDS = {"p": "b", "v": "f", "w": "", "h": "", "c": "k", "g": "k", "j": "k", "q": "k", "d": "t", "z": "s", "x": "ks"}

# --- Candidate retrieval (PostgreSQL core full-text search) ----------------------------------------


def _index_words(texts: Iterable[str]) -> list[str]:
    words: dict[str, None] = {}
    for text in texts:
        for word in name_tokens(text):
            words[word[:MAX_INDEXED_WORD_LENGTH]] = None
    return list(words)


def search_terms(*texts: str) -> str:
    """What to store for ``to_tsvector('simple', …)``: the normalised words and their sound keys.

    Pass the name and its aliases together. Only letters, digits and spaces come out, so the
    ``simple`` parser sees exactly these words.
    """
    words = _index_words(texts)
    keys = [SOUND_KEY_MARKER + key for word in words if len(word) >= 4 and len(key := sound_key(word)) >= 2]
    return " ".join(dict.fromkeys(words + keys))


def tsquery_for(text: str) -> str:
    """A ``to_tsquery('simple', …)`` string matching entries that share a word, prefix or sound key.

    Every operand is a quoted lexeme of letters and digits only, so no input can make an invalid
    query. Returns ``""`` when the name has no usable words; the caller then skips the query.
    """
    operands: dict[str, None] = {}
    for word in _index_words([text])[:MAX_QUERY_WORDS]:
        if len(word) > QUERY_PREFIX_LENGTH:
            operands[f"'{word[:QUERY_PREFIX_LENGTH]}':*"] = None
        else:
            operands[f"'{word}'"] = None
        if len(word) >= 4 and len(key := sound_key(word)) >= 2:
            operands[f"'{SOUND_KEY_MARKER}{key}'"] = None
    return " | ".join(operands)


# --- Countries -----------------------------------------------------------------------------------

_COUNTRY_ALIASES = {
    "usa": "US",
    "united states": "US",
    "uk": "GB",
    "great britain": "GB",
    "korea north": "KP",
    "korea south": "KR",
    "burma": "MM",
    "ivory coast": "CI",
    "macedonia": "MK",
    "swaziland": "SZ",
    "cape verde": "CV",
    "czech republic": "CZ",
    "holland": "NL",
}


@functools.cache
def _country_names() -> dict[str, str]:
    names = dict(_COUNTRY_ALIASES)
    with translation.override("en"):
        for country in countries:
            names[_plain(country.name)] = country.code
        for code, old_names in countries.shadowed_names.items():
            for name in old_names:
                names.setdefault(_plain(str(name)), code)
    return names


def resolve_country(value: str | None) -> str | None:
    """ISO 3166 alpha-2 code for a code (alpha-2 or alpha-3) or an English country name, else None."""
    text = (value or "").strip()
    if not text:
        return None
    if text.isalpha() and len(text) in (2, 3) and (code := countries.alpha2(text)):
        return code
    return _country_names().get(_plain(text))
