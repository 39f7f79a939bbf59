"""The Neo4j engine's own parts: the graph model, its statements, and the FalkorDB adapter.

The behaviour every engine shares is in test_store_contract.py (which runs this engine on
FalkorDB, and on a real Neo4j when GRAPHMAP_TEST_NEO4J_URI is set).
"""

from __future__ import annotations

import copy
import uuid

import pandas as pd
import pytest

from graphmap import records, schema
from graphmap.schema import Column, RecordSpec
from graphmap.store import cypher
from graphmap.store.graph_model import (MODEL_FILE, ModelError, NodeMap, RelMap, build_model, load_model,
                                        schema_rules)
from tests.conftest import DEMO, ROOT


def model_data() -> dict:
    return copy.deepcopy(schema._read_yaml(MODEL_FILE))


# --- the model as data ---------------------------------------------------------------------

def test_every_record_type_has_a_mapping():
    model = load_model()
    assert set(model.records) == set(schema.record_specs())
    assert model.node("incidents").links[0].type == "AT"
    assert {m.type for m in model.records.values() if isinstance(m, RelMap)} == {
        "INVOLVED_IN", "ASSOCIATES_WITH", "PRESENT_AT", "MEMBER_OF", "USES", "SAME_AS"}
    assert {m.label for m in model.records.values() if isinstance(m, NodeMap)} == {
        "Person", "Location", "Incident", "Group", "Identifier", "Assessment", "Action"}


def test_record_type_without_mapping_fails_clearly():
    specs = dict(schema.record_specs())
    specs["vehicles"] = RecordSpec("vehicles", "vehicles.csv", ("vehicle_id",),
                                   (Column("vehicle_id", "str", True), Column("source", "str", True)))
    with pytest.raises(ModelError, match=r"model\.yaml: no graph mapping for record type\(s\) vehicles"):
        build_model(model_data(), specs)
    data = model_data()
    del data["records"]["presence"]
    with pytest.raises(ModelError, match="presence"):
        build_model(data, schema.record_specs())


@pytest.mark.parametrize("path, value, message", [
    (("records", "people", "node"), "Person`) DETACH DELETE n //", "not a plain identifier"),
    (("records", "presence", "relationship"), "PRESENT AT", "not a plain identifier"),
    (("records", "presence", "key"), ["kind"], r"presence\.key"),
    (("records", "presence", "to"), "kind", r"presence\.to"),
    (("records", "associations", "relationship"), "INVOLVED_IN", "more than once"),
    (("records", "incidents", "links"), {"summary": {"relationship": "AT"}}, r"not a ref: column"),
])
def test_bad_model_is_refused(path, value, message):
    data = model_data()
    node = data
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    with pytest.raises(ModelError, match=message):
        build_model(data, schema.record_specs())


def test_constraints_file_gives_the_neo4j_statements_back():
    lines = {ln.strip() for ln in (ROOT / "schema" / "neo4j" / "constraints.cypher").read_text().splitlines()}
    rules = schema_rules()
    # Every node label of the model is unique on its key (record types added later included).
    labels = {m.label for m in load_model().records.values() if isinstance(m, NodeMap)}
    assert {r.label for r in rules if r.unique} == labels | {"Load"}
    for r in rules:
        assert cypher.schema_statement(r, "neo4j").replace("`", "") in lines
        assert cypher.schema_statement(r, "falkordb") == f"CREATE INDEX FOR (n:`{r.label}`) ON (n.`{r.property}`)"


def all_statements() -> list[str]:
    model = load_model()
    out = [cypher.record_load(model.loads), cypher.load_history(model.loads)]
    for m in model.records.values():
        if isinstance(m, NodeMap):
            out += [cypher.merge_nodes(m), cypher.node_table(m), cypher.nodes_by_key(m), cypher.existing_keys(m),
                    cypher.count_nodes(m), cypher.delete_nodes_from(m)]
            out += [f(m, lk) for lk in m.links for f in (cypher.clear_links, cypher.set_links)]
        else:
            ends = model.node(m.source_record), model.node(m.target_record)
            out += [cypher.merge_relationships(m, *ends), cypher.relationship_table(m, *ends),
                    cypher.count_relationships(m, *ends), cypher.delete_relationships_from(m)]
    person, incident = model.node("people"), model.node("incidents")
    out += [cypher.associations_touching(model.records["associations"], person),
            cypher.involvements_touching(model.records["involvements"], person, incident)]
    return out


def test_statements_take_values_only_as_parameters():
    statements = all_statements()
    assert len(statements) > 40
    for text in statements:
        # No string literal but the empty one, no comment, no second statement.
        assert '"' not in text and "'" not in text.replace("''", ""), text
        assert "//" not in text and ";" not in text, text
    windowed = cypher.associations_touching(load_model().records["associations"], load_model().node("people"))
    assert "$ids" in windowed and "$since" in windowed and "$until" in windowed
    with pytest.raises(ValueError):
        cypher.schema_statement(schema_rules()[0], "gremlin")


