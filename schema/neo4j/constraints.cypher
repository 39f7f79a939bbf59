// Uniqueness constraints and indexes for the Neo4j engine (one statement per line; applied on open).
// Neo4j 5 syntax; only these two single-property forms are accepted (see graphmap/store/graph_model.py).
// On FalkorDB the engine makes each one a range index (+ a unique constraint through the client).
CREATE CONSTRAINT person_id IF NOT EXISTS FOR (n:Person) REQUIRE n.person_id IS UNIQUE
CREATE CONSTRAINT location_id IF NOT EXISTS FOR (n:Location) REQUIRE n.location_id IS UNIQUE
CREATE CONSTRAINT incident_id IF NOT EXISTS FOR (n:Incident) REQUIRE n.incident_id IS UNIQUE
CREATE CONSTRAINT group_id IF NOT EXISTS FOR (n:Group) REQUIRE n.group_id IS UNIQUE
CREATE CONSTRAINT identifier_id IF NOT EXISTS FOR (n:Identifier) REQUIRE n.identifier_id IS UNIQUE
CREATE CONSTRAINT load_id IF NOT EXISTS FOR (n:Load) REQUIRE n.load_id IS UNIQUE
CREATE INDEX incident_start IF NOT EXISTS FOR (n:Incident) ON (n.start)
CREATE CONSTRAINT assessment_id IF NOT EXISTS FOR (n:Assessment) REQUIRE n.assessment_id IS UNIQUE
CREATE CONSTRAINT action_id IF NOT EXISTS FOR (n:Action) REQUIRE n.action_id IS UNIQUE
