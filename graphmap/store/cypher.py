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
UNWIND $rows AS row MERGE (n:`Person` {`person_id`: row.id}) SET n += row.props RETURN count(n) AS n
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


def _q(name: str) -> str:
    """A schema identifier, checked and backtick-quoted (``end``, ``start`` and ``key`` are
    Cypher keywords; quoting makes every schema name safe as a label, type or key)."""
    return f"`{ident(name)}`"


def _check(dialect: str) -> str:
    if dialect not in DIALECTS:
        raise ValueError(f"unknown Cypher dialect {dialect!r} (expected one of {DIALECTS})")
    return dialect


def _map(keys: tuple[str, ...], source: str) -> str:
    """A map literal ``{k: source.k, ...}`` over schema property keys."""
    return "{" + ", ".join(f"{_q(k)}: {source}.{_q(k)}" for k in keys) + "}"


def _node_projection(m: NodeMap, var: str = "n") -> tuple[str, str]:
    """OPTIONAL MATCH clauses for a node's link columns, and the RETURN list of its columns."""
    matches, cols = [], {}
    for i, lk in enumerate(m.links):
        matches.append(f" OPTIONAL MATCH ({var})-[:{_q(lk.type)}]->(t{i}:{_q(lk.target_label)})")
        cols[lk.column] = f"t{i}.{_q(lk.target_key)}"
    ret = []
    for c in m.columns:
        if c in cols:
            ret.append(f"{cols[c]} AS {_q(c)}")
        else:
            ret.append(f"{var}.{_q(c)} AS {_q(c)}")
    return "".join(matches), ", ".join(ret)


def _rel_projection(m: RelMap, source_key: str, target_key: str) -> str:
    ret = []
    for c in m.columns:
        if c == m.source:
            ret.append(f"a.{_q(source_key)} AS {_q(c)}")
        elif c == m.target:
            ret.append(f"b.{_q(target_key)} AS {_q(c)}")
        else:
            ret.append(f"r.{_q(c)} AS {_q(c)}")
    return ", ".join(ret)


# --- schema ----------------------------------------------------------------------------------

def schema_statement(rule: SchemaRule, dialect: str) -> str:
    """A constraint or index from ``schema/neo4j/constraints.cypher``."""
    label, prop, name = _q(rule.label), _q(rule.property), _q(rule.name)
    if _check(dialect) == "falkordb":
        return f"CREATE INDEX FOR (n:{label}) ON (n.{prop})"
    if rule.unique:
        return f"CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{label}) REQUIRE n.{prop} IS UNIQUE"
    return f"CREATE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})"


# --- writing ---------------------------------------------------------------------------------

def merge_nodes(m: NodeMap) -> str:
    """Upsert nodes. ``$rows``: ``[{id, props: {column: value}}]``."""
    return (f"UNWIND $rows AS row MERGE (n:{_q(m.label)} {{{_q(m.key)}: row.id}}) "
            f"SET n += row.props RETURN count(n) AS n")


def clear_links(m: NodeMap, lk: Link) -> str:
    """Remove a link column's relationships from the nodes about to be rewritten. ``$ids``."""
    return (f"UNWIND $ids AS k MATCH (n:{_q(m.label)} {{{_q(m.key)}: k}})"
            f"-[r:{_q(lk.type)}]->() DELETE r")


def set_links(m: NodeMap, lk: Link) -> str:
    """Link nodes to the nodes their column names. ``$rows``: ``[{id, target}]``; returns the
    number linked, which the engine checks (a missing target fails the whole write)."""
    return (f"UNWIND $rows AS row MATCH (n:{_q(m.label)} {{{_q(m.key)}: row.id}}) "
            f"MATCH (t:{_q(lk.target_label)} {{{_q(lk.target_key)}: row.target}}) "
            f"MERGE (n)-[:{_q(lk.type)}]->(t) RETURN count(*) AS n")


def merge_relationships(m: RelMap, source: NodeMap, target: NodeMap) -> str:
    """Upsert relationships. ``$rows``: ``[{a, b, identity: {...}, props: {...}}]``; returns the
    number written, which the engine checks (a missing end fails the whole write)."""
    return (f"UNWIND $rows AS row MATCH (a:{_q(source.label)} {{{_q(source.key)}: row.a}}) "
            f"MATCH (b:{_q(target.label)} {{{_q(target.key)}: row.b}}) "
            f"MERGE (a)-[r:{_q(m.type)} {_map(m.key, 'row.identity')}]->(b) "
            f"SET r += row.props RETURN count(r) AS n")


