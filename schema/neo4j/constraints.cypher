// Uniqueness constraints for the Neo4j engine (one statement per line; applied on open).
// Neo4j 5 syntax. On FalkorDB the engine creates an index + unique constraint through the client.
CREATE CONSTRAINT person_id IF NOT EXISTS FOR (n:Person) REQUIRE n.person_id IS UNIQUE
CREATE CONSTRAINT location_id IF NOT EXISTS FOR (n:Location) REQUIRE n.location_id IS UNIQUE
CREATE CONSTRAINT incident_id IF NOT EXISTS FOR (n:Incident) REQUIRE n.incident_id IS UNIQUE
CREATE CONSTRAINT group_id IF NOT EXISTS FOR (n:Group) REQUIRE n.group_id IS UNIQUE
CREATE CONSTRAINT identifier_id IF NOT EXISTS FOR (n:Identifier) REQUIRE n.identifier_id IS UNIQUE
