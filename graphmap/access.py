"""Who may see what: roles, pseudonyms, redaction for a role, and sign-in.

Roles are partnership policy in ``schema/roles.yaml``. Every view and export passes its data
through :func:`redact_tables` (store tables) or :func:`redact` (any result: DataFrames, dicts,
lists) for the reader's role, and checks the action with :func:`require`, so the CLI and the
app enforce the same rules. :func:`reader_store` gives the whole store as a role may see it
(a read-only :class:`ReaderStore`), so views, analyses and packs built on it cannot contain
what the role may not see; the app reads only through it.

A Locations Board (``community_safety``) reader sees places, counts and **pseudonyms**: a
keyed HMAC-SHA256 of the person id with a per-store secret, stable from month to month so a
board can follow "PS-3f9a2c71b0de" without learning who it is, and not reversible from the
output (without the key, a pseudonym reveals nothing; ids cannot be tried one by one).

Sign-in: the app uses Streamlit's OIDC ``st.login`` (councils: Microsoft Entra ID) when
``.streamlit/secrets.toml`` has an ``[auth]`` section; :func:`actor_from_identity` maps the
signed-in e-mail or groups to a role. Without it the app runs single-user
(:func:`single_user_actor`) and must show :data:`SINGLE_USER_NOTICE`.

References
----------
Krawczyk, H., Bellare, M. and Canetti, R. (1997). "HMAC: Keyed-Hashing for Message
Authentication." RFC 2104.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import os
import re
import secrets as _secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import pandas as pd

from . import schema
from .store.base import Store


IDENTITIES = ("names", "pseudonyms", "none")
SCOPES = ("person", "places", "packs")
INTELLIGENCE = ("all", "shareable", "none")
SINGLE_USER_NOTICE = ("Single-user mode: sign-in is not configured, so everyone using this screen "
                      "acts as one user with the '{role}' role. Configure OIDC sign-in before a "
                      "partnership shares this store.")
#: The store meta key under which the pseudonym secret is kept (``$GRAPHMAP_PSEUDONYM_KEY`` wins).
SECRET_KEY = "pseudonym_secret"


class AccessDenied(PermissionError):
    """The reader's role may not do this. The message says who, which role and what."""


@dataclass(frozen=True)
class Role:
    """One role from ``schema/roles.yaml``."""

    name: str
    description: str
    identity: str
    scope: str
    dates_of_birth: bool
    flags: bool
    gradings: bool
    free_text: bool
    intelligence: str
    actions: frozenset[str]
    max_redaction: str = "full"

    def can(self, action: str) -> bool:
        return action in self.actions


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user name (or e-mail) and their role's name."""

    user: str
    role: str


def roles() -> dict[str, Role]:
    """Every role, checked: unknown values or actions are a :class:`schema.SchemaError`."""
    data = schema.roles_file()
    path = schema.SCHEMA_DIR / "roles.yaml"
    known_actions = set(schema.vocabulary("audit_action"))
    out = {}
    for name, body in data["roles"].items():
        def pick(key: str, allowed: tuple[str, ...]) -> str:
            value = str(body.get(key, ""))
            if value not in allowed:
                raise schema.SchemaError(f"{path}: roles.{name}.{key}: {value!r} is not one of {', '.join(allowed)}")
            return value

        acts = frozenset(str(a) for a in body.get("actions") or [])
        levels = tuple(str(v) for v in schema.setting("app.redaction_levels"))
        most = str(body.get("max_redaction", levels[0]))
        if most not in levels:
            raise schema.SchemaError(f"{path}: roles.{name}.max_redaction: {most!r} is not one of {', '.join(levels)}")
        if acts - known_actions:
            raise schema.SchemaError(f"{path}: roles.{name}.actions: unknown {', '.join(sorted(acts - known_actions))}")
        out[str(name)] = Role(str(name), str(body.get("description", "")), pick("identity", IDENTITIES),
                              pick("scope", SCOPES), bool(body.get("dates_of_birth")), bool(body.get("flags")),
                              bool(body.get("gradings")), bool(body.get("free_text")),
                              pick("intelligence", INTELLIGENCE), acts, most)
    return out


def role(name: str | Role) -> Role:
    if isinstance(name, Role):
        return name
    all_roles = roles()
    if name not in all_roles:
        raise AccessDenied(f"unknown role {name!r} (roles: {', '.join(all_roles)})")
    return all_roles[name]