def record_load(loads: NodeMap) -> str:
    """One node per load. ``$meta``: the load's columns."""
    return f"CREATE (n:{_q(loads.label)}) SET n += $meta"


def delete_relationships_from(m: RelMap) -> str:
    """``$source``; returns how many went."""
    return f"MATCH ()-[r:{_q(m.type)}]->() WHERE r.`source` = $source DELETE r RETURN count(*) AS n"


def delete_nodes_from(m: NodeMap) -> str:
    """``$source``; the nodes' relationships go with them (links left dangling are never kept)."""
    return f"MATCH (n:{_q(m.label)}) WHERE n.`source` = $source DETACH DELETE n RETURN count(*) AS n"


# --- reading ---------------------------------------------------------------------------------

def node_table(m: NodeMap) -> str:
    matches, ret = _node_projection(m)
    return f"MATCH (n:{_q(m.label)}){matches} RETURN {ret}"


def nodes_by_key(m: NodeMap) -> str:
    """``$ids``: key values."""
    matches, ret = _node_projection(m)
    return f"UNWIND $ids AS k MATCH (n:{_q(m.label)} {{{_q(m.key)}: k}}){matches} RETURN {ret}"


def existing_keys(m: NodeMap) -> str:
    """``$ids``: key values; returns those stored."""
    return f"UNWIND $ids AS k MATCH (n:{_q(m.label)} {{{_q(m.key)}: k}}) RETURN n.{_q(m.key)} AS id"


def relationship_table(m: RelMap, source: NodeMap, target: NodeMap) -> str:
    return (f"MATCH (a:{_q(source.label)})-[r:{_q(m.type)}]->(b:{_q(target.label)}) "
            f"RETURN {_rel_projection(m, source.key, target.key)}")


def count_nodes(m: NodeMap) -> str:
    return f"MATCH (n:{_q(m.label)}) RETURN count(n) AS n"


def count_relationships(m: RelMap, source: NodeMap, target: NodeMap) -> str:
    return f"MATCH (:{_q(source.label)})-[r:{_q(m.type)}]->(:{_q(target.label)}) RETURN count(r) AS n"


def associations_touching(m: RelMap, person: NodeMap) -> str:
    """Person-to-person links with an end in ``$ids``, active in the window ``$since``..``$until``
    (ISO strings, "" = open; a link with no first/last seen date is active throughout)."""
    return (f"UNWIND $ids AS pid MATCH (p:{_q(person.label)} {{{_q(person.key)}: pid}})"
            f"-[r:{_q(m.type)}]-(:{_q(person.label)}) "
            "WHERE ($since = '' OR r.`last_seen` = '' OR r.`last_seen` >= $since) "
            "AND ($until = '' OR r.`first_seen` = '' OR r.`first_seen` <= $until) "
            # startNode/endNode, not a second MATCH on the bound r: FalkorDB 4 ignores a bound
            # relationship variable in a later MATCH and returns every ASSOCIATES_WITH.
            "WITH DISTINCT r WITH r, startNode(r) AS a, endNode(r) AS b "
            f"RETURN {_rel_projection(m, person.key, person.key)}")


def involvements_touching(m: RelMap, person: NodeMap, incident: NodeMap) -> str:
    """Every involvement (of anyone) in incidents starting in the window that involve ``$ids``."""
    return (f"UNWIND $ids AS pid MATCH (p:{_q(person.label)} {{{_q(person.key)}: pid}})"
            f"-[:{_q(m.type)}]->(i:{_q(incident.label)}) "
            "WHERE ($since = '' OR i.`start` >= $since) AND ($until = '' OR i.`start` <= $until) "
            f"WITH DISTINCT i MATCH (a:{_q(person.label)})-[r:{_q(m.type)}]->(i) WITH a, r, i AS b "
            f"RETURN {_rel_projection(m, person.key, incident.key)}")


def load_history(loads: NodeMap) -> str:
    return f"MATCH (n:{_q(loads.label)}) RETURN " + ", ".join(f"n.{_q(c)} AS {_q(c)}" for c in loads.columns)


def wipe() -> str:
    """Delete every node and relationship (tests on a throwaway server only)."""
    return "MATCH (n) DETACH DELETE n"
