"""Denied-party screening: name normalisation, index queries, list parsing and match quality."""

from __future__ import annotations

import codecs
import io
from dataclasses import dataclass

import pytest
from django.db import connection

from onboarding.screening import (
    DEFAULT_THRESHOLD,
    MAX_FILE_BYTES,
    MAX_ROWS,
    ParsedList,
    RowError,
    ScreeningEntry,
    ScreeningListInvalid,
    name_tokens,
    normalize_name,
    parse_screening_csv,
    resolve_country,
    score_match,
    screen,
    search_terms,
    sound_key,
    tsquery_for,
)

# --- Normalisation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("ACME Trading", "acme trading"),
        ("  Acme   Trading\t", "acme trading"),
        ("Société Générale", "societe generale"),
        ("Müller & Söhne GmbH", "muller sohne"),
        ("Ñandú Comercial S.A.", "nandu comercial"),
        ("Straße Logistik AG", "strasse logistik"),
        ("Ærø Shipping ApS", "aero shipping aps"),
        ("Łódź Export Sp", "lodz export sp"),
        ("Œuvre Holdings", "oeuvre holdings"),
        ("Þór Fishing", "thor fishing"),
        ("ﬁnance house", "finance house"),  # the fi ligature
        ("O'Brien Ltd.", "obrien"),
        ("Acme, Inc.", "acme"),
        ("Acme Incorporated", "acme"),
        ("ACME CO., LTD.", "acme"),
        ("Acme (Pty) Ltd", "acme"),
        ("AB Volvo", "volvo"),
        ("Open Joint-Stock Company Rosneft Oil Company", "rosneft oil"),
        ("Acme-Trading/Export", "acme trading export"),
        ("Al-Qa'ida", "al qaida"),
        ("Ltd.", "ltd"),  # only legal forms: kept, never normalised to nothing
        ("Company", "company"),
        ("Coast Guard", "coast guard"),  # "co" only as a whole word
        ("Sabbath Asset Management", "sabbath asset management"),  # "sa", "as" only as whole words
        ("Газпром", "газпром"),  # Cyrillic kept, lower-cased
        ("ПАО Сбербанк", "пао сбербанк"),  # legal forms are listed in Latin script only
        ("Ελληνική Εταιρεία", "ελληνικη εταιρεια"),  # Greek kept, lower-cased, accents stripped
        ("!!! ???", ""),
    ],
)
def test_normalize_name(raw, normalised):
    assert normalize_name(raw) == normalised


def test_name_tokens_drop_single_letters():
    assert name_tokens("John F. Kennedy Trading Co") == ["john", "kennedy", "trading"]


@pytest.mark.parametrize(
    ("first", "second"),
    [("qadhafi", "gaddafi"), ("husayn", "hussein"), ("osama", "usama"), ("mohammed", "muhammad"), ("aleksandr", "alexander")],
)
def test_transliterations_share_a_sound_key(first, second):
    assert sound_key(first) == sound_key(second) != ""


def test_different_names_have_different_sound_keys():
    assert sound_key("hassan") != sound_key("hussein")
    assert sound_key("газпром") == ""


# --- Candidate retrieval -------------------------------------------------------------------------

NASTY_NAMES = [
    "O'Brien & Sons",
    "Acme: Trading",
    "A & B | C ! D ( E ) F : G * H",
    "it's a \\'trap\\'",
    "'; DROP TABLE entries; --",
    "<-> <2> !!! &&& ||| :*",
    "back\\slash\\\\ name",
    '"double" "quotes"',
    "prefix:* AB:*A",
    "Ελληνική & Газпром | 東京海上",
    "x" * 5000,
    "A " * 200,
    "12:30 & 4'5\"",
]


@pytest.mark.parametrize("name", NASTY_NAMES)
def test_tsquery_operands_are_quoted_letters_and_digits(name):
    query = tsquery_for(name)
    for operand in filter(None, query.split(" | ")):
        body = operand.removesuffix(":*")
        assert body.startswith("'"), query
        assert body.endswith("'"), query
        assert body[1:-1].isalnum(), query