def redaction_levels(reader: str | Role) -> list[str]:
    """The pack redaction levels role ``reader`` may choose: its ``max_redaction`` and every
    stricter one (settings ``app.redaction_levels`` lists them most permissive first).

    >>> redaction_levels("community_safety")
    ['professionals-only', 'family-present']
    """
    levels = [str(v) for v in schema.setting("app.redaction_levels")]
    return levels[levels.index(role(reader).max_redaction):]


def check_redaction(reader: str | Role, level: str) -> str:
    """``level`` if role ``reader`` may choose it, else :class:`AccessDenied` saying which it may."""
    allowed = redaction_levels(reader)
    if level not in allowed:
        raise AccessDenied(f"role {role(reader).name} may make packs at redaction {', '.join(allowed)}, not {level!r}")
    return level


def fields(kind: str) -> tuple[str, ...]:
    """Column / result-key names of one kind (``name``, ``person_id``, ...) from roles.yaml."""
    return tuple(schema.roles_file().get("fields", {}).get(kind, []))


def current_user() -> str:
    """``$GRAPHMAP_USER`` if set, else the operating-system user."""
    return os.environ.get("GRAPHMAP_USER") or getpass.getuser()


def current_actor() -> Actor:
    """The CLI's actor: :func:`current_user` with ``$GRAPHMAP_ROLE`` (default: the single-user role).

    The CLI runs on the analyst's own machine against a store they can open anyway; the role
    here keeps its outputs to the same rules as the app, it is not a security boundary.
    """
    return Actor(current_user(), os.environ.get("GRAPHMAP_ROLE") or single_user_role())


def require(actor: Actor, action: str) -> Role:
    """The actor's role, if it may do ``action``; else :class:`AccessDenied`."""
    r = role(actor.role)
    if not r.can(action):
        raise AccessDenied(f"user {actor.user!r} (role {r.name}) may not {action.replace('_', ' ')}")
    return r


def check_export_reason(reason: str | None) -> str:
    """The reason for an export, required when settings say so (governance.export_reason_required)."""
    reason = (reason or "").strip()
    if not reason and schema.setting("governance.export_reason_required", False):
        raise AccessDenied("an export needs a reason (who it is for and why), e.g. --reason 'MACE 2026-12-03'")
    return reason


# --- pseudonyms ------------------------------------------------------------------------------

def store_secret(store: "Store") -> bytes:
    """The pseudonym key: ``$GRAPHMAP_PSEUDONYM_KEY`` if set (to share pseudonyms across stores),
    else a random 256-bit key made once per store and kept in it."""
    env = os.environ.get("GRAPHMAP_PSEUDONYM_KEY")
    if env:
        return env.encode("utf-8")
    return bytes.fromhex(store.set_meta_once(SECRET_KEY, _secrets.token_hex(32)))


def pseudonym(person_id: str, secret: bytes) -> str:
    """A stable code for a person that does not reveal them without ``secret``.

    >>> pseudonym("P001", b"k") == pseudonym("P001", b"k") != pseudonym("P001", b"other")
    True
    >>> pseudonym("P001", b"k")[:3]
    'PS-'
    """
    if not person_id:
        return ""
    digest = hmac.new(secret, str(person_id).encode("utf-8"), hashlib.sha256).hexdigest()
    return str(schema.setting("governance.pseudonym_prefix", "PS-")) + digest[:12]


# --- redaction for a role --------------------------------------------------------------------

def _handling(grading: str) -> str:
    return grading.strip()[-1:].upper() if grading.strip() else ""


def _withheld_intelligence(r: Role, type_: str, grading: str) -> bool:
    """Whether a record built from intelligence is withheld from role ``r``."""
    is_intel = type_ == "intelligence" or bool(grading.strip())
    if not is_intel or r.intelligence == "all":
        return False
    if r.intelligence == "none":
        return True
    return _handling(grading) != "P"  # shareable: handling code P only (C, or ungraded, withheld)


