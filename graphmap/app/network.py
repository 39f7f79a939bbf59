"""Network: a peer group, a person's network (N hops) or the whole window, filtered, coloured by
peer group, sized by a measure, with adults of concern and bridges marked and the evidence for
every tie on hover (:func:`graphmap.views.network_view`)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from .. import network_picture as picture
from .. import schema
from . import state
from .people_picker import pick_person

MODES = {"A peer group": "group", "A person's network": "person", "The whole window": "window"}
DRAW = {"People (the strongest ties when large)": False, "One node per peer group": True}


def _everything_first(key: str, options) -> None:
    """Start a filter at "everything"; keep a chosen value only where the window still offers it."""
    ss = st.session_state
    ss[key] = list(options) if key not in ss else [v for v in ss[key] if v in set(options)]


FILTERS = ("network_incident_types", "network_link_kinds", "network_source_evaluations", "network_assessments",
           "network_min_evidence", "network_size_by")


def _filters(source: dict) -> dict:
    """The filter widgets; a filter left at "everything" is passed as None (no filter).

    The widgets are made and sent only while their expander is open (a rerun when it is opened
    or closed): four multiselects and three other widgets took a new tab of a Network page about
    0.5 s to draw, closed or not (``benchmarks/bench_app_floor.py``, session 9). Their values live
    in the session state under the same keys (:func:`state.keep_while_folded`), so a filter
    chosen and then folded away still applies.
    """
    ss = st.session_state
    for key, opts in (("network_incident_types", source["incident_types"]), ("network_link_kinds", source["link_kinds"]),
                      ("network_source_evaluations", picture.SOURCE_EVALUATIONS),
                      ("network_assessments", picture.ASSESSMENTS)):
        _everything_first(key, opts)
    ss.setdefault("network_min_evidence", 1)
    ss.setdefault("network_size_by", next(iter(picture.MEASURES)))
    state.keep_while_folded(*FILTERS)
    box = st.expander("Filters and size", key="network_filters", on_change="rerun")
    if box.open:
        left, mid, right = box.columns(3)
        left.multiselect("Incident types", source["incident_types"], key="network_incident_types",
                         help="Evidence stands only if every incident behind it is of a chosen type; "
                              "recorded associations have no incident and always stand.")
        left.multiselect("Link kinds", source["link_kinds"], key="network_link_kinds",
                         format_func=lambda k: k.replace("_", " "))
        mid.multiselect("Source evaluation (3x5x2)", list(picture.SOURCE_EVALUATIONS), key="network_source_evaluations",
                        help="1 reliable, 2 untested, 3 not reliable. Ungraded records are not "
                             "intelligence and always stand.")
        mid.multiselect("Intelligence assessment (3x5x2)", list(picture.ASSESSMENTS), key="network_assessments",
                        help="A known directly ... E suspected false.")
        right.number_input("Minimum pieces of evidence per tie", min_value=1, max_value=50, step=1,
                           key="network_min_evidence")
        right.selectbox("Size people by", list(picture.MEASURES), key="network_size_by",
                        format_func=lambda m: picture.MEASURES[m])
    types, kinds, evals, grades, least, size_by = (ss[k] for k in FILTERS)

    def chosen(values, everything):
        return None if set(values) >= set(everything) else tuple(sorted(values))

    return {"incident_types": chosen(types, source["incident_types"]), "link_kinds": chosen(kinds, source["link_kinds"]),
            "source_evaluations": chosen(evals, picture.SOURCE_EVALUATIONS),
            "assessments": chosen(grades, picture.ASSESSMENTS), "min_evidence": int(least), "size_by": size_by,
            "cap": int(schema.setting("app.network_node_cap"))}


def main() -> None:
    st.title("Network")
    state.marking()
    wanted = {v: k for k, v in MODES.items()}.get(st.query_params.get("mode", ""))
    if "network_mode" not in st.session_state and wanted:
        st.session_state["network_mode"] = wanted  # ?mode=group|person|window links here
    label = st.radio("Show", list(MODES), key="network_mode", horizontal=True)
    mode = MODES[label]
    options: dict = {"mode": mode}
    if mode == "group":
        gid = state.pick_group("network_group", state.group_choices())  # ?group=ID links here
        if not gid:
            st.caption("Choose a peer group found in the data (PG...) or a recorded group: its members, the ties "
                       "between them and the adults of concern tied to them.")
            return
        options["group_id"] = gid
    elif mode == "person":
        left, right = st.columns([3, 1])
        with left:
            person = pick_person("network_person")
        with right:
            hops = st.slider("Hops", 1, 3, 1, key="network_hops")
        if not person:
            st.caption("Choose a person to see who they are linked to in the window, and the evidence.")
            return
        options.update(person_id=person, hops=int(hops))
    else:
        draw = st.radio("Draw", list(DRAW), key="network_draw", horizontal=True)
        options["aggregate"] = DRAW[draw]
    options.update(_filters(state.network_source()))
    view = state.network_view(**options)
    c = view["counts"]
    st.caption(f"{c['drawn_nodes']} shown of {c['people_in_scope']} in view · {c['drawn_ties']} ties · "
               f"{c['evidence_kept']} of {c['evidence_in_window']} pieces of evidence pass the filters. "
               "Colour: peer group found in the data. Hover a person or a tie for its evidence. The layout is "
               "seeded and still: the same data gives the same picture at every meeting.")
    if mode == "window" and c["people_without_ties"]:
        st.caption(f"{c['people_without_ties']} people with no tie that passes the filters are not drawn.")
    if view["message"]:
        st.warning(view["message"])
    if not view["nodes"]:
        st.info("Nothing to draw: no ties pass the filters in this window.")
        return
    page, _ = state.network_page(view, height=620, cap=max(len(view["nodes"]), 1))
    st.iframe(page, height=640)
    labels = {n["id"]: n["label"] for n in view["nodes"]}
    marked = [n for n in view["nodes"] if n.get("bridge")]
    if marked:
        st.caption("Bridges marked (tied into two or more peer groups): "
                   + state.md(", ".join(f"{n['label']} ({n['id']})" if n["label"] != n["id"] else n["id"]
                                        for n in marked)))
    st.subheader("Groups and people shown" if view.get("aggregated") else "People shown")
    where = _folded(len(view["nodes"]), "groups and people shown" if view.get("aggregated") else "people shown",
                    "network_people_open")
    if where is not None:
        state.show_table(pd.DataFrame([{"person": n["label"], "id": n["id"], "role": n["role"].replace("_", " "),
                                        "peer group": n["group"],
                                        picture.MEASURES.get(options["size_by"], "measure"): n["measure"],
                                        "bridge": n["bridge"]} for n in view["nodes"]]),
                         where=where, hide_index=True, key="network_people")
    if view["edges"]:
        st.subheader("Ties and their evidence")
        where = _folded(len(view["edges"]), "ties, strongest first", "network_ties_open")
        if where is None:
            return
        ties = sorted(view["edges"], key=lambda e: (-e["weight"], e["source"], e["target"]))
        state.show_table(pd.DataFrame([{"person": labels[e["source"]], "linked to": labels[e["target"]],
                                        "evidence": e["count"], "weight": e["weight"],
                                        "kinds": ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in e["ties"].items()),
                                        "records": "; ".join(e["evidence"])} for e in ties]),
                         where=where, hide_index=True, key="network_ties")


def _folded(rows: int, what: str, key: str):
    """Where to put a list of ``rows`` rows: the page, or, above ``app.network_list_rows``, an
    expander made only when opened (``None`` while it is closed).

    The whole window's lists are long (250 people, hundreds of ties) and the picture's hover
    shows the same: unfolded, the 250-person list cost a new tab of the page about 0.2 s to draw
    in the browser (session 10), and the ties as a grid about 0.6 s (session 9).
    """
    if rows <= int(schema.setting("app.network_list_rows")):
        return st
    box = st.expander(f"All {rows} {what}", key=key, on_change="rerun")
    return box if box.open else None
