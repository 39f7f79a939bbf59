"""What the app caches and shares between pages: the store, view and analysis results, the sidebar.

The only module that holds Streamlit caches, so library code never depends on Streamlit:

- the store is opened once per URL (``st.cache_resource``), from ``--db URL`` after ``--`` on
  the ``streamlit run`` line, else ``$GRAPHMAP_DB``, else the settings default;
- views and analyses are cached (``st.cache_data``) by store URL, **store version** (the load
  history and row counts, so any load or purge starts afresh) and window;
- the sidebar sets the as-at date, the window and the redaction level for every page, and every
  page carries the OFFICIAL-SENSITIVE marking with those three.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import threading
from datetime import date
from typing import Any, Callable

import streamlit as st

from .. import schema, views
from ..store import Store, default_url, open_store
from ..window import Window

MARKING = "OFFICIAL-SENSITIVE"

#: Analyses shown by the pages, by name: ``fn(store, window) -> plain data``. When an analysis
#: lands, wiring it is one entry here (results are cached by store version and window).
def _network(store: Store, window: Window) -> dict:
    from ..network.analyse import analyse

    return analyse(store, window)


ANALYSES: dict[str, Callable[[Store, Window], Any]] = {"network": _network}


# --- the store ---------------------------------------------------------------------------------
def store_url() -> str:
    """``--db URL`` from the ``streamlit run app.py -- --db URL`` line, else the default."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--db", default=None)
    args, _ = parser.parse_known_args(sys.argv[1:])
    return args.db or default_url()


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    return open_store(url)


@st.cache_resource(show_spinner=False)
def write_lock(url: str) -> threading.Lock:
    """One writer at a time per store from this app (sessions share the connection)."""
    return threading.Lock()


def store() -> Store:
    return _store(store_url())


def store_version(s: Store | None = None) -> str:
    """Changes whenever the store's contents change: load history plus row counts."""
    s = s or store()
    loads = s.loads()
    last = str(loads["load_id"].iloc[-1]) if len(loads) else ""
    counts = ",".join(f"{k}={v}" for k, v in sorted(s.counts().items()))
    return f"{len(loads)}|{last}|{counts}"


# --- cached views and analyses -----------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=32)
def _overview(url: str, version: str) -> dict:
    return views.overview(_store(url))


@st.cache_data(show_spinner="Finding the network...", max_entries=64)
def _ego_network(url: str, version: str, as_at: str, days: int, person_id: str, hops: int, redaction: str) -> dict:
    return views.ego_network(_store(url), Window.ending(as_at, days), person_id, hops=hops, redaction=redaction)


@st.cache_data(show_spinner=False, max_entries=32)
def _places(url: str, version: str, as_at: str, days: int) -> dict:
    return views.places(_store(url), Window.ending(as_at, days))


@st.cache_data(show_spinner="Working out the hotspots...", max_entries=32)
def _locations_board(url: str, version: str, as_at: str, days: int, location_id: str | None) -> dict:
    return views.locations_board(_store(url), Window.ending(as_at, days), location_id)


@st.cache_data(show_spinner=False, max_entries=32)
def _recorded_groups(url: str, version: str, as_at: str, days: int) -> list[dict]:
    return views.recorded_groups(_store(url), Window.ending(as_at, days))


@st.cache_data(show_spinner=False, max_entries=32)
def _peer_group(url: str, version: str, as_at: str, days: int, group_id: str, redaction: str) -> dict:
    return views.peer_group(_store(url), Window.ending(as_at, days), group_id, redaction=redaction)


@st.cache_data(show_spinner="Gathering the week...", max_entries=32)
def _weekly_review(url: str, version: str, as_at: str, redaction: str) -> dict:
    # At the pack's redaction level, so the page shows what the weekly-review pack will.
    return views.at_level(lambda s: views.weekly_review(s, as_at, redaction=redaction), _store(url), redaction)


@st.cache_data(show_spinner="Finding adults of concern and places linked to several young people...", max_entries=32)
def _complex_strategy(url: str, version: str, as_at: str, days: int, redaction: str) -> dict:
    w = Window.ending(as_at, days)
    return views.at_level(lambda s: views.complex_strategy(s, w, redaction=redaction), _store(url), redaction)


@st.cache_data(show_spinner=False, max_entries=32)
def _reviews_due(url: str, version: str, as_at: str, redaction: str) -> dict:
    return views.reviews_due(_store(url), as_at, redaction=redaction)


@st.cache_data(show_spinner="Gathering the records...", max_entries=64)
def _person_profile(url: str, version: str, as_at: str, days: int, person_id: str, redaction: str) -> dict:
    return views.person_profile(_store(url), Window.ending(as_at, days), person_id, redaction=redaction)


@st.cache_data(show_spinner=False, max_entries=8)
def _people(url: str, version: str) -> list[dict]:
    df = _store(url).table("people")
    return df[["person_id", "forename", "surname", "role", "date_of_birth"]].to_dict("records")


@st.cache_data(show_spinner="Running the analysis...", max_entries=32)
def _analysis(name: str, url: str, version: str, as_at: str, days: int) -> Any:
    return ANALYSES[name](_store(url), Window.ending(as_at, days))