def _row_mask(df: pd.DataFrame, r: Role) -> pd.Series:
    """True for rows the role may see (intelligence rules; vectorised :func:`_withheld_intelligence`)."""
    if r.intelligence == "all" or df.empty:
        return pd.Series(True, index=df.index)
    type_ = df["type"].astype(str) if "type" in df else pd.Series("", index=df.index)
    grading = df["grading"].fillna("").astype(str).str.strip() if "grading" in df else pd.Series("", index=df.index)
    is_intel = (type_ == "intelligence") | (grading != "")
    if r.intelligence == "none":
        return ~is_intel
    return ~is_intel | (grading.str[-1:].str.upper() == "P")


def _redact_columns(df: pd.DataFrame, r: Role, secret: bytes | None, record: str | None) -> pd.DataFrame:
    out = df.copy()
    blank: list[str] = []
    if r.identity != "names":
        blank += fields("name")
    if not r.dates_of_birth:
        blank += fields("date_of_birth")
    if not r.flags:
        blank += fields("flags")
    if not r.gradings:
        blank += fields("grading")
    if not r.free_text:
        blank += fields("free_text")
    if record == "people" and r.identity != "names":
        # A pseudonymised person is their code and their role; nothing else that could single them out.
        blank += [c for c in out.columns if c not in ("person_id", "role")]
    for c in set(blank) & set(out.columns):
        out[c] = "{}" if c == "props" else ""
    if r.identity != "names":
        for c in set(fields("person_id")) & set(out.columns):
            if all(isinstance(v, str) for v in out[c]):  # plain id columns: one HMAC per distinct id
                codes = {v: _hide_id(v, r, secret) for v in out[c].unique()}
                out[c] = out[c].map(codes)
            else:
                out[c] = out[c].map(lambda v: _hide_id(v, r, secret))
    return out


def _hide_id(value: Any, r: Role, secret: bytes | None) -> Any:
    if isinstance(value, (list, tuple, set, frozenset)):
        return type(value)(_hide_id(v, r, secret) for v in value) if not isinstance(value, set) \
            else {_hide_id(v, r, secret) for v in value}
    if r.identity == "none" or not isinstance(value, str) or not value:
        return "" if r.identity == "none" else value
    if secret is None:
        raise ValueError("a pseudonym secret is needed for a role that sees pseudonyms (access.store_secret)")
    return pseudonym(value, secret)


def _check_scope(r: Role) -> None:
    if r.scope == "packs":
        raise AccessDenied(f"role {r.name} sees only the packs it is given, not the store")


def redact_table(df: pd.DataFrame, record: str, reader: str | Role, *, secret: bytes | None = None) -> pd.DataFrame:
    """One store table as role ``reader`` may see it (rows withheld, columns blanked, ids
    pseudonymised). Use :func:`redact_tables` for several tables: it also drops the
    involvements of withheld incidents."""
    r = role(reader)
    _check_scope(r)
    if r.scope == "places" and record in fields("person_records"):
        return df.iloc[0:0].copy()
    kept = df[_row_mask(df, r)]
    return _redact_columns(kept, r, secret, record).reset_index(drop=True)


def redact_tables(tables: Mapping[str, pd.DataFrame], reader: str | Role, *,
                  secret: bytes | None = None) -> dict[str, pd.DataFrame]:
    """Store tables (as :meth:`Store.tables` gives them) as role ``reader`` may see them.

    Involvements of a withheld incident are withheld with it, so counts made from the result
    never include what the reader may not see.
    """
    r = role(reader)
    out = {name: redact_table(df, name, r, secret=secret) for name, df in tables.items()}
    if "involvements" in tables and "incidents" in tables and len(tables["incidents"]):
        inc = tables["incidents"]
        withheld = set(inc.loc[~_row_mask(inc, r), "incident_id"])
        if withheld:
            inv = tables["involvements"]
            out["involvements"] = redact_table(inv[~inv["incident_id"].isin(withheld)], "involvements", r,
                                               secret=secret)
    return out


#: What a walk returns for an item removed whole (an item withheld from a list).
DROP = object()