def test_tsquery_for_a_name():
    assert tsquery_for("Moammar Gaddafi Co.") == "'moam':* | '0mr' | 'gadd':* | '0ktf'"
    assert tsquery_for("Kim Jong-Un") == "'kim' | 'jong' | '0knk' | 'un'"


@pytest.mark.parametrize("name", ["", "   ", "!!!", "A B C", "& | ! ( ) : *", "\\"])
def test_tsquery_is_empty_without_usable_words(name):
    assert tsquery_for(name) == ""


@pytest.mark.django_db
def test_postgresql_accepts_every_query_and_terms():
    with connection.cursor() as cursor:
        for name in NASTY_NAMES:
            query = tsquery_for(name)
            cursor.execute("SELECT to_tsquery('simple', %s)::text, to_tsvector('simple', %s)::text", [query, search_terms(name)])
            parsed_query, vector = cursor.fetchone()
            assert bool(parsed_query) == bool(query), name
            assert bool(vector) == bool(name_tokens(name)), name


@pytest.mark.django_db
def test_index_finds_every_labelled_true_match():
    """Candidate recall: each true pair is found through the full-text index before scoring."""
    missed = []
    with connection.cursor() as cursor:
        for pair in LABELLED_PAIRS:
            if pair.is_match:
                cursor.execute(
                    "SELECT to_tsvector('simple', %s) @@ to_tsquery('simple', %s)",
                    [pair.entry.search_terms, tsquery_for(pair.name)],
                )
                if not cursor.fetchone()[0]:
                    missed.append(pair.name)
    assert missed == []


@pytest.mark.django_db
def test_index_does_not_return_unrelated_names():
    entry = ScreeningEntry("Islamic Revolutionary Guard Corps", aliases=("IRGC",))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_tsvector('simple', %s) @@ to_tsquery('simple', %s)", [entry.search_terms, tsquery_for("Nordic Timber AB")]
        )
        assert cursor.fetchone()[0] is False


def test_search_terms_cover_name_and_aliases_once():
    entry = ScreeningEntry("Acme Trading Ltd", aliases=("Acme Trade", "ACME TRADING"))
    words = entry.search_terms.split()
    assert words[:3] == ["acme", "trading", "trade"]
    assert len(words) == len(set(words))
    assert all(word.isalnum() for word in words)


# --- Countries -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        *[("DE", "DE"), ("de", "DE"), ("DEU", "DE"), ("Germany", "DE"), ("russia", "RU"), ("Russian Federation", "RU")],
        *[("Korea, North", "KP"), ("Côte d'Ivoire", "CI"), ("United States", "US"), ("UK", "GB"), ("Burma", "MM")],
        *[("", None), (None, None), ("Atlantis", None), ("ZZ", None)],
    ],
)
def test_resolve_country(value, code):
    assert resolve_country(value) == code


# --- Parsing lists -------------------------------------------------------------------------------


def test_parses_a_good_list():
    parsed = parse_screening_csv(
        "name,aliases,country,program,notes\n"
        "Acme Trading Ltd,Acme Trade; ACME TR,DE,SDGT,ignored\n"
        '"Bank Melli, Iran",,Iran,IRAN\n'
        "Kim Jong Un\n"
    )
    assert parsed.ok
    assert parsed.layout == "columns"
    assert parsed.entries == [
        ScreeningEntry("Acme Trading Ltd", aliases=("Acme Trade", "ACME TR"), country="DE", program="SDGT", row=2),
        ScreeningEntry("Bank Melli, Iran", country="IR", program="IRAN", row=3),
        ScreeningEntry("Kim Jong Un", row=4),
    ]


