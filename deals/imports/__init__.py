"""CSV import of customer accounts and direct opportunities exported from a CRM.

The steps, each a function the portal, the API and the job share:

1. :func:`read_csv` — UTF-8 with or without a byte-order mark, comma or semicolon; the header is
   row 1, so the first record is row 2 (rows are counted as a spreadsheet shows them).
2. :func:`recognise` — the standard export headers of Salesforce (Account, Opportunity) and HubSpot
   (companies, deals) are written down below as data (:data:`KNOWN_EXPORTS`). Any other file is
   mapped by the user; the mapping is saved (:class:`~deals.models.ImportMapping`, keyed by the
   sorted normalised headers) and proposed the next time the same headers come in.
3. :func:`import_validate` — every row is checked (dates, amounts, currencies, domains, the account
   an opportunity belongs to) and *every* error is reported as (row, column, code, message), the
   column named as in the file.
4. :func:`import_write` — only when no row is bad: one transaction, COPY into a temporary table,
   then set-based ``UPDATE … FROM`` and ``INSERT … SELECT`` (never a ``save()`` per row). Accounts
   are matched by CRM id, then by registrable domain; opportunities by CRM id. The same file (its
   SHA-256) again is a *replay*: nothing is written, the earlier :class:`~deals.models.ImportBatch`
   is returned.

Formats read (see docs/partner-manager.md "Importing from your CRM"):

* dates: ``2024-03-05``, ``2024/03/05``, US ``3/5/2024`` (month first, as Salesforce US exports
  them), ``5.3.2024`` (day first), HubSpot ``2024-03-05 14:22`` (the time is dropped);
* amounts: ``1,234.56``, ``1.234,56``, ``1 234,56``, ``$1,234``, ``1234 EUR``, ``EUR 1234``: when
  both separators appear the last one is the decimal mark; a lone comma followed by exactly three
  digits is a thousands separator, otherwise a decimal comma; a lone dot is a decimal point unless
  it repeats (``1.234.567``);
* currencies: ISO 4217 codes (``EUR``) or the symbols $ € £ ¥ in the amount; a currency column
  wins, and disagreeing with the amount's own code is an error. No currency at all: the program's.
"""

from ecosystem.errors import ApplicationError

from .headers import (
    ACCOUNT_FIELDS,
    FIELDS,
    KNOWN_EXPORTS,
    OPPORTUNITY_FIELDS,
    REQUIRED,
    KnownExport,
    Recognised,
    clean_mapping,
    headers_key,
    import_mapping_save,
    normalise_header,
    recognise,
)
from .reading import MAX_FILE_BYTES, MAX_ROWS, CsvFile, ImportFileInvalid, read_csv
from .results import CsvImportResult, RowError, Validation
from .staging import STAGING_SECONDS, staged_drop, staged_get, staged_put, staged_update
from .validation import COPY_PROGRESS_EVERY, import_validate
from .values import CLOSED_STAGE_WORDS, MAX_AMOUNT, ValueInvalid, parse_amount, parse_currency, parse_date, stage_is_open
from .writing import IMPORT_LOCK_KEY, ImportOutcome, ImportRejected, import_replay_of, import_write

__all__ = [
    "ACCOUNT_FIELDS",
    "CLOSED_STAGE_WORDS",
    "COPY_PROGRESS_EVERY",
    "FIELDS",
    "IMPORT_LOCK_KEY",
    "KNOWN_EXPORTS",
    "MAX_AMOUNT",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "OPPORTUNITY_FIELDS",
    "REQUIRED",
    "STAGING_SECONDS",
    "ApplicationError",
    "CsvFile",
    "CsvImportResult",
    "ImportFileInvalid",
    "ImportOutcome",
    "ImportRejected",
    "KnownExport",
    "Recognised",
    "RowError",
    "Validation",
    "ValueInvalid",
    "clean_mapping",
    "headers_key",
    "import_mapping_save",
    "import_replay_of",
    "import_validate",
    "import_write",
    "normalise_header",
    "parse_amount",
    "parse_currency",
    "parse_date",
    "read_csv",
    "recognise",
    "stage_is_open",
    "staged_drop",
    "staged_get",
    "staged_put",
    "staged_update",
]