def walk_result(obj: Any, *, frame: Callable[[pd.DataFrame], pd.DataFrame], withheld: Callable[[Mapping], bool],
                field: Callable[[Mapping, Any, Any], tuple[bool, Any]], key: Callable[[Any], Any] = lambda k: k,
                leaf: Callable[[Any], Any] = lambda v: v) -> Any:
    """Rebuild a nested result (dicts, lists, tuples, sets, DataFrames), the one walker behind
    role redaction (:func:`redact`) and pack levels (:func:`graphmap.redaction.apply_level`).

    ``frame(df)`` redacts a table; a mapping for which ``withheld(m)`` is true is removed from
    its list (``None`` as a dict value, :data:`DROP` at the top); each entry goes through
    ``field(mapping, k, v)``, which returns ``(True, new value)`` when it decides the entry
    itself, else ``(False, _)`` to walk the value; keys go through ``key``; any other value
    through ``leaf``.
    """
    def walk(x: Any) -> Any:
        if isinstance(x, pd.DataFrame):
            return frame(x)
        if isinstance(x, Mapping):
            if withheld(x):
                return DROP
            out = {}
            for k, v in x.items():
                decided, value = field(x, k, v)
                if not decided:
                    value = walk(v)
                    value = None if value is DROP else value
                out[key(k)] = value
            return out
        if isinstance(x, (list, tuple)):
            items = [walk(v) for v in x]
            return type(x)(v for v in items if v is not DROP)
        if isinstance(x, (set, frozenset)):
            return type(x)(walk(v) for v in x)
        return leaf(x)

    return walk(obj)


def redact(obj: Any, reader: str | Role, *, secret: bytes | None = None,
           person_ids: Iterable[str] = ()) -> Any:
    """Any result (DataFrame, dict, list, nested) as role ``reader`` may see it.

    Keys named in ``roles.yaml`` ``fields`` are blanked or pseudonymised; a dict or row that is
    an intelligence item the role may not see is removed (from lists) or set to ``None``; any
    string equal to one of ``person_ids`` (node lists, dict keys of per-person scores) is
    pseudonymised too. Free text cannot be searched for names reliably, so text fields are
    withheld whole from roles without ``free_text``: build labels *after* redacting.
    """
    r = role(reader)
    _check_scope(r)
    ids = set(person_ids)
    hide = bool(ids) and r.identity != "names"
    id_keys = set(fields("person_id"))
    blank = set()
    if r.identity != "names":
        blank |= set(fields("name"))
    if not r.dates_of_birth:
        blank |= set(fields("date_of_birth"))
    if not r.flags:
        blank |= set(fields("flags"))
    if not r.gradings:
        blank |= set(fields("grading"))
    if not r.free_text:
        blank |= set(fields("free_text"))

    def known_id(v: Any) -> Any:
        return _hide_id(v, r, secret) if hide and isinstance(v, str) and v in ids else v

    def frame(x: pd.DataFrame) -> pd.DataFrame:
        out = _redact_columns(x[_row_mask(x, r)], r, secret, None)
        if hide:
            for c in out.columns:
                # Text is pandas 3's ``str`` dtype (not ``object``) when read from a store or CSV.
                if out[c].dtype == object or pd.api.types.is_string_dtype(out[c].dtype):
                    out[c] = out[c].map(known_id)
        return out.reset_index(drop=True)

    def field(_m: Mapping, k: Any, v: Any) -> tuple[bool, Any]:
        if k in blank:
            return True, "" if isinstance(v, str) or v is None else None
        if k in id_keys and r.identity != "names":
            return True, _hide_id(v, r, secret)
        return False, None

    out = walk_result(obj, frame=frame, field=field, key=known_id, leaf=known_id,
                      withheld=lambda m: _withheld_intelligence(r, str(m.get("type", "")), str(m.get("grading", "") or "")))
    return None if out is DROP else out


# --- the store as a role may see it -------------------------------------------------------------

def sees_everything(reader: str | Role) -> bool:
    """Whether role ``reader`` sees every stored value as it is (no redaction to apply)."""
    r = role(reader)
    return (r.identity == "names" and r.scope == "person" and r.dates_of_birth and r.flags and r.gradings
            and r.free_text and r.intelligence == "all")


def reader_store(store: "Store", reader: str | Role | Actor, *, secret: bytes | None = None) -> "Store":
    """``store`` as role ``reader`` may see it: the one place views, analyses and packs get
    their data from, so what they build (labels, counts, networks, packs) can only contain what
    the role may see.

    A role that sees everything gets ``store`` itself (no copy); any other role gets a
    read-only :class:`ReaderStore`; a packs-only role gets :class:`AccessDenied`.
    """
    r = role(reader.role if isinstance(reader, Actor) else reader)
    _check_scope(r)
    if sees_everything(r):
        return store
    return ReaderStore(store, r, secret=secret)