def test_reports_every_bad_row_and_keeps_nothing():
    parsed = parse_screening_csv(
        "name,aliases,country,program\n"
        "Good One,,DE,\n"
        ",alias only,DE,\n"
        "Bad Country,,Atlantis,\n"
        "Good Two,,FR,\n"
        "!!!,,XX,\n"
        "Too Many, Inc,DE,SDGT,extra\n"
        f"{'N' * 501},,,\n"
        f"Long Program,,,{'P' * 201}\n"
    )
    assert parsed.entries == []
    assert [(error.row, error.column, error.code) for error in parsed.errors] == [
        (3, "name", "name_required"),
        (4, "country", "unknown_country"),
        (6, "name", "name_unusable"),
        (6, "country", "unknown_country"),
        (7, None, "too_many_values"),
        (8, "name", "name_too_long"),
        (9, "program", "program_too_long"),
    ]
    assert "Atlantis" in parsed.errors[1].message
    assert str(parsed.errors[1]).startswith("Line 4, country: ")


def test_an_invalid_list_raises_one_error_with_all_problems():
    parsed = parse_screening_csv("name,country\nA Corp,XX\nB Corp,YY\n")
    with pytest.raises(ScreeningListInvalid) as raised:
        parsed.entries_or_raise()
    assert raised.value.code == "screening_list_invalid"
    assert [error.row for error in raised.value.errors] == [2, 3]


def test_a_parsed_list_never_holds_entries_and_errors():
    with pytest.raises(ValueError):
        ParsedList(entries=[ScreeningEntry("A")], errors=[RowError(2, "name", "name_required", "The name is empty.")])


def test_row_numbers_are_file_lines_across_blank_lines_and_quoted_newlines():
    parsed = parse_screening_csv('name,country\n\n"Multi\nLine Corp",DE\n\n  ,  \nBad,XX\r\n')
    assert [(error.row, error.code) for error in parsed.errors] == [(7, "unknown_country")]


def test_bom_blank_lines_and_crlf():
    data = codecs.BOM_UTF8 + b"Name,Country\r\n\r\nAcme Trading,DE\r\n\r\n"
    parsed = parse_screening_csv(io.BytesIO(data))
    assert parsed.entries == [ScreeningEntry("Acme Trading", country="DE", row=3)]


def test_semicolon_delimited_export():
    parsed = parse_screening_csv(
        'name;aliases;country\nAcme Trading;"Acme Trade;ACME TR";Deutschland\n'.replace("Deutschland", "DE")
    )
    assert parsed.entries == [ScreeningEntry("Acme Trading", aliases=("Acme Trade", "ACME TR"), country="DE", row=2)]


def test_utf16_with_bom():
    parsed = parse_screening_csv("name\tcountry\nMüller GmbH\tAT\n".encode("utf-16"))
    assert parsed.entries == [ScreeningEntry("Müller GmbH", country="AT", row=2)]


def test_duplicates_are_merged_not_errors():
    parsed = parse_screening_csv(
        "name,aliases,country,program\n"
        "Acme Trading Ltd,Acme Trade,DE,SDGT\n"
        "ACME TRADING GMBH,ACME TR,DE,IRAN\n"
        "Acme Trading,,FR,SDGT\n"
    )
    assert parsed.entries == [
        ScreeningEntry("Acme Trading Ltd", aliases=("Acme Trade", "ACME TR"), country="DE", program="SDGT; IRAN", row=2),
        ScreeningEntry("Acme Trading", country="FR", program="SDGT", row=4),
    ]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ("", "empty_file"),
        ("\n\n   \n", "empty_file"),
        ("Acme Trading,DE\n", "missing_header"),
        ("name,Name,country\nAcme,Acme,DE\n", "duplicate_column"),
        ("name,country\nMüller,DE\n".encode("cp1252"), "bad_encoding"),
        (b"PK\x03\x04\x14\x00\x06\x00", "not_csv"),
        ("name\nAcme\n".encode("utf-16-le"), "not_csv"),
        ('name,country\n"Acme "Trading"",DE\n', "malformed_csv"),
    ],
)
def test_unreadable_files_get_one_clear_error(data, code):
    parsed = parse_screening_csv(data)
    assert parsed.entries == []
    assert [error.code for error in parsed.errors] == [code]


