"""Writing untrusted text safely: spreadsheet cells, HTML, links, files, paths, Cypher names.

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

import contextlib
import os
import re
import tempfile
from pathlib import Path

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


def _csv_field(v: object) -> str:
    s = "" if v is None or (isinstance(v, float) and v != v) else str(v)
    # Quote anything with a delimiter, quote or line break. "\r" is listed explicitly: Python
    # 3.12's csv module does not quote a bare CR when the line terminator is "\n", and a
    # spreadsheet then starts a new row there, so "'\r=1" would become a live "=1" cell.
    if any(c in s for c in ',"\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def csv_lines(df: pd.DataFrame):
    """``df`` as CSV lines (header first; RFC 4180 quoting, ``\n`` ends), formula-neutralised."""
    frame = neutralise_frame(df)
    yield ",".join(_csv_field(c) for c in frame.columns) + "\n"
    for row in frame.itertuples(index=False, name=None):
        yield ",".join(map(_csv_field, row)) + "\n"


def csv_text(df: pd.DataFrame) -> str:
    """``df`` as formula-neutralised CSV text (for a download button: the same cells as
    :func:`write_csv` writes).

    >>> csv_text(pd.DataFrame({"value": ["=1+1", "-0.19"]}))
    "value\\n'=1+1\\n-0.19\\n"
    """
    return "".join(csv_lines(df))


def write_csv(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write ``df`` as UTF-8 CSV (RFC 4180 quoting, ``\n`` line ends), formula-neutralised and
    atomic (see :func:`atomic_write`)."""
    with atomic_write(path) as fh:
        fh.writelines(csv_lines(df))
    return Path(path)


# --- HTML: record text is shown as text, never run -------------------------------------------
# Names, summaries and place names end up in pyvis tooltips (set as innerHTML), folium popups
# and tooltips (HTML), HTML packs and Streamlit markdown. Every such string goes through
# html_text; every link through safe_url / html_link.

_URL_IGNORED = re.compile(r"[\x00-\x20\x7f]")  # browsers drop these inside a scheme ("java\tscript:")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
SAFE_SCHEMES = ("http", "https", "mailto")


def html_text(value: object) -> str:
    """``value`` as HTML text: ``& < > " '`` escaped, so markup in it is shown, not run.

    >>> html_text('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    >>> html_text(None)
    ''
    """
    import html

    if value is None or (isinstance(value, float) and value != value):
        return ""
    return html.escape(str(value), quote=True)


def safe_url(url: object) -> str:
    """``url`` if it is http(s), mailto or relative; otherwise ``""`` (``javascript:``,
    ``data:``, ``vbscript:`` and obfuscated forms of them are refused).

    >>> safe_url("https://www.merton.gov.uk/")
    'https://www.merton.gov.uk/'
    >>> safe_url(" jaVa\\tscript:alert(1)")
    ''
    """
    import html
    from urllib.parse import unquote

    if not isinstance(url, str):
        return ""
    # Judge the URL as a browser would read it after entity and percent decoding.
    probe = _URL_IGNORED.sub("", html.unescape(unquote(html.unescape(url))))
    m = _SCHEME.match(probe)
    if m and m.group(1).lower() not in SAFE_SCHEMES:
        return ""
    if not m and ":" in probe.split("/", 1)[0]:  # "javascript&colon;..." style tricks: refuse
        return ""
    return url.strip()


def html_link(url: object, text: object) -> str:
    """An ``<a>`` element with escaped text, or just the escaped text when the URL is unsafe."""
    href = safe_url(url)
    if not href:
        return html_text(text)
    return f'<a href="{html_text(href)}" rel="noopener noreferrer" target="_blank">{html_text(text)}</a>'


def html_lines(fields: dict[str, object] | list[object]) -> str:
    """Tooltip / popup HTML from labelled values (``{"Name": ..., "Place": ...}``) or lines,
    every value escaped; use it for pyvis ``title`` and folium ``Popup`` / ``Tooltip``."""
    if isinstance(fields, dict):
        return "<br>".join(f"<b>{html_text(k)}</b>: {html_text(v)}" for k, v in fields.items())
    return "<br>".join(html_text(v) for v in fields)


# --- XLSX: the same neutralisation, done the spreadsheet's own way ----------------------------