class ReaderStore(Store):
    """A read-only view of a store for one role: every table redacted once
    (:func:`redact_tables`), every store method answered from those tables, so
    :meth:`Store.subgraph`, :meth:`Store.info` and any analysis run over what the role may
    see (pseudonymised ids throughout, withheld intelligence never linking anyone).
    Writes raise :class:`AccessDenied`."""

    def __init__(self, store: "Store", reader: str | Role, *, secret: bytes | None = None):
        self.base = store
        self.role = role(reader)
        _check_scope(self.role)
        self.url, self.engine = store.url, store.engine
        if secret is None and self.role.identity == "pseudonyms":
            secret = store_secret(store)
        self._secret = secret
        self._tables: dict[str, pd.DataFrame] | None = None
        self._real: dict[str, str] | None = None

    # reading
    def tables(self) -> dict[str, pd.DataFrame]:
        if self._tables is None:
            self._tables = redact_tables(self.base.tables(), self.role, secret=self._secret)
        return {k: v.copy(deep=False) for k, v in self._tables.items()}

    def table(self, record: str) -> pd.DataFrame:
        self.tables()
        return self._tables[record].copy(deep=False)

    def _key(self, record: str) -> str:
        return schema.record_specs()[record].key[0]

    def get(self, record: str, ids: set[str]) -> pd.DataFrame:
        df = self.table(record)
        return df[df[self._key(record)].isin(set(ids))].reset_index(drop=True)

    def existing_ids(self, record: str, ids: set[str]) -> set[str]:
        return set(self.table(record)[self._key(record)]) & set(ids)

    def counts(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.tables().items()}

    def links_touching(self, person_ids: set[str], start: str, end: str):
        a = self.table("associations")
        a = a[(a["person_id_a"].isin(person_ids) | a["person_id_b"].isin(person_ids))
              & ((start == "") | (a["last_seen"] == "") | (a["last_seen"] >= start))
              & ((end == "") | (a["first_seen"] == "") | (a["first_seen"] <= end))]
        inc = self.table("incidents")
        inc = inc[((start == "") | (inc["start"] >= start)) & ((end == "") | (inc["start"] <= end))]
        v = self.table("involvements")
        touched = set(v.loc[v["person_id"].isin(person_ids), "incident_id"]) & set(inc["incident_id"])
        return a.reset_index(drop=True), v[v["incident_id"].isin(touched)].reset_index(drop=True)

    def loads(self) -> pd.DataFrame:
        return self.base.loads()

    def write_marks(self) -> dict[str, str]:
        return self.base.write_marks()

    def real_id(self, person_id: str) -> str:
        """The stored id behind a pseudonym shown to this role (for the audit log)."""
        if self.role.identity == "names":
            return person_id
        if self._real is None:
            ids = self.base.table("people")["person_id"]
            self._real = {_hide_id(p, self.role, self._secret): p for p in ids} if self._secret else {}
        return self._real.get(person_id, person_id)

    # writing: never through a reader's view
    def _refuse(self, *_, **__):
        raise AccessDenied(f"role {self.role.name} reads the store through a read-only view")

    write = delete_source = append_audit = delete_records = set_meta_once = _refuse

    def audit_entries(self, filters: dict | None = None) -> pd.DataFrame:
        return self._refuse()

    def get_meta(self, key: str) -> str | None:
        return None

    def close(self) -> None:
        """The underlying store belongs to whoever opened it."""



# --- the views the app and CLI share -----------------------------------------------------------

def view_person(store: "Store", actor: Actor, person_id: str, *, hops: int = 1, start=None, end=None,
                reason: str = "") -> dict[str, pd.DataFrame]:
    """A person's network (:meth:`Store.subgraph`) for ``actor``: checked, audited, redacted."""
    from . import audit

    r = require(actor, "view_person")
    sg = store.subgraph(person_id, hops=hops, start=start, end=end)
    audit.record(store, "view_person", actor=actor, subject=f"person:{person_id}", reason=reason,
                 detail={"hops": hops, "people": len(sg.people), "start": str(start or ""), "end": str(end or "")})
    tables = {"people": sg.people, "incidents": sg.incidents, "involvements": sg.involvements,
              "associations": sg.associations}
    secret = store_secret(store) if r.identity == "pseudonyms" else None
    return redact_tables(tables, r, secret=secret)