@st.cache_data(show_spinner="Making the pack...", max_entries=16)
def _pack_files(url: str, version: str, as_at: str, days: int, redaction: str, kind: str,
                ids: tuple[tuple[str, str], ...]) -> tuple[str, bytes]:
    from ..packs import render_docx, render_html
    from ..packs.build import build_pack

    pack = build_pack(kind, _store(url), Window.ending(as_at, days), redaction=redaction, **dict(ids))
    return render_html(pack), render_docx(pack)


def pack_files(kind: str, **ids: str | None) -> Callable[[], tuple[str, bytes]]:
    """A page's pack as a function giving (HTML, DOCX bytes), made only when called (a download
    button runs it on click, on another thread: so the page's settings are read here, now) and
    cached like the views. The same content as `graphmap report`."""
    w = window()
    args = (*_key(), w.as_at.isoformat(), w.days, redaction(), kind,
            tuple(sorted((k, v) for k, v in ids.items() if v)))
    return lambda: _pack_files(*args)


def _key() -> tuple[str, str]:
    return store_url(), store_version()


def overview() -> dict:
    return _overview(*_key())


def ego_network(person_id: str, hops: int) -> dict:
    w = window()
    return _ego_network(*_key(), w.as_at.isoformat(), w.days, person_id, hops, redaction())


def places() -> dict:
    w = window()
    return _places(*_key(), w.as_at.isoformat(), w.days)


def locations_board(location_id: str | None) -> dict:
    w = window()
    return _locations_board(*_key(), w.as_at.isoformat(), w.days, location_id)


def recorded_groups() -> list[dict]:
    w = window()
    return _recorded_groups(*_key(), w.as_at.isoformat(), w.days)


def peer_group(group_id: str) -> dict:
    w = window()
    return _peer_group(*_key(), w.as_at.isoformat(), w.days, group_id, redaction())


def weekly_review() -> dict:
    return _weekly_review(*_key(), window().as_at.isoformat(), redaction())


def complex_strategy() -> dict:
    w = window()
    return _complex_strategy(*_key(), w.as_at.isoformat(), w.days, redaction())


def reviews_due() -> dict:
    return _reviews_due(*_key(), window().as_at.isoformat(), redaction())


def person_profile(person_id: str) -> dict:
    w = window()
    return _person_profile(*_key(), w.as_at.isoformat(), w.days, person_id, redaction())


def people() -> list[dict]:
    return _people(*_key())


def analysis(name: str) -> Any | None:
    """A cached analysis result for the sidebar's window, or ``None`` when not wired yet."""
    if name not in ANALYSES:
        return None
    w = window()
    return _analysis(name, *_key(), w.as_at.isoformat(), w.days)


def clear_after_write() -> None:
    """Views are keyed by store version, so nothing is stale; this just frees memory."""
    st.cache_data.clear()


# --- sidebar and marking -----------------------------------------------------------------------
def _default_as_at() -> date:
    """The day of the latest incident held (a meeting looks at what is loaded), else today."""
    last = overview()["date_range"]["last"]
    return min(date.fromisoformat(last), date.today()) if last else date.today()


def sidebar() -> None:
    """As-at date, window and redaction level: set once, used by every page."""
    ss = st.session_state
    if "as_at" not in ss:
        ss["as_at"] = _default_as_at()
    if "window_days" not in ss:
        ss["window_days"] = int(schema.setting("analysis.window_days"))
    levels = views.redaction_levels()
    if "redaction" not in ss:
        ss["redaction"] = schema.setting("app.default_redaction")
    with st.sidebar:
        st.markdown(f"**{MARKING}**")
        st.date_input("As at", key="as_at", format="YYYY-MM-DD",
                      help="What was known up to this day (inclusive). Default: the latest incident loaded.")
        st.number_input("Window (days)", key="window_days", min_value=1, max_value=3650, step=1,
                        help="How far back from the as-at date records count.")
        st.selectbox("Redaction level", levels, key="redaction",
                     help="Printed on every page and pack; what each level withholds is set by governance.")
        w = window()
        st.caption(f"Window: {w.start_iso} to {w.as_at.isoformat()}")
        st.caption(f"Store: {store().engine} · single user (no sign-in configured)")


def window() -> Window:
    ss = st.session_state
    as_at = ss.get("as_at") or date.today()
    return Window.ending(as_at, int(ss.get("window_days") or schema.setting("analysis.window_days")))


def redaction() -> str:
    return str(st.session_state.get("redaction") or schema.setting("app.default_redaction"))


def marking() -> None:
    """The protective marking, as-at date, window and redaction level, at the top of every page."""
    st.markdown(
        "<div style='background:#fde8e8;border:1px solid #d62728;padding:4px 10px;border-radius:4px;"
        f"font-weight:600'>{html.escape(marking_text())}</div>", unsafe_allow_html=True)


def marking_text() -> str:
    w = window()
    return (f"{MARKING} · as at {w.as_at.isoformat()} · window {w.days} days "
            f"({w.start_iso} to {w.as_at.isoformat()}) · redaction: {redaction()}")


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def md(text: object) -> str:
    r"""Record text made inert for Streamlit markdown (headings, captions): shown as typed.

    >>> md("<img src=x> [a](javascript:x)")
    '\\<img src=x\\> \\[a\\]\\(javascript\\:x\\)'
    """
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def awaiting(what: str, analysis: str) -> None:
    """Say which analysis a part of a page waits for (never a made-up number)."""
    st.info(f"**{what}**: awaits {views.AWAITING[analysis]}.")
