"""Every Cypher statement the Neo4j engine runs, in one place.

Written for Neo4j 5. The same statements run on FalkorDB (embedded, in the tests) through
:mod:`graphmap.store.falkordb_adapter`; where FalkorDB needs another form, both forms sit side by
side here, chosen by ``dialect`` ("neo4j" or "falkordb"), and each is listed in
:data:`FALKORDB_FORMS` (the README's ``## Neo4j`` section repeats the list).

Statements are built from the graph model (:mod:`graphmap.store.graph_model`): labels,
relationship types and property keys come only from ``schema/``, are checked against a strict
identifier pattern there and again here, and are never taken from input. Every value is a
parameter (``$rows``, ``$ids``, ``$source``, ...).

>>> from graphmap.store.graph_model import load_model
>>> print(merge_nodes(load_model().node("people")))
UNWIND $rows AS row MERGE (n:Person {person_id: row.key}) SET n += row.props RETURN count(n) AS n
"""

from __future__ import annotations

from .graph_model import Link, NodeMap, RelMap, SchemaRule, ident

DIALECTS = ("neo4j", "falkordb")

#: The statements that need a FalkorDB-only form, and why (kept in step with the code below).
FALKORDB_FORMS = {
    "schema_statement (uniqueness constraint)":
        "FalkorDB has no `CREATE CONSTRAINT ... IS UNIQUE`: the engine creates a range index "
        "(`CREATE INDEX FOR (n:Label) ON (n.prop)`) and the adapter adds the unique constraint "
        "through the client (`GRAPH.CONSTRAINT CREATE`).",
    "schema_statement (index)":
        "FalkorDB has no named indexes and no `IF NOT EXISTS`: `CREATE INDEX FOR (n:Label) ON "
        "(n.prop)`; the engine ignores its 'already indexed' error on re-open.",
}


def _check(dialect: str) -> str:
    if dialect not in DIALECTS:
        raise ValueError(f"unknown Cypher dialect {dialect!r} (expected one of {DIALECTS})")
    return dialect


def _map(keys: tuple[str, ...], source: str) -> str:
    """A map literal ``{k: source.k, ...}`` over schema property keys."""
    return "{" + ", ".join(f"{ident(k)}: {source}.{ident(k)}" for k in keys) + "}"


def _node_projection(m: NodeMap, var: str = "n") -> tuple[str, str]:
    """OPTIONAL MATCH clauses for a node's link columns, and the RETURN list of its columns."""
    matches, cols = [], {}
    for i, lk in enumerate(m.links):
        matches.append(f" OPTIONAL MATCH ({var})-[:{ident(lk.type)}]->(t{i}:{ident(lk.target_label)})")
        cols[lk.column] = f"t{i}.{ident(lk.target_key)}"
    ret = []
    for c in m.columns:
        if c in cols:
            ret.append(f"{cols[c]} AS {ident(c)}")
        else:
            ret.append(f"{var}.{ident(c)} AS {ident(c)}")
    return "".join(matches), ", ".join(ret)


def _rel_projection(m: RelMap, source_key: str, target_key: str) -> str:
    ret = []
    for c in m.columns:
        if c == m.source:
            ret.append(f"a.{ident(source_key)} AS {ident(c)}")
        elif c == m.target:
            ret.append(f"b.{ident(target_key)} AS {ident(c)}")
        else:
            ret.append(f"r.{ident(c)} AS {ident(c)}")
    return ", ".join(ret)


# --- schema ----------------------------------------------------------------------------------

def schema_statement(rule: SchemaRule, dialect: str) -> str:
    """A constraint or index from ``schema/neo4j/constraints.cypher``."""
    label, prop, name = ident(rule.label), ident(rule.property), ident(rule.name)
    if _check(dialect) == "falkordb":
        return f"CREATE INDEX FOR (n:{label}) ON (n.{prop})"
    if rule.unique:
        return f"CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{label}) REQUIRE n.{prop} IS UNIQUE"
    return f"CREATE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})"


# --- writing ---------------------------------------------------------------------------------

def merge_nodes(m: NodeMap) -> str:
    """Upsert nodes. ``$rows``: ``[{key, props: {column: value}}]``."""
    return (f"UNWIND $rows AS row MERGE (n:{ident(m.label)} {{{ident(m.key)}: row.key}}) "
            f"SET n += row.props RETURN count(n) AS n")


def clear_links(m: NodeMap, lk: Link) -> str:
    """Remove a link column's relationships from the nodes about to be rewritten. ``$keys``."""
    return (f"UNWIND $keys AS k MATCH (n:{ident(m.label)} {{{ident(m.key)}: k}})"
            f"-[r:{ident(lk.type)}]->() DELETE r")


def set_links(m: NodeMap, lk: Link) -> str:
    """Link nodes to the nodes their column names. ``$rows``: ``[{key, target}]``; returns the
    number linked, which the engine checks (a missing target fails the whole write)."""
    return (f"UNWIND $rows AS row MATCH (n:{ident(m.label)} {{{ident(m.key)}: row.key}}) "
            f"MATCH (t:{ident(lk.target_label)} {{{ident(lk.target_key)}: row.target}}) "
            f"MERGE (n)-[:{ident(lk.type)}]->(t) RETURN count(*) AS n")