def view_group(store: "Store", actor: Actor, group_id: str, person_ids: Iterable[str], *,
               reason: str = "") -> dict[str, pd.DataFrame]:
    """A peer group's members for ``actor`` (checked, audited, redacted); the caller supplies
    the member ids (a stored group's memberships or a computed peer group)."""
    from . import audit

    r = require(actor, "view_group")
    members = sorted(set(person_ids))
    audit.record(store, "view_group", actor=actor, subject=f"group:{group_id}", reason=reason,
                 detail={"members": len(members)})
    secret = store_secret(store) if r.identity == "pseudonyms" else None
    return {"people": redact_table(store.get("people", set(members)), "people", r, secret=secret)}


def place_summary(store: "Store", actor: Actor, *, start=None, end=None) -> pd.DataFrame:
    """The Locations Board table: each place with incident and people counts in the window and
    the people there as names or pseudonyms, as the actor's role allows. Audited."""
    from . import audit
    from .store.base import window_bounds

    r = require(actor, "view_places")
    s, e = window_bounds(start, end)
    t = redact_tables({k: store.table(k) for k in ("people", "locations", "incidents", "involvements", "presence")},
                      r, secret=store_secret(store) if r.identity == "pseudonyms" else None)
    inc = t["incidents"]
    inc = inc[(inc["location_id"] != "") & ((s == "") | (inc["start"] >= s)) & ((e == "") | (inc["start"] <= e))]
    inv = t["involvements"][t["involvements"]["role"] != "reporting"].merge(
        inc[["incident_id", "location_id"]], on="incident_id")
    n_inc = inc.groupby("location_id")["incident_id"].agg(lambda x: ";".join(sorted(x)))
    seen = inv[inv["person_id"] != ""].groupby("location_id")["person_id"].agg(lambda x: sorted(set(x)))
    rows = []
    for loc in t["locations"].itertuples(index=False):
        ids = n_inc.get(loc.location_id, "")
        people = seen.get(loc.location_id, [])
        rows.append({"location_id": loc.location_id, "name": loc.name, "type": loc.type, "ward": loc.ward,
                     "incidents": len(ids.split(";")) if ids else 0, "people": len(people),
                     "people_seen": ";".join(people), "incident_ids": ids})
    audit.record(store, "view_places", actor=actor, subject="places",
                 detail={"places": len(rows), "start": s, "end": e})
    cols = ["location_id", "name", "type", "ward", "incidents", "people", "people_seen", "incident_ids"]
    return pd.DataFrame(rows, columns=cols).sort_values(["incidents", "location_id"], ascending=[False, True],
                                                        ignore_index=True)


# --- packs given to a user ------------------------------------------------------------------------

PACK_SUFFIXES = (".html", ".docx")
_SAFE_USER = re.compile(r"^[A-Za-z0-9._%+@-]{1,254}$")


def shared_packs_dir() -> Path:
    return Path(os.environ.get("GRAPHMAP_SHARED_PACKS") or schema.setting("governance.shared_packs_dir",
                                                                            "shared_packs"))


def given_packs(actor: Actor, folder: str | os.PathLike | None = None) -> list[Path]:
    """The packs given to ``actor``: files ``<folder>/<user>/*.html|*.docx`` (user lower-cased),
    newest first. A user name that could leave the folder (``..``, ``/``) has no packs, and a
    file that resolves outside the user's folder (a symlink) is not listed."""
    require(actor, "view_pack")
    user = actor.user.strip().lower()
    if not _SAFE_USER.match(user) or user.strip(".") == "":
        return []
    root = Path(folder) if folder is not None else shared_packs_dir()
    mine = (root / user)
    if not mine.is_dir():
        return []
    base = mine.resolve()
    found = [p for p in mine.iterdir()
             if p.is_file() and p.suffix.lower() in PACK_SUFFIXES and p.resolve().parent == base]
    return sorted(found, key=lambda p: (-p.stat().st_mtime, p.name))


# --- sign-in -------------------------------------------------------------------------------------

def single_user_role() -> str:
    return str(schema.roles_file().get("sign_in", {}).get("single_user_role", "analyst"))


