"""Writing untrusted text safely: spreadsheet cells.

Record text (names, summaries, place names) comes from other systems and from the public, so
it is untrusted. A CSV or XLSX cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is run as a formula by Excel and LibreOffice (OWASP "CSV injection"). Such
cells are written with a leading apostrophe, which spreadsheets show as text. Plain numbers
(``-0.19``) are left alone so coordinates stay numbers.

References
----------
OWASP, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection
"""

from __future__ import annotations

import re

import pandas as pd

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def neutralise_cell(value: object) -> object:
    """Return ``value`` made safe to open in a spreadsheet.

    >>> neutralise_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_cell("-0.19")
    '-0.19'
    """
    if isinstance(value, str) and value.startswith(_TRIGGERS) and not _NUMBER.match(value):
        return "'" + value
    return value


def restore_cell(value: str) -> str:
    """Undo :func:`neutralise_cell` when graphmap reads back a file it wrote itself.

    Only an apostrophe followed by a formula trigger is removed, so a genuine leading
    apostrophe in other text survives.
    """
    if value.startswith("'") and value[1:2] and value[1:].startswith(_TRIGGERS):
        return value[1:]
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell passed through :func:`neutralise_cell`."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_object_dtype(out[col]) or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise_cell)
    return out