def merge_relationships(m: RelMap, source: NodeMap, target: NodeMap) -> str:
    """Upsert relationships. ``$rows``: ``[{from, to, key: {...}, props: {...}}]``; returns the
    number written, which the engine checks (a missing end fails the whole write)."""
    return (f"UNWIND $rows AS row MATCH (a:{ident(source.label)} {{{ident(source.key)}: row.from}}) "
            f"MATCH (b:{ident(target.label)} {{{ident(target.key)}: row.to}}) "
            f"MERGE (a)-[r:{ident(m.type)} {_map(m.key, 'row.key')}]->(b) "
            f"SET r += row.props RETURN count(r) AS n")


def record_load(loads: NodeMap) -> str:
    """One node per load. ``$meta``: the load's columns."""
    return f"CREATE (n:{ident(loads.label)}) SET n += $meta"


def delete_relationships_from(m: RelMap) -> str:
    """``$source``; returns how many went."""
    return f"MATCH ()-[r:{ident(m.type)}]->() WHERE r.source = $source DELETE r RETURN count(*) AS n"


def delete_nodes_from(m: NodeMap) -> str:
    """``$source``; the nodes' relationships go with them (links left dangling are never kept)."""
    return f"MATCH (n:{ident(m.label)}) WHERE n.source = $source DETACH DELETE n RETURN count(*) AS n"


# --- reading ---------------------------------------------------------------------------------

def node_table(m: NodeMap) -> str:
    matches, ret = _node_projection(m)
    return f"MATCH (n:{ident(m.label)}){matches} RETURN {ret}"


def nodes_by_key(m: NodeMap) -> str:
    """``$ids``: key values."""
    matches, ret = _node_projection(m)
    return f"UNWIND $ids AS k MATCH (n:{ident(m.label)} {{{ident(m.key)}: k}}){matches} RETURN {ret}"


def existing_keys(m: NodeMap) -> str:
    """``$ids``: key values; returns those stored."""
    return f"UNWIND $ids AS k MATCH (n:{ident(m.label)} {{{ident(m.key)}: k}}) RETURN n.{ident(m.key)} AS id"


def relationship_table(m: RelMap, source: NodeMap, target: NodeMap) -> str:
    return (f"MATCH (a:{ident(source.label)})-[r:{ident(m.type)}]->(b:{ident(target.label)}) "
            f"RETURN {_rel_projection(m, source.key, target.key)}")


def count_nodes(m: NodeMap) -> str:
    return f"MATCH (n:{ident(m.label)}) RETURN count(n) AS n"


def count_relationships(m: RelMap, source: NodeMap, target: NodeMap) -> str:
    return f"MATCH (:{ident(source.label)})-[r:{ident(m.type)}]->(:{ident(target.label)}) RETURN count(r) AS n"


def associations_touching(m: RelMap, person: NodeMap) -> str:
    """Person-to-person links with an end in ``$ids``, active in the window ``$start``..``$end``
    (ISO strings, "" = open; a link with no first/last seen date is active throughout)."""
    return (f"UNWIND $ids AS pid MATCH (p:{ident(person.label)} {{{ident(person.key)}: pid}})"
            f"-[r:{ident(m.type)}]-(:{ident(person.label)}) "
            "WHERE ($start = '' OR r.last_seen = '' OR r.last_seen >= $start) "
            "AND ($end = '' OR r.first_seen = '' OR r.first_seen <= $end) "
            # startNode/endNode, not a second MATCH on the bound r: FalkorDB 4 ignores a bound
            # relationship variable in a later MATCH and returns every ASSOCIATES_WITH.
            "WITH DISTINCT r WITH r, startNode(r) AS a, endNode(r) AS b "
            f"RETURN {_rel_projection(m, person.key, person.key)}")


def involvements_touching(m: RelMap, person: NodeMap, incident: NodeMap) -> str:
    """Every involvement (of anyone) in incidents starting in the window that involve ``$ids``."""
    return (f"UNWIND $ids AS pid MATCH (p:{ident(person.label)} {{{ident(person.key)}: pid}})"
            f"-[:{ident(m.type)}]->(i:{ident(incident.label)}) "
            "WHERE ($start = '' OR i.start >= $start) AND ($end = '' OR i.start <= $end) "
            f"WITH DISTINCT i MATCH (a:{ident(person.label)})-[r:{ident(m.type)}]->(i) WITH a, r, i AS b "
            f"RETURN {_rel_projection(m, person.key, incident.key)}")


def load_history(loads: NodeMap) -> str:
    return f"MATCH (n:{ident(loads.label)}) RETURN " + ", ".join(f"n.{ident(c)} AS {ident(c)}" for c in loads.columns)


def wipe() -> str:
    """Delete every node and relationship (tests on a throwaway server only)."""
    return "MATCH (n) DETACH DELETE n"