def sign_in_configured(secrets: Mapping[str, Any] | None) -> bool:
    """Whether Streamlit OIDC sign-in is configured (an ``[auth]`` section in secrets.toml with
    ``redirect_uri`` and ``cookie_secret``, and a provider's ``client_id`` /
    ``server_metadata_url``, at top level or in a named provider sub-section)."""
    auth = (secrets or {}).get("auth")
    if not isinstance(auth, Mapping) or not auth.get("redirect_uri") or not auth.get("cookie_secret"):
        return False
    providers = [auth] + [v for v in auth.values() if isinstance(v, Mapping)]
    return any(p.get("client_id") and p.get("server_metadata_url") for p in providers)


def single_user_actor() -> Actor:
    """The one user of an app without sign-in: :func:`current_actor` (``$GRAPHMAP_USER`` /
    ``$GRAPHMAP_ROLE``, else the OS user with roles.yaml ``sign_in.single_user_role``), so a
    Locations Board laptop can run ``GRAPHMAP_ROLE=community_safety graphmap app``."""
    actor = current_actor()
    role(actor.role)  # an unknown $GRAPHMAP_ROLE is an error, not a silent grant
    return actor


def single_user_notice(actor: Actor | None = None) -> str:
    return SINGLE_USER_NOTICE.format(role=(actor or single_user_actor()).role)


def login_provider(secrets: Mapping[str, Any] | None) -> str | None:
    """The provider name to pass to ``st.login``: ``None`` when ``[auth]`` itself holds the
    provider, else the first ``[auth.NAME]`` section that does (e.g. ``microsoft``)."""
    auth = (secrets or {}).get("auth") or {}
    if auth.get("client_id") and auth.get("server_metadata_url"):
        return None
    for name, v in auth.items():
        if isinstance(v, Mapping) and v.get("client_id") and v.get("server_metadata_url"):
            return str(name)
    return None


def actor_from_identity(identity: Mapping[str, Any]) -> Actor:
    """Map a signed-in identity (``st.user``: OIDC claims) to an actor.

    Rules from roles.yaml ``sign_in``, first match wins: ``by_email`` (exact, case-insensitive),
    then ``by_group`` (Entra ID ``groups`` / ``roles`` claims), then ``by_domain``, else
    ``default_role`` (panel_member: the least). Where several groups match, the first group
    listed in the settings wins, so the order there is the precedence.
    """
    rules = schema.roles_file().get("sign_in", {}) or {}
    email = str(identity.get("email") or identity.get("preferred_username") or identity.get("upn") or "").strip()
    if not email:
        raise AccessDenied("the sign-in provider gave no e-mail for this user")
    low = email.lower()
    by_email = {str(k).lower(): str(v) for k, v in (rules.get("by_email") or {}).items()}
    claims: set[str] = set()
    for key in ("groups", "roles"):
        val = identity.get(key) or []
        claims |= {str(val)} if isinstance(val, str) else {str(v) for v in val}
    chosen = by_email.get(low)
    if chosen is None:
        for group, role_name in (rules.get("by_group") or {}).items():
            if str(group) in claims:
                chosen = str(role_name)
                break
    if chosen is None:
        domain = low.rsplit("@", 1)[-1]
        chosen = {str(k).lower(): str(v) for k, v in (rules.get("by_domain") or {}).items()}.get(domain)
    chosen = chosen or str(rules.get("default_role", "panel_member"))
    role(chosen)  # an unknown role in the settings is an error, not a silent grant
    return Actor(email, chosen)


def app_actor(secrets: Mapping[str, Any] | None, identity: Mapping[str, Any] | None) -> tuple[Actor | None, str]:
    """What the app needs on every page: ``(actor, notice)``.

    - sign-in configured and ``identity`` signed in: the mapped actor, notice ``""``;
    - sign-in configured, not signed in: ``(None, "")``: the page calls ``st.login()`` and stops;
    - not configured: the single-user actor and :func:`single_user_notice`, which the page shows.

    The app passes ``st.secrets.to_dict()`` and ``st.user.to_dict()`` (``is_logged_in`` plus claims).
    """
    if not sign_in_configured(secrets):
        actor = single_user_actor()
        return actor, single_user_notice(actor)
    if not identity or not identity.get("is_logged_in"):
        return None, ""
    return actor_from_identity(identity), ""

