"""A small hand-made borough for the place tests, with every expected number worked out by hand.

Window: 90 days to 2026-06-30 (2026-04-02 .. 2026-06-30); the window before: 2026-01-02 .. 2026-04-01.

L1 park (shared by groups G1 and G2): 7 incidents in the window (3 merlin, 3 asb at night,
   1 intelligence with a date only), 1 before -> rising. Young people Y1, Y2, Y3 (Y9 only
   *reported* one incident: not counted); adult of concern A1 named on one incident.
L2 street: 8 incidents, all in the window BEFORE -> an old hotspot: must not rank; falling.
L3 hotel: 2 missing episodes in the window (Y4 found there), 2 before -> steady; Y5 found_at.
L4 address with only a postcode: 1 intelligence in the window naming A1 and Y1 (unmapped).
L5 other, free text only: nothing.
L6 street 150 m from L1: 1 asb in the window naming Y2.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write_csv

AS_AT, DAYS = "2026-06-30", 90
NAMES = ["Zebedee", "Quintrell", "Xanthe", "Yorath"]  # must never appear in a place profile

PEOPLE = """person_id,forename,surname,date_of_birth,gender,role,borough,flags,source
Y1,Zebedee,Quintrell,2010-01-01,male,young_person,Wandlebury,,csc
Y2,Xanthe,Yorath,2010-02-02,female,young_person,Wandlebury,,csc
Y3,Ama,Boateng,2009-03-03,female,young_person,Wandlebury,,csc
Y4,Ben,Cole,2011-04-04,male,young_person,Wandlebury,,csc
Y5,Cai,Dunn,2011-05-05,male,young_person,Wandlebury,,csc
Y9,Dee,Eve,2010-06-06,female,young_person,Wandlebury,,csc
A1,Ed,Fox,1990-07-07,male,adult_of_concern,Wandlebury,,police
W1,Fay,Gray,1980-08-08,female,associate,Wandlebury,,youth
"""
LOCATIONS = """location_id,name,type,latitude,longitude,postcode,ward,source
L1,Rec Ground,park,51.4100,-0.2000,,,police
L2,Old Yard,street,51.4250,-0.1600,,,police
L3,Station Hotel,hotel_bnb,51.3950,-0.1700,,,police
L4,Flat 3 Kingsbridge,address,,,SW19 2AB,,csc
L5,behind the shops,other,,,,,csc
L6,Mill Lane,street,51.4110,-0.1985,,,police
"""


def _incidents() -> str:
    rows = ["incident_id,type,start,end,location_id,summary,source,grading"]
    for i, (t, when) in enumerate([("merlin", "2026-05-01T21:10"), ("merlin", "2026-05-08T22:30"),
                                   ("merlin", "2026-06-05T21:45"), ("asb", "2026-05-15T23:00"),
                                   ("asb", "2026-05-22T20:15"), ("asb", "2026-06-12T14:00"),
                                   ("intelligence", "2026-06-20")], 1):
        rows.append(f"P1-{i},{t},{when},,L1,,police,")
    rows.append("P1-OLD,asb,2026-02-10T21:00,,L1,,police,")
    for i in range(1, 9):
        rows.append(f"P2-{i},merlin,2026-02-{10 + i:02d}T20:00,,L2,,police,")
    rows.append("P3-1,missing,2026-05-02T19:00,2026-05-03T09:00,L3,,csc,")
    rows.append("P3-2,missing,2026-06-02T19:00,2026-06-03T09:00,L3,,csc,")
    rows.append("P3-OLD1,missing,2026-03-02T19:00,2026-03-03T09:00,L3,,csc,")
    rows.append("P3-OLD2,missing,2026-03-09T19:00,2026-03-10T09:00,L3,,csc,")
    rows.append("P4-1,intelligence,2026-06-01,,L4,,police,2B P")
    rows.append("P6-1,asb,2026-06-03T22:00,,L6,,police,")
    rows.append("OUT-1,merlin,2025-01-01T12:00,,L1,,police,")  # long before both windows
    return "\n".join(rows) + "\n"


INVOLVEMENTS = """incident_id,person_id,role
P1-1,Y1,subject
P1-1,A1,present
P1-2,Y2,subject
P1-3,Y3,subject
P1-4,Y1,present
P1-5,Y9,reporting
P1-5,W1,reporting
P2-1,Y4,subject
P3-1,Y4,missing_person
P3-2,Y4,missing_person
P4-1,A1,suspect
P4-1,Y1,present
P6-1,Y2,subject
"""
PRESENCE = """person_id,location_id,kind,first_seen,last_seen,source
Y5,L3,found_at,2026-05-20,2026-05-20,csc
Y4,L2,frequents,2025-01-01,2025-12-31,police
"""
GROUPS = """group_id,name,source
G1,North,police
G2,South,police
"""
MEMBERSHIPS = """person_id,group_id,first_seen,last_seen,source,grading
Y1,G1,2026-01-01,,police,
Y2,G1,2026-01-01,,police,
Y3,G2,2026-01-01,,police,
Y4,G2,2026-01-01,,police,
"""


def write_borough(folder: Path) -> Path:
    for name, text in [("people.csv", PEOPLE), ("locations.csv", LOCATIONS), ("incidents.csv", _incidents()),
                       ("involvements.csv", INVOLVEMENTS), ("presence.csv", PRESENCE),
                       ("groups.csv", GROUPS), ("memberships.csv", MEMBERSHIPS)]:
        write_csv(folder / name, text)
    return folder