def test_bad_encoding_names_the_line():
    parsed = parse_screening_csv(b"name,country\nAcme,DE\nM\xfcller,AT\n")
    assert parsed.errors[0].row == 3
    assert "UTF-8" in parsed.errors[0].message


def test_file_over_the_size_limit_is_refused():
    data = b"name\n" + b"Acme Trading Company\n" * (MAX_FILE_BYTES // 20)
    assert len(data) > MAX_FILE_BYTES
    for source in (data, io.BytesIO(data), data.decode()):
        assert [error.code for error in parse_screening_csv(source).errors] == ["file_too_large"]


def test_upload_size_is_checked_before_reading():
    class Upload(io.BytesIO):
        size = MAX_FILE_BYTES + 1

        def read(self, *args):
            raise AssertionError("read a file that is too large")

    assert parse_screening_csv(Upload()).errors[0].code == "file_too_large"


def test_row_limit():
    within = "name\n" + "".join(f"Entry {i}\n" for i in range(MAX_ROWS))
    assert len(parse_screening_csv(within).entries) == MAX_ROWS
    beyond = within + "One Too Many\n"
    parsed = parse_screening_csv(beyond)
    assert parsed.entries == []
    assert [(error.row, error.code) for error in parsed.errors] == [(MAX_ROWS + 2, "too_many_rows")]


SDN_SAMPLE = (
    '36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Havana, Cuba." \r\n'
    '173,"ANGLO-CARIBBEAN CO., LTD.",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"a.k.a. \'AN-CA\'; a.k.a. \'ANCA TRADING\'."\r\n'
    '2674,"HIZBALLAH",-0- ,"SDGT] [FTO",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"a.k.a. \'HEZBOLLAH\'; a.k.a. \'PARTY OF GOD\'."\r\n'
    '7893,"SAID, Ahmed","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 1960; nationality Iran; a.k.a. \'AL-QA\'IDA MAN\'."\r\n'
    '9001,"OCEAN STAR","vessel","IRAN",-0- ,"9HA1",-0- ,-0- ,-0- ,"Malta",-0- ,-0- \r\n'
    "\x1a"
)


def test_reads_the_treasury_sdn_layout():
    parsed = parse_screening_csv(SDN_SAMPLE.encode("latin-1"))
    assert parsed.layout == "sdn"
    assert parsed.entries == [
        ScreeningEntry("AEROCARIBBEAN AIRLINES", program="CUBA", row=1),
        ScreeningEntry("ANGLO-CARIBBEAN CO., LTD.", aliases=("AN-CA", "ANCA TRADING"), program="CUBA", row=2),
        ScreeningEntry("HIZBALLAH", aliases=("HEZBOLLAH", "PARTY OF GOD"), program="SDGT; FTO", row=3),
        ScreeningEntry("SAID, Ahmed", aliases=("AL-QA'IDA MAN",), country="IR", program="SDGT", row=4),
        ScreeningEntry("OCEAN STAR", country="MT", program="IRAN", row=5),
    ]


def test_reports_bad_sdn_rows():
    data = (
        SDN_SAMPLE.removesuffix("\x1a") + '12,-0- ,-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n' + "x13,ACME,-0-,CUBA\n"
    )
    parsed = parse_screening_csv(data)
    assert [(error.row, error.column, error.code) for error in parsed.errors] == [
        (6, "SDN_Name", "name_required"),
        (7, None, "wrong_column_count"),
    ]


# --- Matching ------------------------------------------------------------------------------------


def test_score_explains_itself():
    entry = ScreeningEntry("ACME TRADING LIMITED", aliases=("ACME TR",), country="DE")
    match = score_match("Acme Tradng Export GmbH", "Germany", entry)
    assert match.matched_on == "name"
    assert match.matched_text == "ACME TRADING LIMITED"
    assert match.country_match is True
    assert match.score == pytest.approx(match.name_score + 5)
    assert match.reasons[0] == f"name {match.name_score:.0f} vs “ACME TRADING LIMITED”"
    assert match.reasons[1:3] == ["“tradng” ≈ “trading” (92)", "words not in the listed name: export"]
    assert match.reasons[-1] == "country DE = DE (+5)"


def test_alias_match_is_reported_as_alias():
    entry = ScreeningEntry("HIZBALLAH", aliases=("PARTY OF GOD", "HEZBOLLAH"), country="LB")
    match = score_match("Hezbollah", None, entry)
    assert (match.score, match.matched_on, match.matched_text, match.country_match) == (100, "alias", "HEZBOLLAH", None)
    assert match.reasons[-1] == "country unknown (±0)"


def test_other_country_lowers_but_does_not_clear_an_exact_name():
    entry = ScreeningEntry("Acme Trading", country="IR")
    match = score_match("ACME TRADING LLC", "DE", entry)
    assert match.score == 90
    assert match.country_match is False
    assert match.reasons[-1] == "country DE ≠ IR (-10)"


def test_screen_returns_matches_at_or_above_threshold_best_first():
    entries = [
        ScreeningEntry("Acme Trading", country="DE"),
        ScreeningEntry("Acme Tradng"),
        ScreeningEntry("Acme Logistics"),
    ]
    matches = screen("Acme Trading GmbH", "DE", entries)
    assert [(m.entry.name, m.score) for m in matches] == [("Acme Trading", 100), ("Acme Tradng", 95.3)]
    assert [m.entry.name for m in screen("Acme Trading GmbH", "DE", entries, threshold=95.3)] == ["Acme Trading", "Acme Tradng"]
    assert [m.entry.name for m in screen("Acme Trading GmbH", "DE", entries, threshold=95.4)] == ["Acme Trading"]
    assert screen("Nordic Timber", None, entries) == []


def test_transliterations_and_split_words_are_explained():
    gaddafi = score_match("Moammar Gaddafi", None, ScreeningEntry("QADHAFI, Muammar"))
    assert "“gaddafi” sounds like “qadhafi”" in gaddafi.reasons
    sberbank = score_match("Sber Bank Russia", None, ScreeningEntry("SBERBANK OF RUSSIA"))
    assert sberbank.reasons[1:] == ["“sber bank” ≈ “sberbank” (100)", "listed words not in the name: of", "country unknown (±0)"]


def test_one_shared_word_is_not_enough():
    assert score_match("Trading", None, ScreeningEntry("ACME TRADING")).score < 85
    assert score_match("Global Trading Ltd", None, ScreeningEntry("GLOBAL LOGISTICS LTD")).score < 60


def test_names_without_words_match_nothing():
    assert score_match("!!!", None, ScreeningEntry("Acme")).score == 0


@dataclass(frozen=True)
class LabelledPair:
    name: str
    country: str | None
    entry: ScreeningEntry
    is_match: bool


def _pair(
    name: str, country: str | None, listed: str, listed_country: str | None = None, *, match: bool, aliases=()
) -> LabelledPair:
    return LabelledPair(name, country, ScreeningEntry(listed, aliases=tuple(aliases), country=listed_country), match)


# Written together with the scorer.
FIRST_PAIRS = [
    # True matches: typos, word order, legal forms, transliterations, extra listed words.
    _pair("Acme Tradng Ltd", None, "ACME TRADING LIMITED", match=True),
    _pair("Ahmed Said", None, "SAID, Ahmed", match=True),
    _pair("Banco Nacional de Cuba S.A.", "CU", "BANCO NACIONAL DE CUBA", "CU", match=True),
    _pair("Moammar Gaddafi", "LY", "QADHAFI, Muammar", "LY", match=True),
    _pair("Usama bin Ladin", None, "BIN LADEN, Osama", match=True),
    _pair("Mohammed Al-Hussein", None, "AL-HUSAYN, Muhammad", match=True),
    _pair("Gazprom Neft PJSC", "RU", "GAZPROM NEFT", "RU", match=True),
    _pair("Rosneft Oil Co.", "RU", "OPEN JOINT-STOCK COMPANY ROSNEFT OIL COMPANY", "RU", match=True),
    _pair("Sergei Ivanov", "RU", "IVANOV, Sergey", "RU", match=True),
    _pair("Aleksandr Petrov", None, "PETROV, Alexander", match=True),
    _pair("Yevgeny Prigozhin", None, "PRIGOZHIN, Yevgeniy Viktorovich", "RU", match=True),
    _pair("Müller Maschinenbau GmbH", "DE", "MUELLER MASCHINENBAU AG", "DE", match=True),
    _pair("Al Qaeda", None, "AL QA'IDA", match=True),
    _pair("Bank Melli Iran", "IR", "BANK MELLI", "IR", match=True),
    _pair("Tchaikovsky Trading", None, "CHAIKOVSKII TRADING", match=True),
    _pair("Kim Jong Un", "KP", "KIM, Jong-Un", "KP", match=True),
    _pair("Petropars Ltd.", "IR", "PETRO PARS LIMITED", "IR", match=True),
    _pair("Islamic Revolutionary Guards Corps", None, "ISLAMIC REVOLUTIONARY GUARD CORPS", "IR", match=True),
    _pair("Hezbollah", None, "HIZBALLAH", aliases=["HEZBOLLAH", "PARTY OF GOD"], match=True),
    _pair("Mahan Airlines", "IR", "MAHAN AIR", "IR", aliases=["MAHAN AIRLINES"], match=True),
    _pair("Kalashnikov Concern JSC", None, "KALASHNIKOV CONCERN", "RU", match=True),
    _pair("Tradewinds Shipping Co", None, "TRADE WINDS SHIPPING COMPANY", match=True),
    _pair("Abdul Rahman Yasin", None, "YASIN, Abdul Rahman", match=True),
    _pair("Naser Al-Jazeera Exchange", "AE", "NASSER AL JAZIRA EXCHANGE", "AE", match=True),
    _pair("Société Générale de Commerce SARL", "FR", "SOCIETE GENERALE DE COMMERCE", "FR", match=True),
    _pair("Nordstrøm Shipping AS", "NO", "NORDSTROM SHIPPING", "NO", match=True),
    _pair("Ali Khamenei", "IR", "KHAMENEI, Ali Hosseini", "IR", match=True),
    _pair("Vneshekonombank", "RU", "VNESHECONOMBANK", "RU", match=True),
    _pair("Hezbolah", None, "HIZBALLAH", "LB", match=True),
    _pair("Joseph Kony", None, "KONY, Joseph", match=True),
    _pair("Sinaloa Cartel", "MX", "CARTEL DE SINALOA", "MX", match=True),
    _pair("Oleg Deripaska", "RU", "DERIPASKA, Oleg Vladimirovich", "RU", match=True),
    _pair("Ayman al-Zawahiri", None, "AL-ZAWAHIRI, Ayman", match=True),
    _pair("Aiman Zawahiry", None, "AL-ZAWAHIRI, Ayman", match=True),
    _pair("Viktor Bout", None, "BOUT, Viktor Anatolijevitch", match=True),
    _pair("Meridian Trading FZE", "AE", "MERIDIAN TRADING FZE", "AE", match=True),
    _pair("Acme Trading", "DE", "ACME TRADING", "CH", match=True),  # the same name abroad still needs a look
    _pair("Gazprom", "RU", "GAZPROM PAO", "RU", match=True),
    # True non-matches: shared common words, one shared word, similar but different names.
    _pair("Global Trading Ltd", None, "GLOBAL LOGISTICS LTD", match=False),
    _pair("Acme Trading", None, "ACME LOGISTICS", match=False),
    _pair("Bank Saderat Iran", "IR", "BANK SEPAH IRAN", "IR", match=False),
    _pair("Gulf International Trading", "AE", "GULF INTERNATIONAL SHIPPING", "AE", match=False),
    _pair("Mohammed Hassan", None, "HUSSEIN, Mohammed", match=False),
    _pair("Svetlana Ivanova", "RU", "IVANOV, Sergey", "RU", match=False),
    _pair("Al Noor Trading", "AE", "AL NOOR EXCHANGE", "AE", match=False),
    _pair("Trading", None, "ACME TRADING", match=False),
    _pair("Bank", None, "BANK MELLI", match=False),
    _pair("Petro Services Ltd", None, "PETROPARS LTD", match=False),
    _pair("Kim Soo Hyun", "KR", "KIM, Jong-Un", "KP", match=False),
    _pair("Mahan Consulting", None, "MAHAN AIR", match=False),
    _pair("Orient Shipping Co", None, "OCEAN SHIPPING CO", match=False),
    _pair("Sinai Trading", None, "SINALOA CARTEL", match=False),
    _pair("Golden Star Trading", None, "GOLDEN STAR SHIPPING", match=False),
    _pair("Delta Shipping", None, "DELTA AIRLINES", match=False),
    _pair("Sergey Petrov", None, "IVANOV, Sergey", match=False),
    _pair("Smith & Sons Ltd", "GB", "SMITH BROTHERS LTD", "GB", match=False),
    _pair("China National Trading", "CN", "CHINA NATIONAL PETROLEUM CORPORATION", "CN", match=False),
    _pair("New Horizon Logistics", None, "NEW HORIZONS TRADING", match=False),
    _pair("Aleksandr Petrenko", None, "PETROV, Alexander", match=False),
    _pair("Tehran Electronics", "IR", "TEHRAN ENGINEERING", "IR", match=False),
    _pair("Omar Said", None, "SAID, Ahmed", match=False),
    _pair("Al Jazeera Media", "QA", "NASSER AL JAZIRA EXCHANGE", "AE", match=False),
    _pair("Hamburg Shipping", "DE", "HAMBURG SUD", "DE", match=False),
    _pair("United Trading Company", None, "UNITED SHIPPING COMPANY", match=False),
    _pair("Kim Jong Il", None, "KIM, Jong-Un", match=False),
    _pair("Oleg Petrov", None, "DERIPASKA, Oleg Vladimirovich", match=False),
    _pair("Pars Trading", None, "PETRO PARS LTD", match=False),
    _pair("Hansa Logistik GmbH", "DE", "HANSA LOGISTICS", "RU", match=False),
    _pair("Nordic Timber AB", "SE", "NORDSTROM SHIPPING", "NO", match=False),
    _pair("Ocean Star Fisheries", None, "OCEAN STAR", match=False),  # flagged: contains the whole listed name
]


# Written after the scorer's first version and scored once: it missed the two word-split pairs
# ("Sber Bank", "Abd al-Rahman"), which led to pairing a word with adjacent words written together.
# So these are no longer strictly held out; the three subset pairs marked below are still flagged.
LATER_PAIRS = [
    _pair("Mikhail Fridman", "RU", "FRIDMAN, Mikhail Maratovich", "RU", match=True),
    _pair("Alisher Usmanov", None, "USMANOV, Alisher Burkhanovich", match=True),
    _pair("Roman Abramovich", None, "ABRAMOVICH, Roman Arkadyevich", match=True),
    _pair("Sovcomflot PAO", "RU", "PAO SOVCOMFLOT", "RU", match=True),
    _pair("Abdulrahman Al Kadi", None, "AL-QADI, Abd al-Rahman", match=True),
    _pair("Naftiran Intertrade Co", "CH", "NAFTIRAN INTERTRADE COMPANY LTD", "CH", match=True),
    _pair("Wagner Group", None, "PMC WAGNER", aliases=["WAGNER GROUP"], match=True),
    _pair("Hamas", None, "HARAKAT AL-MUQAWAMA AL-ISLAMIYA", aliases=["HAMAS", "ISLAMIC RESISTANCE MOVEMENT"], match=True),
    _pair(
        "Islamic Resistence Movement",
        None,
        "HARAKAT AL-MUQAWAMA AL-ISLAMIYA",
        aliases=["ISLAMIC RESISTANCE MOVEMENT"],
        match=True,
    ),
    _pair("Dmitriy Medvedev", "RU", "MEDVEDEV, Dmitry Anatolyevich", "RU", match=True),
    _pair("Nikolai Patrushev", None, "PATRUSHEV, Nikolay Platonovich", match=True),
    _pair("Sberbank of Russia", "RU", "SBERBANK OF RUSSIA", "RU", match=True),
    _pair("Sber Bank Russia", "RU", "SBERBANK OF RUSSIA", "RU", match=True),
    _pair("Qods Force", None, "IRGC QODS FORCE", match=True),
    _pair("Ali Hassan", None, "HASSAN, Ali", match=True),
    _pair("Mohamed Ali Trading", None, "ALI, Mohammed", match=False),  # flagged: contains the whole listed name
    _pair("Russian Standard Bank", None, "SBERBANK OF RUSSIA", match=False),
    _pair("Iran Air Tours", None, "IRAN AIR", match=False),  # flagged: contains the whole listed name
    _pair("First Bank of Nigeria", None, "FIRST BANK OF KUWAIT", match=False),
    _pair("International Trading Group", None, "ISLAMIC TRADING GROUP", match=False),
    _pair("Roman Abrams", None, "ABRAMOVICH, Roman Arkadyevich", match=False),
    _pair("Medved Holding", None, "MEDVEDEV, Dmitry Anatolyevich", match=False),
    _pair("Wagner Automotive", "DE", "PMC WAGNER", "RU", match=False),
    _pair("Star Shipping", None, "OCEAN STAR SHIPPING", match=False),  # flagged: wholly inside the listed name
    _pair("Alpha Trading", None, "ALFA BANK", match=False),
    _pair("Fridman Consulting", None, "FRIDMAN, Mikhail Maratovich", match=False),
    _pair("Patel Brothers", None, "PATRUSHEV, Nikolay Platonovich", match=False),
    _pair("Abdullah Al Qadi", None, "AL-QADI, Abd al-Rahman", match=False),
]
LABELLED_PAIRS = FIRST_PAIRS + LATER_PAIRS


def test_labelled_set_is_big_enough():
    assert sum(pair.is_match for pair in LABELLED_PAIRS) >= 30
    assert sum(not pair.is_match for pair in LABELLED_PAIRS) >= 30


def _precision_recall(pairs: list[LabelledPair]) -> tuple[float, float, list[str]]:
    flagged = {pair: bool(screen(pair.name, pair.country, [pair.entry])) for pair in pairs}
    true_positives = sum(pair.is_match and hit for pair, hit in flagged.items())
    precision = true_positives / max(1, sum(flagged.values()))
    recall = true_positives / sum(pair.is_match for pair in pairs)
    wrong = [
        f"  {'missed' if pair.is_match else 'false alarm'}: {pair.name!r} vs {pair.entry.name!r} "
        f"{score_match(pair.name, pair.country, pair.entry).score}"
        for pair, hit in flagged.items()
        if hit != pair.is_match
    ]
    return precision, recall, wrong


def test_precision_and_recall_at_the_default_threshold(capsys):
    lines = [f"\nscreening at threshold {DEFAULT_THRESHOLD}:"]
    for label, pairs in (("first set", FIRST_PAIRS), ("later set", LATER_PAIRS), ("all", LABELLED_PAIRS)):
        precision, recall, wrong = _precision_recall(pairs)
        lines.append(f"  {label}: {len(pairs)} pairs, precision {precision:.3f}, recall {recall:.3f}")
    lines.extend(wrong)
    with capsys.disabled():
        print("\n".join(lines))
    assert precision >= 0.9
    assert recall >= 0.9