def test_parse_url_keeps_credentials_out_of_the_shown_url(monkeypatch):
    from graphmap.store.neo4j import parse_url

    monkeypatch.setenv("GRAPHMAP_NEO4J_USER", "analyst")
    monkeypatch.setenv("GRAPHMAP_NEO4J_PASSWORD", "pw")
    monkeypatch.setenv("GRAPHMAP_NEO4J_DATABASE", "merton")
    plain, auth, db, shown = parse_url("neo4j+s://u:p@graph.example:7687")
    assert (plain, auth, db, shown) == ("neo4j+s://graph.example:7687", ("analyst", "pw"), "merton",
                                        "neo4j+s://graph.example:7687?database=merton")
    assert parse_url("bolt://localhost?database=other")[2] == "other"


# --- on FalkorDB through the adapter --------------------------------------------------------

@pytest.fixture
def graph_name(falkordb_server):
    name = f"t_{uuid.uuid4().hex}"
    yield name
    if falkordb_server.client.exists(name):
        falkordb_server.client.execute_command("GRAPH.DELETE", name)


def falkor_store(db, name, **kw):
    from graphmap.store.falkordb_adapter import FalkorDriver
    from graphmap.store.neo4j import Neo4jStore

    return Neo4jStore(FalkorDriver(db.select_graph(name)), url=f"falkordb://{name}", **kw)


def test_uniqueness_is_enforced_and_reopening_is_idempotent(falkordb_server, graph_name):
    s = falkor_store(falkordb_server, graph_name)
    s.load([DEMO])
    again = falkor_store(falkordb_server, graph_name)  # constraints already there: no error
    assert again.counts() == s.counts()
    g = falkordb_server.select_graph(graph_name)
    unique = {(c["label"], c["properties"][0]) for c in g.list_constraints() if c["type"] == "UNIQUE"}
    assert ("Person", "person_id") in unique and ("Incident", "incident_id") in unique
    with pytest.raises(Exception, match="unique constraint"):
        g.query("CREATE (:Person {person_id: 'P001'})")
    assert again.counts()["people"] == 5


def test_small_batches_are_still_one_transaction(falkordb_server, graph_name):
    """Many UNWIND batches in one write: a failure in a late batch undoes the early ones."""
    s = falkor_store(falkordb_server, graph_name, batch_size=2)
    s.load([DEMO])
    before = {n: s.table(n) for n in records.load_order()}
    assert s.counts()["involvements"] == 7  # 4 batches of at most 2
    batch = records.read_batch([DEMO])
    batch.tables["people"]["surname"] = "CHANGED"
    inv = batch.tables["involvements"].copy()
    inv.loc[len(inv) - 1, "incident_id"] = "NO_SUCH_INCIDENT"  # the last batch fails
    batch.tables["involvements"] = inv
    from graphmap.store.neo4j import StoreError

    with pytest.raises(StoreError, match=r"involvements: 1 of 1 rows name a record that is not in the graph"):
        s.write(batch, {"load_id": "x", "loaded_at": "x", "files": "[]", "rows": 1, "rejected": 0})
    for n, df in before.items():
        pd.testing.assert_frame_equal(s.table(n), df, obj=n)
    assert len(s.loads()) == 1
    assert not [g for g in falkordb_server.list_graphs() if "__snapshot_" in g]  # snapshot cleaned up


def test_adapter_restores_the_graph_whatever_fails(falkordb_server, graph_name):
    s = falkor_store(falkordb_server, graph_name)
    s.load([DEMO])
    before = s.counts()

    def work(tx):
        tx.run("MATCH (n) DETACH DELETE n")
        assert tx.run("MATCH (n) RETURN count(n) AS n").data() == [{"n": 0}]
        raise KeyboardInterrupt  # even an interrupt mid-write leaves the graph as it was

    with pytest.raises(KeyboardInterrupt):
        with s._session() as session:
            session.execute_write(work)
    assert s.counts() == before
    s.load([DEMO])  # and the restored graph (with its constraints) takes writes again
    assert s.counts() == before


def test_incident_place_is_a_relationship(falkordb_server, graph_name):
    s = falkor_store(falkordb_server, graph_name)
    s.load([DEMO])
    g = falkordb_server.select_graph(graph_name)
    rows = g.ro_query("MATCH (i:Incident)-[:AT]->(l:Location) RETURN i.incident_id, l.location_id "
                      "ORDER BY i.incident_id").result_set
    assert rows == [["I001", "L001"], ["I002", "L002"], ["I003", "L002"], ["I004", "L003"]]
    assert g.ro_query("MATCH (i:Incident) WHERE i.location_id IS NOT NULL RETURN count(i)").result_set == [[0]]
    # Re-pointing an incident moves its link rather than adding a second one.
    batch = records.read_batch([DEMO])
    batch.tables = {"incidents": batch.tables["incidents"].assign(location_id="L003")}
    s.load_batch(batch)
    assert g.ro_query("MATCH (:Incident)-[r:AT]->(l:Location) RETURN l.location_id, count(r)").result_set == [["L003", 4]]