def _xlsx_sheet_title(name: str, used: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", "_", str(name))[:31] or "Sheet"
    base, i = title, 1
    while title.lower() in used:
        i += 1
        title = f"{base[:28]}_{i}"
    used.add(title.lower())
    return title


def write_xlsx(frames: dict[str, pd.DataFrame], path: str | os.PathLike) -> Path:
    """Write DataFrames as sheets of one XLSX file, every text cell stored as text.

    openpyxl stores a string starting with ``=`` as a formula; here every string cell is typed
    as a string and any that a spreadsheet would treat as a formula also gets Excel's
    "quote prefix" (what typing a leading apostrophe does), so it shows as typed and never runs.
    Written atomically (see :func:`atomic_write`).
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    used: set[str] = set()
    for name, df in frames.items():
        ws = wb.create_sheet(_xlsx_sheet_title(name, used))

        def cell(v: object) -> object:
            if v is None or (isinstance(v, float) and v != v):
                return None
            if not isinstance(v, str):
                return v if isinstance(v, (int, float)) else str(v)
            c = WriteOnlyCell(ws, value=None)
            c.value = v
            c.data_type = "s"  # never "f" (formula), whatever the text starts with
            if v.startswith(_TRIGGERS) and not _NUMBER.match(v):
                c.quotePrefix = True
            return c

        ws.append([cell(str(c)) for c in df.columns])
        for row in df.itertuples(index=False, name=None):
            ws.append([cell(v) for v in row])
    with atomic_write(path, "wb") as fh:
        wb.save(fh)
    return Path(path)


# --- files: atomic writes, paths that stay where they should, input limits -------------------


@contextlib.contextmanager
def atomic_write(path: "str | os.PathLike", mode: str = "w", encoding: str | None = "utf-8", newline: str | None = ""):
    """Write ``path`` all or nothing: into a temporary file beside it, flushed to disk, then
    renamed over it. On any failure (a full disk, a killed process) the temporary file is
    removed and any earlier file at ``path`` is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        kwargs = {} if "b" in mode else {"encoding": encoding, "newline": newline}
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class UnsafePath(ValueError):
    """A path from input would leave the folder it must stay in."""


def safe_filename(name: str, default: str = "upload") -> str:
    """A plain file name from an untrusted one (an upload's name): no folders, no leading dots,
    only letters, digits, ``.``, ``-``, ``_`` and spaces.

    >>> safe_filename("../../etc/passwd")
    'passwd'
    >>> safe_filename("C:\\\\Users\\\\x\\\\..\\\\people.csv")
    'people.csv'
    """
    base = re.split(r"[\\/]", str(name))[-1]
    base = re.sub(r"[^A-Za-z0-9._ \-]", "_", base).strip(" .")
    return base[:120] or default


def inside(base: "str | os.PathLike", name: "str | os.PathLike") -> Path:
    """``base / name`` resolved, refusing anything (``..``, an absolute path, a symlink) that
    lands outside ``base``."""
    root = Path(base).resolve()
    target = (root / name).resolve()
    if target != root and not target.is_relative_to(root):
        raise UnsafePath(f"{name}: outside {root}")
    return target


def check_input_size(path: "str | os.PathLike", max_mb: float | None = None) -> None:
    """Refuse, before reading it, an input file bigger than ``limits.max_file_mb``."""
    from . import schema

    limit = float(max_mb if max_mb is not None else schema.setting("limits.max_file_mb"))
    size = Path(path).stat().st_size
    if size > limit * 1024 * 1024:
        raise ValueError(f"{path}: {size / 1024 / 1024:.0f} MB is over the {limit:.0f} MB limit for one file "
                         "(limits.max_file_mb in settings.yaml); split it or raise the limit")


def check_xlsx(path: "str | os.PathLike", max_mb: float | None = None, max_ratio: float | None = None) -> None:
    """Refuse an XLSX that would inflate too far (a zip bomb) before openpyxl opens it.

    zipfile never yields more than a member's declared size, so checking the declared sizes
    bounds the memory any later read can use.
    """
    import zipfile

    from . import schema

    limit = float(max_mb if max_mb is not None else schema.setting("limits.max_xlsx_uncompressed_mb")) * 1024 * 1024
    ratio = float(max_ratio if max_ratio is not None else schema.setting("limits.max_xlsx_ratio"))
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ValueError(f"{path}: not a readable XLSX file ({exc})") from exc
    total = sum(i.file_size for i in infos)
    if total > limit:
        raise ValueError(f"{path}: would inflate to {total / 1024 / 1024:.0f} MB, over the "
                         f"{limit / 1024 / 1024:.0f} MB limit (limits.max_xlsx_uncompressed_mb)")
    for i in infos:
        if i.file_size > 1024 * 1024 and i.file_size > ratio * max(i.compress_size, 1):
            raise ValueError(f"{path}: {i.filename} inflates {i.file_size // max(i.compress_size, 1)} times "
                             f"(over {ratio:.0f}; limits.max_xlsx_ratio): refused as a possible zip bomb")


# --- Cypher: names never from input ----------------------------------------------------------
_CYPHER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def cypher_name(name: str, allowed: "set[str] | frozenset[str] | list[str] | tuple[str, ...]") -> str:
    """A label, relationship type or property key for a Cypher query, back-quoted, only if it is
    one of ``allowed`` (from the schema, never from input) and a plain identifier.

    >>> cypher_name("Person", {"Person"})
    '`Person`'
    """
    if name not in allowed or not _CYPHER_NAME.match(name):
        raise ValueError(f"{name!r} is not an allowed Cypher name")
    return f"`{name}`"
