"""A synthetic borough: seeded, repeatable canonical CSV folders with their ground truth.

The generator writes a canonical folder (``people.csv``, ``locations.csv``, ``incidents.csv``,
``involvements.csv``, ``associations.csv``, ``presence.csv``, ``groups.csv``,
``memberships.csv``, ``identifiers.csv``, ``identifier_uses.csv``; see schema/records.yaml) and
``ground_truth.json`` beside it, so that tests can score the analyses against what was planted.
Everything is fictional: names are random combinations from short lists, places are invented and
placed inside the box of ``sample_data/borough.yaml`` (the fictional borough of Wandlebury),
each place's ``ward`` taken from the 3 x 4 ward grid over that box.

What is planted (and scored):

* **Peer groups** of young people (11-17) living mostly in one ward, named together on Merlin
  reports, stop and search, arrests and ASB at the group's places (evenings and weekends).
  Some groups are named by practitioners (``groups.csv`` / ``memberships.csv``), most are not.
* **Bridges**: a few young people who take part in two groups' incidents.
* **Adults of concern who recruit** (``recruiters``): each is tied ("olders") to young people of
  two to four groups; the ties start before each child's first incident; the children are found
  with the adult after going missing (``found_with`` incidents, ``found_at`` presence), are
  named with the adult on graded intelligence and some share the adult's phone.
* **Decoys** (``recruiter_decoys``) that must not rank as recruiters: youth workers who *report*
  many incidents across groups, parents and older siblings with family / sibling ties to young
  people of several groups, and adults of concern tied to one young person after that child's
  first incident.
* **Co-missing**: pairs of young people missing over the same nights, repeated two to four
  times; single coincidental overlaps between children of different groups and wards.
* **Hotspots**: places with many incidents in the window, mostly evenings and weekends, ranked;
  and an **old hotspot** busy 13-30 months ago that must not rank now.
* **Cross-borough friendships**: a young person from a neighbouring borough tied to a local one
  with no shared school or family; decoys that share a school or are cousins.
* **Duplicate identities** for identity resolution: the same child under a police id and a
  children's social care id with spelling variants ("Jayden Smith" / "Jaden Smyth"), the same
  date of birth (a few with day and month swapped) and address; and **near misses** that are
  not duplicates: twins (same surname, date of birth and address), siblings and parents.
* Records of every type: Merlin, missing, ASB, arrest, stop and search, graded intelligence
  (some opinion, some fact), school incidents; flags (LAC, CP, CIN, CSE, CCE, CME, YJ, MISSING).
  A missing episode's ``location_id`` is where the child was found; a found-with record starts
  when the episode ends, at the same place. People named with role ``reporting`` (youth workers,
  residents) reported the incident and are never tied to the children on it.

Sizes (``SIZES``): ``demo`` (about 300 young people, 3,000 incidents; committed in
sample_data/demo), ``borough`` (20,000 people, 200,000 incidents), ``region`` (500,000 people,
5,000,000 incidents, generated and appended to disk 20 blocks at a time, each block a
borough-sized population of its own in the same box, so memory stays bounded). Everything is
dated up to the as-at date (default 2026-10-31) over three years; roughly half falls in the
12-month window.

ground_truth.json
-----------------
All ids are the ids written to the CSV files. Lists of people are sorted; pairs are
``[a, b]`` with ``a < b``.

``as_at`` (str), ``window_days`` (int), ``seed`` (int), ``size`` (str)
    The as-at date and window every windowed figure below uses.
``counts`` {record: rows}
    Rows written to each canonical file (a clean load gives exactly these).
``young_people``, ``adults_of_concern`` [person_id]
    Everyone with that role (duplicate identities included).
``groups`` {group_id: [person_id]}
    The planted peer groups (primary ids only; each young person in at most one group; a bridge
    is listed in its first group). Only some appear in groups.csv (``named_groups``).
``named_groups`` [group_id]
    Groups that practitioners have named in groups.csv / memberships.csv.
``bridges`` [person_id]; ``bridge_groups`` {person_id: [group_id, group_id]}
``recruiters`` [person_id]; ``recruited`` {recruiter_id: [person_id]};
``recruiter_groups`` {recruiter_id: [group_id]}
    Planted adults of concern, the young people they draw in, and those children's groups.
``recruiter_decoys`` [person_id]; ``decoy_kinds`` {person_id: "youth_worker"|"family"|"sibling"|"single_tie"}
``co_missing_pairs`` [[a, b, n]]
    Every pair of young people whose missing episodes overlap in time (``start_a < end_b`` and
    ``start_b < end_a``) at least twice among episodes starting in the window; ``n`` counts the
    overlapping episode pairs. Computed from the written data, so it is exact.
``coincidental_pairs`` [[a, b, 1]]
    Pairs with exactly one overlapping episode in the window (planted decoys and chance ones).
``co_missing_planted`` [[a, b, n]]; ``coincidental_planted`` [[a, b]]
    What the generator planted (a subset of the two lists above).
``hotspots`` [location_id]
    Planted hotspots ranked by incidents starting in the window (most first); each has more
    in-window incidents than any other place (of its block, for the region size). ``hotspot_incidents`` {location_id: n} gives the
    in-window counts; ``max_other_place_incidents`` the highest count of any other place.
``old_hotspots`` [location_id]; ``old_hotspot_incidents`` {location_id: {"window": n, "before": n}}
``cross_borough_pairs`` [[a, b]]
    Ties between a local young person and one from a neighbouring borough with no shared school
    or family link. ``cross_borough_decoys`` [[a, b]]: cross-borough ties explained by a shared
    school or family.
``duplicates`` [[id_a, id_b]]
    The same child under two ids (id_a the police id, id_b the social-care one).
``near_miss_pairs`` [[id_a, id_b]]; ``twins`` [[id_a, id_b]]
    Different people who share a surname and an address (twins also share a date of birth).
``group_places`` {group_id: [location_id]}; ``shared_places`` {location_id: [group_id]}
    Where each group meets; places that two or more groups use.
``place_trends`` {location_id: {"window": n, "previous": n}}
    In-window and previous-window incident counts of the hotspots (rising or new) and the old
    hotspot (falling). ``hotspot_profile``: share of hotspot incidents in the evening (16:00-23:59)
    and on Fridays and Saturdays.
``missing_over_48h``, ``missing_aged_12_or_under`` [person_id]
    Young people with a missing episode in the window that meets a risk-matrix override.
``complex_strategy`` [{"subject_id", "subject_type", "young_people"}]
    Planted adults and places (recruiters; their addresses, with the children found there).
``found_with`` [[child_id, adult_id, incident_id]]
    Every found-with record.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from . import records, schema

BOROUGH_FILE = Path(__file__).resolve().parent.parent / "sample_data" / "borough.yaml"
DEFAULT_AS_AT = "2026-10-31"
DEFAULT_SEED = 7
SPAN_DAYS = 3 * 365  # how far back the records go
#: The record types the generator writes (risk assessments and actions are made by people, not here).
RECORD_TYPES = ("people", "locations", "incidents", "involvements", "associations", "presence",
                "groups", "memberships", "identifiers", "identifier_uses")

GROUND_TRUTH = "ground_truth.json"


@dataclass(frozen=True)
class Size:
    """A size: young people and incidents per block, and how many blocks."""

    young: int
    incidents: int
    blocks: int = 1
    base: float = 1.05  # share of the incidents drawn before the planted structures and hotspots


SIZES = {
    "demo": Size(young=300, incidents=3_000, base=0.9),
    "borough": Size(young=18_150, incidents=200_000),
    "region": Size(young=22_700, incidents=250_000, blocks=20),
}

# --- names and words (invented combinations; no real people) --------------------------------
MALE = ["Jayden", "Kofi", "Mohammed", "Liam", "Oliver", "Tyrese", "Ahmed", "Kai", "Leon", "Joshua",
        "Daniel", "Mason", "Ryan", "Jamal", "Adam", "Harry", "Aaron", "Malik", "Reuben", "Omar",
        "Dylan", "Tomasz", "Luca", "Ibrahim", "Samuel", "Kwame", "Darius", "Elijah", "Zayn", "Nathan",
        "Callum", "Rhys", "Tariq", "Marcus", "Jordan", "Ethan", "Evan", "Alfie", "Bilal", "Femi",
        "Theo", "Kacper", "Arjun", "Yusuf", "Connor", "Idris", "Jermaine", "Mateo", "Finley", "Emeka",
        "Hamza", "Kieran", "Rafael", "Dominic", "Tobi", "Shay", "Musa", "Oscar", "Deshawn", "Levi"]
FEMALE = ["Amara", "Chloe", "Aaliyah", "Sophie", "Maya", "Zara", "Leah", "Jade", "Ella", "Fatima",
          "Grace", "Keisha", "Poppy", "Amelia", "Nia", "Precious", "Aisha", "Olivia", "Hannah", "Ruby",
          "Tia", "Esme", "Imani", "Layla", "Mia", "Sienna", "Ama", "Zofia", "Ayesha", "Bethany",
          "Lena", "Shanice", "Roxanne", "Kayla", "Sade", "Maryam", "Chantelle", "Holly", "Ines", "Yasmin",
          "Freya", "Adaeze", "Hafsa", "Lacey", "Priya", "Nadia", "Tamara", "Willow", "Ebony", "Kiera",
          "Safiya", "Martyna", "Abigail", "Jasmine", "Ifeoma", "Eden", "Tanisha", "Rosa", "Naomi", "Summer"]
SURNAMES = ["Smith", "Okafor", "Mensah", "Doyle", "Khan", "Ahmed", "Patel", "Campbell", "Williams",
            "Brown", "Nowak", "Kowalski", "Osei", "Adeyemi", "Clarke", "Murphy", "O'Connor", "Hussain",
            "Begum", "Ali", "Thompson", "Walker", "Reid", "Francis", "Boateng", "Owusu", "Hughes", "Evans",
            "Shah", "Rahman", "Da Silva", "Costa", "Popescu", "Ionescu", "Hassan", "Mohamed", "Taylor",
            "Johnson", "Bailey", "Grant", "McKenzie", "Asante", "Achterberg", "Quist", "Fairweather",
            "Lindqvist", "Oyelaran", "Marchetti", "Brannigan", "Wojcik", "Agyeman", "Baptiste", "Carvalho",
            "Dlamini", "Eze", "Fofana", "Gallagher", "Hendricks", "Iqbal", "Jaworski", "Kamara", "Lestrade",
            "Mbeki", "Nwosu", "Okonkwo", "Pereira", "Quigley", "Rashid", "Sesay", "Tiwari", "Ulloa",
            "Vasquez", "Whitlock", "Yilmaz", "Zielinski", "Ashworth", "Blackwood", "Coombes", "Demir",
            "Ellery", "Forde", "Gordon", "Hinds", "Kaur", "Lindo"]
# Spelling variants seen across agencies' systems.
VARIANTS = {
    "Jayden": "Jaden", "Mohammed": "Muhammad", "Ahmed": "Ahmad", "Aaliyah": "Aliyah", "Zara": "Zahra",
    "Leah": "Lea", "Tyrese": "Tyreese", "Mason": "Mayson", "Amara": "Amarah", "Sophie": "Sofie",
    "Kofi": "Koffi", "Jamal": "Jamaal", "Omar": "Umar", "Ibrahim": "Ebrahim", "Zayn": "Zain",
    "Aisha": "Ayesha", "Nia": "Niah", "Keisha": "Keesha", "Imani": "Imanie", "Layla": "Leila",
    "Maryam": "Mariam", "Yasmin": "Yasmine", "Shanice": "Shaniece", "Kayla": "Kaila", "Joshua": "Josh",
    "Daniel": "Danny", "Samuel": "Sam", "Callum": "Calum", "Rhys": "Reece", "Marcus": "Markus",
    "Smith": "Smyth", "Okafor": "Okafur", "Mensah": "Mensa", "Hussain": "Hussein", "Campbell": "Cambell",
    "Williams": "Williamson", "O'Connor": "OConnor", "Da Silva": "Dasilva", "Nowak": "Novak",
    "Thompson": "Thomson", "Mohamed": "Mohammed", "McKenzie": "Mackenzie", "Reid": "Reed",
    "Begum": "Begun", "Osei": "Osey", "Boateng": "Boatang", "Owusu": "Owuzu", "Rahman": "Rehman",
    "Wojcik": "Wojcick", "Popescu": "Popesco", "Kowalski": "Kowalsky", "Clarke": "Clark",
}
SIMILAR_TWINS = [("Ethan", "Evan"), ("Leah", "Lena"), ("Kai", "Kay"), ("Mia", "Maya"), ("Rhys", "Reuben")]
WORDS = ["Kestrel", "Rowan", "Larch", "Heron", "Quarry", "Mill", "Tannery", "Osier", "Beacon", "Cedar",
         "Marsh", "Linden", "Foxglove", "Hawthorn", "Copper", "Saxon", "Weir", "Brook", "Orchard", "Alder",
         "Falcon", "Wren", "Meadow", "Chalk", "Pike", "Juniper", "Moat", "Ferry", "Lantern", "Thistle"]
ROADS = ["Road", "Street", "Avenue", "Close", "Gardens", "Way", "Crescent", "Lane", "Grove", "Terrace"]
PLACE_NAMES = {
    "park": ["{w} Park", "{w} Rec", "{w} Common", "{w} Fields playground"],
    "shop_takeaway": ["{w} Fried Chicken", "{w} Grill", "{w} Food & Wine", "{w} Pizza", "{w} Chicken Palace"],
    "transport_hub": ["{w} Station", "{w} Bus Garage", "{w} Tram Stop", "{w} Road bus stop"],
    "street": ["{w} Estate stairwell", "{w} Walk underpass", "{w} House walkway", "{w} Parade"],
    "youth_venue": ["{w} Youth Centre", "{w} Boxing Club", "{w} Community Hall", "{w} Leisure Centre"],
    "hotel_bnb": ["The {w} Lodge", "{w} Guest House", "{w} Inn", "{w} Short Lets"],
    "online_space": ["{w} group chat", "{w} gaming server"],
    "other": ["{w} Car Park", "{w} Allotments", "{w} Industrial Estate"],
    "school": ["{w} Academy", "{w} High School", "St {w}'s School", "{w} Learning Centre (PRU)"],
}
PUBLIC_TYPES = ["park", "shop_takeaway", "transport_hub", "street", "youth_venue", "hotel_bnb",
                "online_space", "other"]
PUBLIC_P = [0.17, 0.22, 0.11, 0.22, 0.09, 0.07, 0.06, 0.06]
POSTCODE_AREAS = ["SW19", "SW17", "SW16", "CR4", "SW20", "SM4", "SW19", "CR4", "KT3", "SM4", "CR4", "SW16"]
INWARD = "ABDEFGHJLNPQRSTUWXYZ"
FLAGS = ["LAC", "CP", "CIN", "CSE", "CCE", "CME", "YJ", "MISSING", "EHCP", "NRM"]

SUMMARY = {
    "merlin": ["Young people gathered late evening; concerns raised", "Stopped with others; reported as at risk",
               "Found in the area late at night", "Named as present at a disturbance",
               "Came to police notice with others; PAC submitted"],
    "stop_search": ["Stop and search; nothing found", "Stop and search; cannabis found",
                    "Stop and search; cash and phones found", "Stop and search; knife found"],
    "arrest": ["Arrested on suspicion of possession with intent", "Arrested after a robbery report",
               "Arrested for affray"],
    "asb": ["Residents report groups and noise", "Group gathering in stairwell", "Damage to shelter reported",
            "Suspected drug use reported", "Business reports intimidation"],
    "missing": ["Missing overnight; found in the area", "Missing from home; returned next day",
                "Missing from placement; found by police", "Missing; return home interview done"],
    "found_with": ["Found with an adult after being reported missing"],
    "intelligence": ["Vehicle seen collecting young people", "Address believed used to store drugs",
                     "Adult believed to be giving young people phones", "Young people believed to travel out of area",
                     "Reported that young people are being paid to carry"],
    "school": ["Fixed-term exclusion", "Incident with another pupil", "Found with a weapon in school",
               "Persistent absence; concerns raised"],
}
INCIDENT_SOURCE = {"merlin": "police", "stop_search": "police", "arrest": "police", "asb": "asb_log",
                   "missing": "csc", "found_with": "police", "intelligence": "police", "school": "school"}
REF_PREFIX = {"merlin": "MERLIN", "stop_search": "S&S", "arrest": "CUST", "asb": "ASB", "missing": "MFH",
              "found_with": "MERLIN", "intelligence": "INT", "school": "SCH"}
TYPES = list(SUMMARY)
ROLES = ["subject", "victim", "suspect", "witness", "present", "missing_person", "found_with", "reporting"]
R = {r: i for i, r in enumerate(ROLES)}
T = {t: i for i, t in enumerate(TYPES)}

# Hours of day: evening-heavy for street incidents, school hours for schools.
_EVENING = np.array([3, 2, 1, .5, .3, .3, .3, .5, 1, 1, 1, 1.5, 2, 2, 2.5, 4, 6, 8, 10, 11, 11, 10, 8, 5])
_SCHOOL = np.array([0] * 8 + [6, 8, 8, 7, 7, 8, 8, 4] + [0] * 8, dtype=float)
_NIGHT = np.array([2, 1, .5, .2, .1, .1, .1, .1, .2, .2, .3, .3, .4, .5, 1, 2, 4, 6, 8, 9, 9, 8, 6, 4])
# Day of week (Monday first): Friday and Saturday busiest.
_DOW = np.array([0.85, 0.85, 0.9, 0.95, 1.35, 1.5, 1.1])


def borough() -> dict:
    """The fictional borough (box, ward grid, ward names, neighbours) from sample_data/borough.yaml."""
    with open(BOROUGH_FILE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def ward_of(lat: np.ndarray, lon: np.ndarray, b: dict | None = None) -> np.ndarray:
    """The ward name of each point by the borough's grid ("" outside the box).

    >>> ward_of(np.array([51.43]), np.array([-0.23]))[0]
    'Abbeyfield'
    """
    b = b or borough()
    box, grid = b["box"], b["ward_grid"]
    rows, cols = grid["rows"], grid["cols"]
    r = np.floor((box["max_lat"] - lat) / (box["max_lat"] - box["min_lat"]) * rows).astype(int)
    c = np.floor((lon - box["min_lon"]) / (box["max_lon"] - box["min_lon"]) * cols).astype(int)
    inside = (lat >= box["min_lat"]) & (lat <= box["max_lat"]) & (lon >= box["min_lon"]) & (lon <= box["max_lon"])
    r, c = np.clip(r, 0, rows - 1), np.clip(c, 0, cols - 1)
    names = np.array(b["wards"], dtype=object)
    return np.where(inside, names[r * cols + c], "")


# --- the block generator --------------------------------------------------------------------

class _Incidents:
    """Incidents and involvements accumulated as numpy arrays (indices, minutes since epoch)."""

    def __init__(self):
        self.parts: list[dict] = []
        self.inv: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.n = 0

    def add(self, typ, start, end, loc, grading=None, fop=None, source=None) -> np.ndarray:
        start = np.asarray(start, dtype=np.int64)
        k = len(start)
        ids = np.arange(self.n, self.n + k)
        self.n += k
        typ = np.broadcast_to(np.asarray(typ, dtype=np.int16), (k,)).copy()
        self.parts.append(dict(
            type=typ, start=start,
            end=np.broadcast_to(np.asarray(end, dtype=np.int64), (k,)).copy(),
            loc=np.broadcast_to(np.asarray(loc, dtype=np.int64), (k,)).copy(),
            grading=np.broadcast_to(np.asarray("" if grading is None else grading, dtype=object), (k,)).copy(),
            fop=np.broadcast_to(np.asarray("fact" if fop is None else fop, dtype=object), (k,)).copy(),
            source=np.broadcast_to(np.asarray("" if source is None else source, dtype=object), (k,)).copy(),
        ))
        return ids

    def involve(self, inc, person, role) -> None:
        inc = np.asarray(inc, dtype=np.int64)
        person = np.broadcast_to(np.asarray(person, dtype=np.int64), inc.shape).copy()
        role = np.broadcast_to(np.asarray(role, dtype=np.int16), inc.shape).copy()
        self.inv.append((inc, person, role))

    def frame(self) -> dict[str, np.ndarray]:
        return {k: np.concatenate([p[k] for p in self.parts]) for k in self.parts[0]}

    def involvements(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return tuple(np.concatenate([x[i] for x in self.inv]) for i in range(3))  # type: ignore[return-value]


class _Block:
    """One self-contained population (a borough's worth) generated with one random stream."""

    def __init__(self, rng: np.random.Generator, young: int, incidents: int, as_at: date, b: dict):
        self.rng, self.n_young, self.n_target, self.b = rng, young, incidents, b
        self.as_at_day = int(np.datetime64(as_at, "D").astype(np.int64))
        self.window_days = int(schema.setting("analysis.window_days"))
        # Day weights over the span: a gentle upward trend and busy Fridays/Saturdays.
        back = np.arange(SPAN_DAYS)
        days = self.as_at_day - back
        dow = (days + 3) % 7  # 1970-01-01 was a Thursday (Monday = 0)
        self.day_w = (1.0 + 0.8 * (SPAN_DAYS - back) / SPAN_DAYS) * _DOW[dow]
        self.weekday = dow < 5
        self.inc = _Incidents()

    # --- small helpers -----------------------------------------------------------------
    def days_back(self, n: int, lo: int = 0, hi: int = SPAN_DAYS, weekdays_only: bool = False) -> np.ndarray:
        w = self.day_w[lo:hi].copy()
        if weekdays_only:
            w = w * self.weekday[lo:hi]
        return lo + self.rng.choice(hi - lo, size=n, p=w / w.sum())

    def clamp(self, back: np.ndarray, limit: np.ndarray, lo: int = 0) -> np.ndarray:
        """Move days that fall beyond ``limit`` days back to a random day within it."""
        limit = np.maximum(np.asarray(limit), lo + 1)
        over = back > limit
        if over.any():
            back = back.copy()
            back[over] = lo + (self.rng.random(int(over.sum())) * (limit[over] - lo)).astype(np.int64)
        return back

    def when(self, back: np.ndarray, hours: np.ndarray) -> np.ndarray:
        n = len(back)
        h = self.rng.choice(24, size=n, p=hours / hours.sum())
        m = self.rng.integers(0, 12, size=n) * 5
        return (self.as_at_day - back).astype(np.int64) * 1440 + h * 60 + m

    def pick(self, options, n, p=None):
        return self.rng.choice(np.asarray(options, dtype=object), size=n, p=p)

    def gradings(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        s = self.rng.choice(np.array(["1", "2", "3"], dtype=object), size=n, p=[.2, .6, .2])
        a = self.rng.choice(np.array(list("ABCDE"), dtype=object), size=n, p=[.15, .35, .3, .15, .05])
        h = self.rng.choice(np.array(["P", "C"], dtype=object), size=n, p=[.8, .2])
        fop = np.where(np.isin(a, ["A", "B"]), "fact", "opinion").astype(object)
        return s + a + " " + h, fop

    # --- places ----------------------------------------------------------------------
    def make_locations(self) -> None:
        rng, b = self.rng, self.b
        box = b["box"]
        self.n_wards = len(b["wards"])
        rows, cols = b["ward_grid"]["rows"], b["ward_grid"]["cols"]
        self.dlat = (box["max_lat"] - box["min_lat"]) / rows
        self.dlon = (box["max_lon"] - box["min_lon"]) / cols
        self.loc_type: list[np.ndarray] = []
        self.loc_lat: list[np.ndarray] = []
        self.loc_lon: list[np.ndarray] = []
        self.loc_name: list[np.ndarray] = []
        self.loc_source: list[np.ndarray] = []
        self.n_loc = 0
        n_public = max(40, self.n_young // 7)
        self.public = self.add_places(self.pick(PUBLIC_TYPES, n_public, PUBLIC_P), rng.integers(0, self.n_wards, n_public))
        self.public_type = np.concatenate(self.loc_type)[self.public]
        self.public_ward = self.ward_idx(self.public)
        n_schools = max(6, self.n_young // 150)
        self.schools = self.add_places(np.array(["school"] * n_schools, dtype=object),
                                       np.arange(n_schools) % self.n_wards)
        self.school_ward = self.ward_idx(self.schools)
        # Out-of-borough places (a school, found-at addresses, a hotel) just outside the box.
        self.out_places = self.add_places(np.array(["school", "address", "hotel_bnb", "address"], dtype=object),
                                          np.zeros(4, dtype=int), outside=True)

    def ward_idx(self, locs: np.ndarray) -> np.ndarray:
        lat = np.nan_to_num(np.concatenate(self.loc_lat)[locs], nan=self.b["box"]["max_lat"])
        lon = np.nan_to_num(np.concatenate(self.loc_lon)[locs], nan=self.b["box"]["min_lon"])
        box = self.b["box"]
        cols = self.b["ward_grid"]["cols"]
        r = np.clip(((box["max_lat"] - lat) / self.dlat).astype(int), 0, self.b["ward_grid"]["rows"] - 1)
        c = np.clip(((lon - box["min_lon"]) / self.dlon).astype(int), 0, cols - 1)
        return r * cols + c

    def add_places(self, types: np.ndarray, wards: np.ndarray, outside: bool = False, names=None) -> np.ndarray:
        rng, box = self.rng, self.b["box"]
        n = len(types)
        cols = self.b["ward_grid"]["cols"]
        r, c = wards // cols, wards % cols
        # Keep a margin inside each ward cell so the grid assignment is unambiguous.
        lat = box["max_lat"] - (r + rng.uniform(0.05, 0.95, n)) * self.dlat
        lon = box["min_lon"] + (c + rng.uniform(0.05, 0.95, n)) * self.dlon
        if outside:  # a little beyond the south or east edge: a neighbouring borough
            south = rng.random(n) < 0.5
            lat = np.where(south, box["min_lat"] - rng.uniform(0.005, 0.03, n), lat)
            lon = np.where(south, lon, box["max_lon"] + rng.uniform(0.005, 0.03, n))
        online = types == "online_space"
        lat = np.where(online, np.nan, lat)
        lon = np.where(online, np.nan, lon)
        if names is None:
            word = self.pick(WORDS, n)
            names = np.empty(n, dtype=object)
            for t in np.unique(types):
                sel = types == t
                if t == "address":
                    num = rng.integers(1, 180, sel.sum()).astype(str)
                    flat = rng.random(sel.sum()) < 0.35
                    road = self.pick(ROADS, sel.sum())
                    names[sel] = np.where(flat, "Flat " + rng.integers(1, 40, sel.sum()).astype(str) + ", ", "") \
                        + num + " " + word[sel] + " " + road
                else:
                    tmpl = self.pick(PLACE_NAMES[t], sel.sum())
                    names[sel] = [tp.replace("{w}", w) for tp, w in zip(tmpl, word[sel])]
        self.loc_type.append(np.asarray(types, dtype=object))
        self.loc_lat.append(lat)
        self.loc_lon.append(lon)
        self.loc_name.append(np.asarray(names, dtype=object))
        self.loc_source.append(np.where(types == "school", "education", "police").astype(object))
        ids = np.arange(self.n_loc, self.n_loc + n)
        self.n_loc += n
        return ids

    # --- people ----------------------------------------------------------------------
    def make_people(self) -> None:
        rng = self.rng
        self.p: dict[str, list] = {k: [] for k in ("fore", "sur", "dob", "gender", "role", "borough", "source", "addr",
                                                   "school")}
        self.n_people = 0
        n = self.n_young
        # Households: one, two or three young people sharing a surname and an address.
        hs = rng.choice([1, 2, 3], size=n, p=[0.68, 0.25, 0.07])
        hs = hs[: np.searchsorted(np.cumsum(hs), n) + 1]
        hs[-1] -= hs.sum() - n
        hs = hs[hs > 0]
        n_house = len(hs)
        house_ward = rng.integers(0, self.n_wards, n_house)
        house_addr = self.add_places(np.array(["address"] * n_house, dtype=object), house_ward)
        house_sur = self.pick(SURNAMES, n_house)
        hh = np.repeat(np.arange(n_house), hs)
        rank = np.arange(n) - np.repeat(np.cumsum(hs) - hs, hs)
        # Twins: a tenth of two-child households.
        twin_house = (hs == 2) & (rng.random(n_house) < 0.12)
        base_age = rng.uniform(12.5, 17.95, n_house)
        gap = rng.uniform(1.1, 2.4, n)
        age = base_age[hh] - rank * gap
        age = np.where(twin_house[hh], base_age[hh], age)
        age = np.where(age < 11.05, base_age[hh] + rank * 0.9, age)
        age = np.clip(age, 11.05, 17.95)
        dob = self.as_at_day - np.round(age * 365.25).astype(np.int64)
        gender = self.pick(["male", "female", "non_binary"], n, [0.6, 0.39, 0.01])
        fore = np.where(gender == "female", self.pick(FEMALE, n), self.pick(MALE, n)).astype(object)
        # Twins: their own forenames, sometimes confusingly similar.
        for h in np.flatnonzero(twin_house):
            i = int(np.searchsorted(hh, h))
            if rng.random() < 0.5:
                a, c = SIMILAR_TWINS[int(rng.integers(len(SIMILAR_TWINS)))]
                fore[i], fore[i + 1] = a, c
            elif fore[i] == fore[i + 1]:
                fore[i + 1] = (FEMALE if gender[i + 1] == "female" else MALE)[int(rng.integers(30))]
                if fore[i + 1] == fore[i]:
                    fore[i + 1] = "Reuben" if fore[i] != "Reuben" else "Omar"
        # Siblings who are not twins must not share a date of birth.
        same = (rank > 0) & ~twin_house[hh]
        clash = same & (dob == np.roll(dob, 1))
        dob = np.where(clash, dob - 400, dob)
        self.young_ids = self.add_people(fore, house_sur[hh], dob, gender, "young_person", "Wandlebury",
                                         self.pick(["csc", "police"], n, [0.6, 0.4]), house_addr[hh],
                                         self.schools[np.argmin(np.abs(self.school_ward[None, :] - house_ward[hh][:, None]),
                                                                axis=1)])
        self.y_house = hh
        self.y_ward = house_ward[hh]
        self.house_sizes, self.twin_house = hs, twin_house
        # Some schools are picked by chance rather than nearest: spread pupils.
        rnd = rng.random(n) < 0.3
        self.p["school"][-1] = np.where(rnd, self.schools[rng.integers(0, len(self.schools), n)], self.p["school"][-1])

    def add_people(self, fore, sur, dob, gender, role, borough_name, source, addr, school) -> np.ndarray:
        k = len(fore)
        vals = dict(fore=fore, sur=sur, dob=dob, gender=gender, role=role, borough=borough_name, source=source,
                    addr=addr, school=school)
        for key, v in vals.items():
            arr = np.asarray(v) if not np.isscalar(v) else np.full(k, v, dtype=object if isinstance(v, str) else None)
            self.p[key].append(np.broadcast_to(arr, (k,)).copy())
        ids = np.arange(self.n_people, self.n_people + k)
        self.n_people += k
        return ids

    def adults(self, n: int, role: str, age_lo: float, age_hi: float, ward=None, male_p=0.8, surname=None,
               addr=None, source="police", borough_name="Wandlebury") -> np.ndarray:
        rng = self.rng
        gender = self.pick(["male", "female"], n, [male_p, 1 - male_p])
        fore = np.where(gender == "female", self.pick(FEMALE, n), self.pick(MALE, n)).astype(object)
        sur = self.pick(SURNAMES, n) if surname is None else surname
        dob = self.as_at_day - np.round(rng.uniform(age_lo, age_hi, n) * 365.25).astype(np.int64)
        if addr is None:
            wards = rng.integers(0, self.n_wards, n) if ward is None else ward
            addr = self.add_places(np.array(["address"] * n, dtype=object), wards)
        return self.add_people(fore, sur, dob, gender, role, borough_name, source, addr, -1)

    # --- groups ----------------------------------------------------------------------
    def make_groups(self) -> None:
        rng = self.rng
        n = self.n_young
        in_group = rng.random(n) < 0.62
        cand = rng.permutation(np.flatnonzero(in_group))
        cand = cand[np.argsort(self.y_ward[cand], kind="stable")]
        sizes = rng.integers(4, 10, size=len(cand) // 4 + 1)
        sizes = sizes[: np.searchsorted(np.cumsum(sizes), len(cand)) + 1]
        sizes[-1] -= sizes.sum() - len(cand)
        if sizes[-1] < 3 and len(sizes) > 1:
            sizes[-2] += sizes[-1]
            sizes = sizes[:-1]
        self.n_groups = G = len(sizes)
        starts = np.cumsum(sizes) - sizes
        W = int(sizes.max()) + 2  # room for bridges
        M = np.full((G, W), -1, dtype=np.int64)
        for g in range(G):
            M[g, : sizes[g]] = self.young_ids[cand[starts[g]: starts[g] + sizes[g]]]
        self.group_of = np.full(self.n_people + 10 * n, -1, dtype=np.int64)  # primary group by person
        self.group_of[M[M >= 0]] = np.repeat(np.arange(G), sizes)
        self.gsize = sizes.copy()
        self.g_ward = self.y_ward[cand[starts]]
        self.M = M
        # Bridges: in a second group nearby (taking part in both groups' incidents).
        n_bridge = max(3, G // 14)
        self.bridges = []
        self.bridge_groups = {}
        gs = rng.choice(G, size=n_bridge, replace=False)
        for g in gs:
            person = M[g, rng.integers(0, sizes[g])]
            others = np.flatnonzero((np.abs(self.g_ward - self.g_ward[g]) <= 1) & (np.arange(G) != g))
            others = others[self.gsize[others] + 1 < W] if len(others) else others
            if not len(others):
                continue
            g2 = int(rng.choice(others))
            M[g2, self.gsize[g2]] = person
            self.gsize[g2] += 1
            self.bridges.append(int(person))
            self.bridge_groups[int(person)] = (int(g), g2)
        # Each group meets at two or three public places in or near its ward.
        meet_ok = np.isin(self.public_type, ["park", "shop_takeaway", "street", "transport_hub", "youth_venue"])
        self.gplaces = np.full((G, 3), -1, dtype=np.int64)
        for g in range(G):
            near = self.public[meet_ok & (np.abs(self.public_ward - self.g_ward[g]) <= 1)]
            if len(near) < 3:
                near = self.public[meet_ok]
            k = int(rng.integers(2, 4))
            self.gplaces[g, :k] = rng.choice(near, size=k, replace=False)
        self.g_activity = rng.gamma(2.0, 1.0, G) * self.gsize

    # --- adults, families, decoys ---------------------------------------------------
    def make_adults(self) -> None:
        rng = self.rng
        G, M = self.n_groups, self.M
        self.assoc: list[tuple] = []  # (a, b, kind, first_day or -1, last_day or -1, source, grading, fop)
        # Recruiters: each draws young people from two to four groups, near one another.
        n_rec = max(4, self.n_young // 150)
        self.trap = self.add_places(np.array(["address"] * n_rec, dtype=object), rng.integers(0, self.n_wards, n_rec))
        from_out = rng.random(n_rec) < 0.3
        self.recruiters = self.adults(n_rec, "adult_of_concern", 19, 34, male_p=0.85)
        brs = np.array(self.p["borough"][-1])
        brs[from_out] = self.pick(self.b["neighbouring_boroughs"], int(from_out.sum()))
        self.p["borough"][-1] = brs
        taken = np.zeros(self.n_people + 10 * self.n_young, dtype=bool)
        taken[self.bridges] = True
        self.recruited: dict[int, list[int]] = {}
        self.recruiter_groups: dict[int, list[int]] = {}
        for r, trap in zip(self.recruiters, self.trap):
            centre = int(rng.integers(G))
            near = np.flatnonzero(np.abs(self.g_ward - self.g_ward[centre]) <= 1)
            if len(near) < 4:
                near = np.arange(G)
            k = min(len(near), int(rng.integers(2, 5)))
            groups = rng.choice(near, size=k, replace=False)
            kids = []
            used_groups = []
            for g in groups:
                members = M[g, : self.gsize[g]]
                members = members[(members >= 0) & ~taken[members] & (self.group_of[members] == g)]
                if not len(members):
                    continue
                pick = rng.choice(members, size=min(len(members), int(rng.integers(1, 4))), replace=False)
                taken[pick] = True
                kids.extend(int(x) for x in pick)
                used_groups.append(int(g))
            if len(used_groups) < 2:  # ensure the defining property: at least two groups
                for g in rng.permutation(G):
                    if g in used_groups:
                        continue
                    members = M[g, : self.gsize[g]]
                    members = members[(members >= 0) & ~taken[members] & (self.group_of[members] == g)]
                    if len(members):
                        taken[members[0]] = True
                        kids.append(int(members[0]))
                        used_groups.append(int(g))
                        if len(used_groups) >= 2:
                            break
            self.recruited[int(r)] = sorted(kids)
            self.recruiter_groups[int(r)] = sorted(used_groups)
        self.taken = taken
        # Youth workers who *report* incidents across groups (role reporting; no ties).
        n_yw = max(2, self.n_young // 200)
        self.youth_workers = self.adults(n_yw, "associate", 25, 55, male_p=0.5, source="youth_service")
        # Residents who report ASB.
        self.residents = self.adults(max(5, self.n_young // 40), "associate", 30, 75, male_p=0.45, source="asb_log")
        # Family decoys: parents and older siblings tied to young people of different groups.
        self.decoy_kinds: dict[int, str] = {}
        multi = np.flatnonzero(self.house_sizes >= 2)
        n_fam = max(3, self.n_young // 60)
        first_of_house = np.cumsum(self.house_sizes) - self.house_sizes
        # Prefer households whose children are already in two different groups (the hard decoy),
        # then households where a child is in no group yet (placed in another group below).
        g0 = self.group_of[self.young_ids[first_of_house[multi]]]
        g1 = self.group_of[self.young_ids[first_of_house[multi] + 1]]
        rank = np.where((g0 >= 0) & (g1 >= 0) & (g0 != g1), 0, np.where((g0 < 0) | (g1 < 0), 1, 2))
        order = np.lexsort((rng.random(len(multi)), rank))
        fam_houses = multi[order[: min(len(multi), n_fam)]]
        self.family_adults = []
        for i, h in enumerate(fam_houses):
            kids = self.young_ids[first_of_house[h]: first_of_house[h] + self.house_sizes[h]]
            addr = self.p["addr"][0][kids[0]]
            sur = self.p["sur"][0][kids[0]]
            # Siblings in different groups: place any sibling in no group into another group.
            for kid, other in ((kids[0], kids[1]), (kids[1], kids[0])):
                if self.group_of[kid] >= 0:
                    continue
                for g in rng.permutation(G)[:20]:
                    if g != self.group_of[other] and self.gsize[g] + 1 < M.shape[1]:
                        M[g, self.gsize[g]] = kid
                        self.gsize[g] += 1
                        self.group_of[kid] = g
                        break
            older = i % 2 == 1
            if older:
                a = self.adults(1, "associate", 18.2, 21.5, surname=np.array([sur], dtype=object),
                                addr=np.array([addr]), source="csc")[0]
                kind = "sibling"
            else:
                a = self.adults(1, "associate", 36, 55, male_p=0.4, surname=np.array([sur], dtype=object),
                                addr=np.array([addr]), source="csc")[0]
                kind = "family"
            for kid in kids:
                self.assoc.append((int(kid), int(a), kind, -1, -1, "csc", "", "fact"))
            self.family_adults.append(int(a))
            self.decoy_kinds[int(a)] = kind
        # Siblings are tied to each other.
        for h in multi:
            kids = self.young_ids[first_of_house[h]: first_of_house[h] + self.house_sizes[h]]
            for x in range(len(kids)):
                for y in range(x + 1, len(kids)):
                    self.assoc.append((int(kids[x]), int(kids[y]), "sibling", -1, -1, "csc", "", "fact"))
        for yw in self.youth_workers:
            self.decoy_kinds[int(yw)] = "youth_worker"
        # Adults of concern tied to one young person, after that child's first incident.
        n_single = max(2, self.n_young // 150)
        self.single_adults = self.adults(n_single, "adult_of_concern", 20, 40)
        cands = np.flatnonzero((self.group_of[self.young_ids] >= 0) & ~taken[self.young_ids])
        self.single_child = {int(a): int(self.young_ids[c]) for a, c in
                             zip(self.single_adults, rng.choice(cands, size=n_single, replace=False))}
        for a in self.single_adults:
            self.decoy_kinds[int(a)] = "single_tie"
            taken[self.single_child[int(a)]] = True

    # --- out-of-borough young people, duplicates ------------------------------------
    def make_outsiders(self) -> None:
        rng = self.rng
        n_out = max(8, self.n_young // 40)
        nb = self.b["neighbouring_boroughs"]
        addr = self.add_places(np.array(["address"] * n_out, dtype=object), rng.integers(0, self.n_wards, n_out),
                               outside=True)
        gender = self.pick(["male", "female"], n_out, [0.6, 0.4])
        fore = np.where(gender == "female", self.pick(FEMALE, n_out), self.pick(MALE, n_out)).astype(object)
        dob = self.as_at_day - np.round(rng.uniform(12, 17.9, n_out) * 365.25).astype(np.int64)
        self.outsiders = self.add_people(fore, self.pick(SURNAMES, n_out), dob, gender, "young_person",
                                         self.pick(nb, n_out), "police", addr, self.out_places[0])
        # Planted cross-borough friendships, and decoys explained by school or family.
        local = self.young_ids[(self.group_of[self.young_ids] >= 0) & ~self.taken[self.young_ids]]
        n_pairs = max(3, n_out // 2)
        n_dec = max(2, n_out // 8)
        partners = rng.choice(local, size=n_out, replace=False)
        self.cross_pairs, self.cross_decoys, self.cross_merlins = [], [], []
        school = self.p["school"]
        for i, (o, a) in enumerate(zip(self.outsiders, partners)):
            first = int(self.as_at_day - rng.integers(60, 500))
            if i < n_pairs:
                self.assoc.append((int(a), int(o), "friend", first, -1, "peer_map", "", "opinion"))
                self.cross_pairs.append((int(a), int(o)))
                self.cross_merlins.append((int(a), int(o), int(rng.integers(1, 3))))
            elif i < n_pairs + n_dec:  # attends the local child's school
                self.set_person(o, "school", self.person(a, "school"))
                self.assoc.append((int(a), int(o), "friend", first, -1, "peer_map", "", "opinion"))
                self.cross_decoys.append((int(a), int(o)))
            elif i < n_pairs + 2 * n_dec:  # cousins
                self.assoc.append((int(a), int(o), "family", -1, -1, "csc", "", "fact"))
                self.cross_decoys.append((int(a), int(o)))
        del school

    def person(self, i: int, key: str):
        return np.concatenate(self.p[key])[i]

    def set_person(self, i: int, key: str, value) -> None:
        off = 0
        for arr in self.p[key]:
            if i < off + len(arr):
                arr[i - off] = value
                return
            off += len(arr)

    def make_duplicates(self) -> None:
        """The same child under a second (social-care) id, and the near misses."""
        rng = self.rng
        # Different people never share forename, surname and date of birth (else "same name and
        # date of birth" would be a wrong merge the ground truth does not know about).
        for _ in range(20):
            P = {k: np.concatenate(v) for k, v in self.p.items()}
            clash = pd.DataFrame({"f": P["fore"], "s": P["sur"], "d": P["dob"]}).duplicated().to_numpy()
            if not clash.any():
                break
            for i in np.flatnonzero(clash):
                shift = int(rng.integers(30, 300))
                younger = self.as_at_day - P["dob"][i] > 14.5 * 365.25  # stay inside the age range
                self.set_person(int(i), "dob", int(P["dob"][i] + (shift if younger else -shift)))
        P = {k: np.concatenate(v) for k, v in self.p.items()}
        n_dup = max(10, self.n_young // 25)
        twins_members = np.isin(self.y_house, np.flatnonzero(self.twin_house))
        cands = self.young_ids[~twins_members]
        chosen = rng.choice(cands, size=n_dup, replace=False)
        self.dup_pairs: list[tuple[int, int]] = []
        fore, sur, dob = P["fore"][chosen].copy(), P["sur"][chosen].copy(), P["dob"][chosen].copy()
        if self.plant_jayden:  # the example from the issue, in the demo
            c0 = chosen[0]
            self.set_person(c0, "fore", "Jayden")
            self.set_person(c0, "sur", "Smith")
            self.set_person(c0, "gender", "male")
            self.set_person(c0, "dob", int(np.datetime64("2010-03-04", "D").astype(np.int64)))
            fore[0], sur[0], dob[0] = "Jayden", "Smith", int(np.datetime64("2010-03-04", "D").astype(np.int64))
        P = {k: np.concatenate(v) for k, v in self.p.items()}
        mode = rng.random(n_dup)
        new_fore, new_sur, new_dob = fore.copy(), sur.copy(), dob.copy()
        for i in range(n_dup):
            f, s = str(fore[i]), str(sur[i])
            if i == 0 and self.plant_jayden:
                new_fore[i], new_sur[i] = "Jaden", "Smyth"
                continue
            m = mode[i]
            if m < 0.15:  # exact name, different id and system
                pass
            elif m < 0.45:
                new_fore[i] = VARIANTS.get(f, _typo(f, rng))
            elif m < 0.75:
                new_sur[i] = VARIANTS.get(s, _typo(s, rng))
            else:
                new_fore[i] = VARIANTS.get(f, _typo(f, rng))
                new_sur[i] = VARIANTS.get(s, _typo(s, rng))
            if rng.random() < 0.12:  # day and month swapped on entry
                d = np.datetime64(int(dob[i]), "D").astype(object)
                if d.day <= 12 and d.day != d.month:
                    new_dob[i] = int(np.datetime64(date(d.year, d.day, d.month), "D").astype(np.int64))
            if rng.random() < 0.1:  # upper case from an older system
                new_sur[i] = str(new_sur[i]).upper()
        src = np.where(P["source"][chosen] == "police", "csc", "police").astype(object)
        dups = self.add_people(new_fore, new_sur, new_dob, P["gender"][chosen], "young_person", "Wandlebury",
                               src, P["addr"][chosen], P["school"][chosen])
        self.dup_of = {int(d): int(c) for d, c in zip(dups, chosen)}
        self.dups = dups

    # --- incidents ---------------------------------------------------------------------
    def make_incidents(self) -> None:
        rng, inc = self.rng, self.inc
        N = int(self.n_target * self.base)  # the planted structures and hotspots make up the rest
        G, M = self.n_groups, self.M
        W = M.shape[1]
        local_young = self.young_ids
        # Nobody is named on a record from before their tenth birthday.
        self.max_back = self.as_at_day - (np.concatenate(self.p["dob"]) + 3653)
        # 1. Group incidents: two to four members of one group named together at its places.
        n = int(N * 0.40)
        g = rng.choice(G, size=n, p=self.g_activity / self.g_activity.sum())
        typ = rng.choice([T["merlin"], T["stop_search"], T["asb"], T["arrest"]], size=n, p=[.45, .2, .25, .1])
        k = np.minimum(1 + rng.binomial(3, 0.45, size=n), self.gsize[g])
        keys = rng.random((n, W))
        keys[M[g] < 0] = 2.0
        order = np.argsort(keys, axis=1)[:, :4]
        picked = np.take_along_axis(M[g], order, axis=1)
        at_home = rng.random(n) < 0.78
        gp_n = (self.gplaces[g] >= 0).sum(axis=1)
        loc = np.where(at_home, self.gplaces[g, (rng.random(n) * gp_n).astype(int)],
                       self.public[rng.integers(0, len(self.public), n)])
        mask = np.arange(4)[None, :] < k[:, None]
        limit = np.where(mask, self.max_back[np.maximum(picked, 0)], SPAN_DAYS).min(axis=1)
        start = self.when(self.clamp(self.days_back(n), limit), _EVENING)
        ids = inc.add(typ, start, -1, loc)
        rows, pos = np.nonzero(mask)
        person = picked[rows, pos]
        t = typ[rows]
        role = np.where(pos == 0, R["subject"], R["present"])
        role = np.where((t == T["stop_search"]), R["subject"], role)
        role = np.where((t == T["arrest"]) & (pos == 0), R["suspect"], role)
        role = np.where((t == T["asb"]), R["suspect"], role)
        role = np.where((t == T["merlin"]) & (pos == 0) & (rng.random(len(rows)) < 0.2), R["victim"], role)
        inc.involve(ids[rows], person, role)
        rep = rng.random(n) < np.where(typ == T["asb"], 0.3, 0.08)
        inc.involve(ids[rep], self.youth_workers[rng.integers(0, len(self.youth_workers), rep.sum())], R["reporting"])
        # 1b. Bridges: named with members of each of their two groups, on separate occasions.
        for person, (g1, g2) in self.bridge_groups.items():
            for g in (g1, g2):
                members = M[g, : self.gsize[g]]
                members = members[members != person]
                k = 4
                ids = inc.add(self.pick([T["merlin"], T["stop_search"], T["asb"]], k, [.6, .2, .2]).astype(np.int16),
                              self.when(self.clamp(self.days_back(k), np.full(k, self.max_back[members].min())),
                                        _EVENING), -1, self.gplaces[g, np.zeros(k, dtype=np.int64)])
                inc.involve(ids, np.full(k, person), R["subject"])
                inc.involve(ids, rng.choice(members, size=k), R["present"])
        # 2. Single young people on Merlins (victim, witness, subject).
        n = int(N * 0.10)
        who = local_young[rng.integers(0, len(local_young), n)]
        loc = self.public[rng.integers(0, len(self.public), n)]
        ids = inc.add(T["merlin"], self.when(self.clamp(self.days_back(n), self.max_back[who]), _EVENING), -1, loc)
        inc.involve(ids, who, rng.choice([R["subject"], R["victim"], R["witness"]], size=n, p=[.5, .3, .2]))
        # 3. School incidents, weekdays in school hours, sometimes with a second pupil.
        n = int(N * 0.07)
        P_school = np.concatenate(self.p["school"])
        who = local_young[rng.integers(0, len(local_young), n)]
        back = self.clamp(self.days_back(n, weekdays_only=True), self.max_back[who])
        ids = inc.add(T["school"], self.when(back, _SCHOOL), -1, P_school[who])
        inc.involve(ids, who, R["subject"])
        second = rng.random(n) < 0.15
        by_school = local_young[np.argsort(P_school[local_young], kind="stable")]
        sch_sorted = P_school[by_school]
        lo = np.searchsorted(sch_sorted, P_school[who[second]], side="left")
        hi = np.searchsorted(sch_sorted, P_school[who[second]], side="right")
        other = by_school[lo + (rng.random(int(second.sum())) * (hi - lo)).astype(np.int64)]
        # Mostly someone from the pupil's own group (fall-outs within groups), else anyone at the school.
        g2 = self.group_of[who[second]]
        same = (g2 >= 0) & (rng.random(len(g2)) < 0.6)
        pos = (rng.random(len(g2)) * self.gsize[np.maximum(g2, 0)]).astype(np.int64)
        other = np.where(same, M[np.maximum(g2, 0), pos], other)
        ok = other != who[second]
        inc.involve(ids[second][ok], other[ok], R["victim"])
        # 4. Background ASB: nobody named, sometimes a resident reporting; busy places busier.
        n = int(N * 0.18)
        weight = rng.gamma(1.2, 1.0, len(self.public))
        loc = rng.choice(self.public, size=n, p=weight / weight.sum())
        ids = inc.add(T["asb"], self.when(self.days_back(n), _EVENING), -1, loc)
        rep = rng.random(n) < 0.35
        inc.involve(ids[rep], self.residents[rng.integers(0, len(self.residents), rep.sum())], R["reporting"])
        # 5. Intelligence about single young people (graded; opinion when not known directly).
        n = int(N * 0.035)
        who = local_young[rng.integers(0, len(local_young), n)]
        grading, fop = self.gradings(n)
        P_addr = np.concatenate(self.p["addr"])
        ids = inc.add(T["intelligence"], self.when(self.clamp(self.days_back(n), self.max_back[who]), _EVENING), -1,
                      P_addr[who], grading, fop)
        inc.involve(ids, who, R["subject"])
        # 6. Background missing episodes: a few children go missing often.
        n = int(N * 0.045)
        # About a third of young people ever go missing; some of them often, none hundreds of times.
        propensity = rng.gamma(1.5, 1.0, len(local_young)) * (rng.random(len(local_young)) < 0.33)
        who = local_young[rng.choice(len(local_young), size=n, p=propensity / propensity.sum())]
        self.mplan = {k: [] for k in ("who", "unit", "offset", "hours", "found", "adult", "lo", "hi")}
        self.mplan["n_units"] = 0
        self.planted_pairs: list[tuple[int, int, int]] = []
        # 7. The planted structures; then every missing episode is written, clear of chance repeats.
        self.plant_recruiters()
        self.plant_co_missing()
        self.plan_background_missing(who)
        self.write_missing()
        self.plant_cross_borough()
        self.plant_single_adults()
        self.plant_old_hotspot()
        self.plant_hotspots()

    # --- missing episodes ------------------------------------------------------------
    # Every missing episode is planned first as part of a *unit* (the children missing over one
    # night together: one child, or a planted pair); units are then moved to other nights until
    # no two children overlap twice by chance, and only then written. So the repeated overlaps in
    # the data are the planted ones, while single chance overlaps (everyday decoys) remain.
    def plan_missing(self, who, unit, offset, hours, found, adult, lo, hi) -> None:
        """Plan rows (one child each) grouped in units; ``lo``/``hi`` bound each unit's days back."""
        who, unit = np.asarray(who, dtype=np.int64), np.asarray(unit, dtype=np.int64)
        n_units = int(unit.max()) + 1 if len(unit) else 0
        lo = np.broadcast_to(np.asarray(lo, dtype=np.int64), (n_units,)).copy()
        hi = np.broadcast_to(np.asarray(hi, dtype=np.int64), (n_units,)).copy()
        limit = np.full(n_units, SPAN_DAYS, dtype=np.int64)
        np.minimum.at(limit, unit, self.max_back[who])
        hi = np.maximum(np.minimum(hi, limit), lo + 1)  # nobody named before their tenth birthday
        m = self.mplan
        m["who"].append(who)
        m["unit"].append(unit + m["n_units"])
        m["offset"].append(np.asarray(offset, dtype=np.int64))
        m["hours"].append(np.asarray(hours, dtype=float))
        m["found"].append(np.asarray(found, dtype=np.int64))
        m["adult"].append(np.broadcast_to(np.asarray(adult, dtype=np.int64), who.shape).copy())
        m["lo"].append(lo)
        m["hi"].append(hi)
        m["n_units"] += n_units

    def unit_days(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        return lo + (self.rng.random(len(lo)) * (hi - lo)).astype(np.int64)

    def write_missing(self) -> None:
        m = self.mplan
        cat = {k: np.concatenate(v) for k, v in m.items() if k != "n_units"}
        who, unit, lo, hi = cat["who"], cat["unit"], cat["lo"], cat["hi"]
        unit_start = self.when(self.unit_days(lo, hi), _NIGHT)
        planted = np.array([a * 10**9 + b for a, b, _ in self.planted_pairs], dtype=np.int64)
        dur = (cat["hours"] * 60).astype(np.int64)
        for _ in range(30):
            start = unit_start[unit] + cat["offset"]
            i, j = _overlaps(start, start + dur)
            ok = who[i] != who[j]
            i, j = i[ok], j[ok]
            key = np.minimum(who[i], who[j]) * 10**9 + np.maximum(who[i], who[j])
            _, inv, cnt = np.unique(key, return_inverse=True, return_counts=True)
            bad = (cnt[inv] >= 2) & ~np.isin(key, planted)
            # Move one side of each chance repeat (the later-planned unit: background before planted).
            move = np.unique(np.maximum(unit[i[bad]], unit[j[bad]]))
            if not len(move):
                break
            unit_start[move] = self.when(self.unit_days(lo[move], hi[move]), _NIGHT)
        start = unit_start[unit] + cat["offset"]
        end = start + dur
        found = cat["found"]
        src = self.pick(["csc", "police"], len(who), [0.5, 0.5])
        ids = self.inc.add(T["missing"], start, end, found, source=src)
        self.inc.involve(ids, who, R["missing_person"])
        # Found with an adult: a found-with record at the end of the episode, where the child was found.
        fw = cat["adult"] >= 0
        fid = self.inc.add(T["found_with"], end[fw], -1, found[fw])
        self.inc.involve(fid, who[fw], R["subject"])
        self.inc.involve(fid, cat["adult"][fw], R["found_with"])
        self.found_with = list(zip(who[fw].tolist(), cat["adult"][fw].tolist(), fid.tolist()))
        self.found_at = list(zip(who[fw].tolist(), found[fw].tolist(), (end[fw] // 1440).tolist()))

    def plan_background_missing(self, who: np.ndarray) -> None:
        rng = self.rng
        n = len(who)
        home = rng.random(n) < 0.3
        found = np.where(home, np.concatenate(self.p["addr"])[who], self.public[rng.integers(0, len(self.public), n)])
        self.plan_missing(who, np.arange(n), np.zeros(n), np.clip(rng.lognormal(np.log(10), 0.7, n), 2, 90),
                          found, -1, 5, SPAN_DAYS)

    def plant_recruiters(self) -> None:
        rng, inc = self.rng, self.inc
        self.complex: list[dict] = []
        hotels = self.public[self.public_type == "hotel_bnb"]
        away = self.add_places(np.array(["address", "hotel_bnb"] * len(self.recruiters), dtype=object),
                               np.zeros(2 * len(self.recruiters), dtype=int), outside=True)  # found out of borough
        rows = []  # (kid, adult, unit, where): one row per child per found-with episode
        ep = 0
        int_rows = []  # (adult, trap, n intelligence reports)
        for j, r in enumerate(self.recruiters):
            r = int(r)
            kids = self.recruited[r]
            trap = int(self.trap[j])
            hotel = int(hotels[j % len(hotels)]) if len(hotels) else trap
            places = [trap, hotel, int(away[2 * j]), int(away[2 * j + 1])]
            # Found with the adult after going missing (each child once or twice in the window).
            for kid in kids:
                for _ in range(int(rng.integers(1, 3))):
                    rows.append((kid, r, ep, places[int(rng.choice(4, p=[.45, .3, .15, .1]))]))
                    ep += 1
            # Two of its children, from different groups, go missing together twice.
            by_group: dict[int, int] = {}
            for kid in kids:
                by_group.setdefault(int(self.group_of[kid]), kid)
            if len(by_group) >= 2:
                a, b2 = list(by_group.values())[:2]
                for _ in range(2):
                    where = places[int(rng.integers(0, 2))]
                    rows += [(a, r, ep, where), (b2, r, ep, where)]
                    ep += 1
                self.planted_pairs.append((min(a, b2), max(a, b2), 2))
            int_rows.append((r, trap, int(rng.integers(2, 6))))
            self.complex.append({"subject_id": r, "subject_type": "person", "young_people": kids})
        fw = np.array(rows, dtype=np.int64).reshape(-1, 4)
        kid, adult, epi, where = fw.T
        # A recruiter's address is linked to the children actually found there (not every child
        # the adult recruits: some are only ever found at the hotel or out of borough).
        for j in range(len(self.recruiters)):
            trap = int(self.trap[j])
            at_trap = sorted(set(kid[where == trap].tolist()))
            self.complex.append({"subject_id": trap, "subject_type": "location", "young_people": at_trap})
        ep_hours = np.clip(rng.lognormal(np.log(22), 0.5, ep), 8, 90)
        self.plan_missing(kid, epi, rng.integers(-12, 13, len(fw)) * 5, ep_hours[epi] + rng.uniform(-3, 3, len(fw)),
                          where, adult, 8, self.window_days - 5)
        # Graded intelligence naming the adult with one or two of the children.
        ir = np.array(int_rows, dtype=np.int64).reshape(-1, 3)
        adult = np.repeat(ir[:, 0], ir[:, 2])
        grading, fop = self.gradings(len(adult))
        ids = inc.add(T["intelligence"], self.when(rng.integers(5, self.window_days, len(adult)), _EVENING), -1,
                      np.repeat(ir[:, 1], ir[:, 2]), grading, fop)
        inc.involve(ids, adult, R["subject"])
        for i, a in zip(ids.tolist(), adult.tolist()):
            kids = self.recruited[a]
            chosen = rng.choice(kids, size=1)  # one child per report: the adult is the link
            inc.involve(np.full(len(chosen), i), chosen, R["present"])

    def plant_co_missing(self) -> None:
        """Repeated co-missing pairs within groups, and single coincidental overlaps as decoys."""
        rng = self.rng
        G, M = self.n_groups, self.M
        free = ~self.taken
        # Repeated pairs: two members of one group missing over the same nights, two to four times.
        gs = rng.choice(G, size=min(G, max(4, G // 6)), replace=False)
        who, epi, found = [], [], []
        ep = 0
        for g in gs:
            members = M[g, : self.gsize[g]]
            members = members[(members >= 0) & free[members]]
            if len(members) < 2:
                continue
            a, b2 = (int(x) for x in rng.choice(members, size=2, replace=False))
            k = int(rng.integers(2, 5))
            for _ in range(k):
                where = int(self.public[rng.integers(0, len(self.public))])
                who += [a, b2]
                epi += [ep, ep]
                found += [where, where]
                ep += 1
            self.planted_pairs.append((min(a, b2), max(a, b2), k))
        epi_a = np.array(epi, dtype=np.int64)
        ep_hours = np.clip(rng.lognormal(np.log(20), 0.5, ep), 6, 80)
        self.plan_missing(who, epi_a, rng.integers(-18, 19, len(epi_a)) * 5,
                          ep_hours[epi_a] + rng.uniform(-4, 4, len(epi_a)), found, -1, 5, self.window_days - 3)
        # Coincidental: one overlap between children of different groups in different wards.
        grouped = self.young_ids[(self.group_of[self.young_ids] >= 0) & free[self.young_ids]]
        pairs = rng.choice(grouped, size=(max(4, G // 8), 2))
        ok = (self.group_of[pairs[:, 0]] != self.group_of[pairs[:, 1]]) & \
             (np.abs(self.y_ward[pairs[:, 0]] - self.y_ward[pairs[:, 1]]) >= 2)
        pairs = pairs[ok]
        n = len(pairs)
        offset = np.stack([np.zeros(n, dtype=np.int64), rng.integers(1, 5, n) * 60], axis=1).ravel()
        self.plan_missing(pairs.ravel(), np.repeat(np.arange(n), 2), offset, rng.uniform(6, 20, 2 * n),
                          self.public[rng.integers(0, len(self.public), 2 * n)], -1, 5, self.window_days - 3)
        self.coincidental = [(int(min(a, b2)), int(max(a, b2))) for a, b2 in pairs]

    def plant_cross_borough(self) -> None:
        rng = self.rng
        for a, o, k in self.cross_merlins:
            back = rng.integers(5, self.window_days, k)
            ids = self.inc.add(T["merlin"], self.when(back, _EVENING), -1,
                               self.public[rng.integers(0, len(self.public), k)])
            self.inc.involve(ids, np.full(k, a), R["subject"])
            self.inc.involve(ids, np.full(k, o), R["present"])

    def plant_single_adults(self) -> None:
        # The tie is recorded once, later than the child's first incident (see finish()).
        rng = self.rng
        for a, kid in self.single_child.items():
            back = rng.integers(5, self.window_days, 1)
            ids = self.inc.add(T["merlin"], self.when(back, _EVENING), -1,
                               self.public[rng.integers(0, len(self.public), 1)])
            self.inc.involve(ids, [kid], R["subject"])
            self.inc.involve(ids, [a], R["present"])

    def place_counts(self) -> tuple[np.ndarray, np.ndarray]:
        f = self.inc.frame()
        inw = (self.as_at_day * 1440 - f["start"]) < self.window_days * 1440
        ok = f["loc"] >= 0
        win = np.bincount(f["loc"][ok & inw], minlength=self.n_loc)
        before = np.bincount(f["loc"][ok & ~inw], minlength=self.n_loc)
        return win, before

    def plant_old_hotspot(self) -> None:
        rng = self.rng
        win, _ = self.place_counts()
        used = np.unique(self.gplaces[self.gplaces >= 0])
        cands = self.public[~np.isin(self.public, used) & (self.public_type != "online_space")]
        self.old_hotspot = int(rng.choice(cands))
        n = int(max(win.max(), 10) * 3) + 20  # busier then than any hotspot is now
        back = self.days_back(n, lo=self.window_days + 30, hi=min(SPAN_DAYS, self.window_days + 550))
        typ = rng.choice([T["asb"], T["merlin"], T["stop_search"]], size=n, p=[.6, .25, .15])
        ids = self.inc.add(typ, self.when(back, _EVENING), -1, np.full(n, self.old_hotspot))
        who = self.young_ids[rng.integers(0, len(self.young_ids), n)]
        named = (rng.random(n) < 0.4) & (self.max_back[who] >= back)
        self.inc.involve(ids[named], who[named], R["subject"])

    def plant_hotspots(self) -> None:
        """Top places in the window: each clearly above every other place, in a fixed order."""
        rng = self.rng
        n_hot = max(5, len(self.public) // 100)
        cands = self.public[(self.public != self.old_hotspot) & (self.public_type != "online_space")
                            & np.isin(self.public_type, ["park", "shop_takeaway", "street", "transport_hub"])]
        self.hotspots = [int(x) for x in rng.choice(cands, size=n_hot, replace=False)]
        win, _ = self.place_counts()
        others = np.ones(self.n_loc, dtype=bool)
        others[self.hotspots] = False
        top = int(win[others].max())
        users = {h: np.flatnonzero((self.gplaces == h).any(axis=1)) for h in self.hotspots}
        for rank, h in enumerate(self.hotspots):
            target = int(np.ceil(top * (1.5 + 1.2 * (n_hot - 1 - rank) / (n_hot - 1)))) + 5 + (n_hot - rank)
            n = max(0, target - int(win[h]))
            back = self.days_back(n, lo=0, hi=self.window_days - 1)
            # Hotspot hours lean even harder to evenings; weekends already weigh more.
            typ = rng.choice([T["asb"], T["merlin"], T["stop_search"]], size=n, p=[.55, .3, .15])
            ids = self.inc.add(typ, self.when(back, _EVENING ** 1.5), -1, np.full(n, h))
            # A hotspot draws many different children: one named on most reports, from the groups
            # that meet there or from anywhere in the borough (one per report: no ties between them).
            named = rng.random(n) < 0.55
            k = int(named.sum())
            who = self.young_ids[rng.integers(0, len(self.young_ids), k)]
            pool = users[h]
            if len(pool):
                gsel = rng.choice(pool, size=k)
                from_group = rng.random(k) < 0.4
                who = np.where(from_group, self.M[gsel, (rng.random(k) * self.gsize[gsel]).astype(np.int64)], who)
            role = np.where(typ[named] == T["asb"], R["suspect"], R["subject"])
            self.inc.involve(ids[named], who, role)

    # --- links and finishing ---------------------------------------------------------
    def make_links(self) -> None:
        rng = self.rng
        G, M = self.n_groups, self.M
        f = self.inc.frame()
        inv_i, inv_p, inv_r = self.inc.involvements()
        first_day = np.full(self.n_people, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first_day, inv_p, f["start"][inv_i] // 1440)
        self.first_day = first_day
        # Friends and peer maps within groups: each member tied to one or two others.
        gm = [(g, x) for g in range(G) for x in M[g, : self.gsize[g]]]
        mg = np.array(gm, dtype=np.int64).reshape(-1, 2)
        g_of, x_of = mg[:, 0], mg[:, 1]
        for _ in range(2):
            pos = (rng.random(len(mg)) * self.gsize[g_of]).astype(np.int64)
            y_of = M[g_of, pos]
            keep = (y_of != x_of) & ((_ == 0) | (rng.random(len(mg)) < 0.5))
            a, b2 = np.minimum(x_of, y_of)[keep], np.maximum(x_of, y_of)[keep]
            fs = np.minimum(np.minimum(first_day[a], first_day[b2]), self.as_at_day) - rng.integers(0, 200, len(a))
            peer = rng.random(len(a)) < 0.4
            for ai, bi, f, pm in zip(a.tolist(), b2.tolist(), fs.tolist(), peer.tolist()):
                self.assoc.append((ai, bi, "peer_map" if pm else "friend", f, -1, "peer_map", "",
                                   "opinion" if pm else "fact"))
        # Olders: each recruited child names the adult; the tie starts before the child's first incident.
        for r, kids in self.recruited.items():
            for kid in kids:
                fs = int(min(first_day[kid], self.as_at_day) - rng.integers(20, 150))
                grading, fop = self.gradings(1)
                self.assoc.append((kid, r, "olders", fs, -1, "police", grading[0], fop[0]))
        for a, kid in self.single_child.items():
            fs = int(min(self.as_at_day - 3, first_day[kid] + rng.integers(30, 200)))
            self.assoc.append((kid, a, "olders", fs, -1, "police", "3C P", "opinion"))
        self.assoc_rows = self.assoc
        # Presence: homes, schools, group places, found-at.
        P = {k: np.concatenate(v) for k, v in self.p.items()}
        pres = []  # person, loc, kind, first, last, source
        everyone = np.arange(self.n_people)
        pres.append((everyone, P["addr"], "lives", np.full(self.n_people, -1), np.full(self.n_people, -1),
                     np.where(P["source"] == "police", "police", "csc").astype(object)))
        young = everyone[P["role"] == "young_person"]
        pres.append((young, P["school"][young], "attends", np.full(len(young), -1), np.full(len(young), -1),
                     np.full(len(young), "education", dtype=object)))
        # Each member frequents some of the group's places (at least the first one drawn).
        places = self.gplaces[g_of]
        pick = (rng.random(places.shape) < 0.6) & (places >= 0)
        pick[np.arange(len(places)), 0] = True
        r_, c_ = np.nonzero(pick)
        gp_person, gp_loc = x_of[r_], places[r_, c_]
        gp_first = np.minimum(first_day[gp_person], self.as_at_day) - rng.integers(0, 90, len(r_))
        k = len(gp_person)
        pres.append((gp_person, gp_loc, "frequents", gp_first, np.full(k, -1), np.full(k, "police", dtype=object)))
        for r, trap in zip(self.recruiters, self.trap):
            pres.append((np.array([r]), np.array([trap]), "stays", np.array([self.as_at_day - 400]), np.array([-1]),
                         np.array(["police"], dtype=object)))
        if self.found_at:
            fa = np.array(self.found_at)
            pres.append((fa[:, 0], fa[:, 1], "found_at", fa[:, 2], fa[:, 2], np.full(len(fa), "csc", dtype=object)))
        rows = []
        for person, loc, kind, first, last, src in pres:
            rows.append(pd.DataFrame({"p": person, "l": loc, "kind": kind, "first": first, "last": last, "src": src}))
        pr = pd.concat(rows, ignore_index=True)
        pr = pr[pr["l"] >= 0]
        pr = pr.groupby(["p", "l", "kind", "src"], sort=True, as_index=False).agg(first=("first", "min"),
                                                                                    last=("last", "max"))
        self.presence = pr
        # Identifiers: recruiters' phones and vehicles (shared with some of their children), handles.
        idents = []  # kind, value
        uses = []  # person, ident, first
        for j, r in enumerate(self.recruiters):
            phone = len(idents)
            idents.append(("phone", "07" + "".join(str(d) for d in rng.integers(0, 10, 9))))
            vehicle = len(idents)
            idents.append(("vehicle", _plate(rng)))
            start = self.as_at_day - int(rng.integers(200, 600))
            uses += [(int(r), phone, start), (int(r), vehicle, start)]
            for kid in self.recruited[int(r)][:2]:
                uses.append((kid, phone, int(min(first_day[kid], self.as_at_day) + rng.integers(0, 60))))
        handle_people = young[rng.random(len(young)) < 0.25]
        for x in handle_people:
            h = len(idents)
            idents.append(("online_handle", "@" + str(rng.choice(WORDS)).lower() + str(int(rng.integers(10, 9999)))))
            uses.append((int(x), h, -1))
        self.idents = idents
        self.ident_uses = uses

    def flags(self) -> np.ndarray:
        rng = self.rng
        n = self.n_people
        role = np.concatenate(self.p["role"])
        young = role == "young_person"
        inv_i, inv_p, inv_r = self.inc.involvements()
        miss = np.bincount(inv_p[inv_r == R["missing_person"]], minlength=n)
        recruited = np.zeros(n, dtype=bool)
        for kids in self.recruited.values():
            recruited[kids] = True
        gender = np.concatenate(self.p["gender"])
        p = {"LAC": 0.07, "CP": 0.05, "CIN": 0.15, "CSE": 0.03, "CCE": 0.05, "CME": 0.04, "YJ": 0.06,
             "EHCP": 0.05, "NRM": 0.01}
        out = np.full(n, "", dtype=object)
        has = {}
        for flag in FLAGS:
            if flag == "MISSING":
                has[flag] = miss >= 3
            else:
                has[flag] = rng.random(n) < p[flag]
        has["CCE"] |= recruited & (gender != "female")
        has["CSE"] |= recruited & (gender == "female")
        has["NRM"] |= recruited & (rng.random(n) < 0.3)
        for flag in FLAGS:
            sel = has[flag] & young
            out[sel] = out[sel] + np.where(out[sel] == "", "", ";") + flag
        # A duplicate identity carries the flags its own system holds (a subset).
        for d, c in self.dup_of.items():
            parts = [x for x in str(out[c]).split(";") if x and rng.random() < 0.6]
            out[d] = ";".join(parts)
        return out


def _overlaps(start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs ``(i, j)`` of intervals that overlap (``start < other end``, both ways)."""
    order = np.argsort(start, kind="stable")
    s, e = start[order], end[order]
    hi = np.searchsorted(s, e, side="left")  # intervals starting before this one ends
    counts = np.maximum(hi - np.arange(len(s)) - 1, 0)
    i = np.repeat(np.arange(len(s)), counts)
    j = i + 1 + (np.arange(len(i)) - np.repeat(np.cumsum(counts) - counts, counts))
    keep = (s[i] < e[j]) & (s[j] < e[i])
    return order[i[keep]], order[j[keep]]


def _typo(name: str, rng: np.random.Generator) -> str:
    """A plausible keying variant of a name (drop a doubled letter, swap i/y, drop a letter)."""
    for a, b in (("ll", "l"), ("nn", "n"), ("y", "i"), ("i", "y"), ("ph", "f"), ("ck", "k"), ("ee", "ea")):
        if a in name[1:]:
            return name[0] + name[1:].replace(a, b, 1)
    if len(name) > 4:
        i = int(rng.integers(2, len(name) - 1))
        return name[:i] + name[i + 1:]
    return name + "e"


def _plate(rng: np.random.Generator) -> str:
    letters = "ABCDEFGHJKLMNOPRSTUVWXY"
    return ("".join(rng.choice(list(letters), 2)) + str(int(rng.integers(10, 75))) + " "
            + "".join(rng.choice(list(letters), 3)))


# --- writing ---------------------------------------------------------------------------------

def _days_str(days: np.ndarray) -> np.ndarray:
    days = np.asarray(days, dtype=np.int64)
    out = np.datetime_as_string(days.astype("datetime64[D]"), unit="D").astype(object)
    out[days < 0] = ""
    return out


def _mins_str(mins: np.ndarray) -> np.ndarray:
    mins = np.asarray(mins, dtype=np.int64)
    out = np.datetime_as_string(mins.astype("datetime64[m]"), unit="m").astype(object)
    out[mins < 0] = ""
    return out


@dataclass
class _Ids:
    """Running id counters across blocks (so region blocks never collide)."""

    people: int = 0
    dup: int = 0
    locations: int = 0
    incidents: int = 0
    groups: int = 0
    identifiers: int = 0


def _fmt(prefix: str, nums: np.ndarray, width: int) -> np.ndarray:
    return np.char.add(prefix, np.char.zfill(np.asarray(nums).astype(str), width)).astype(object)


def _block_tables(blk: _Block, ids: _Ids, widths: dict) -> tuple[dict[str, pd.DataFrame], dict]:
    """Turn a generated block into canonical tables with string ids, and its ground truth."""
    P = {k: np.concatenate(v) for k, v in blk.p.items()}
    n = blk.n_people
    is_dup = np.zeros(n, dtype=bool)
    is_dup[blk.dups] = True
    # Police-style ids for primary records, social-care ids for the duplicates' second identity.
    pnum = np.cumsum(~is_dup) - 1 + ids.people
    dnum = np.cumsum(is_dup) - 1 + ids.dup
    pid = np.where(is_dup, _fmt("CS", dnum + 1, widths["dup"]), _fmt("P", pnum + 1, widths["people"]))
    ids.people += int((~is_dup).sum())
    ids.dup += int(is_dup.sum())
    lid = _fmt("L", np.arange(blk.n_loc) + ids.locations + 1, widths["locations"])
    ids.locations += blk.n_loc
    f = blk.inc.frame()
    # Sort incidents by start so ids run in time order (stable for ties).
    order = np.argsort(f["start"], kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    iid = _fmt("I", rank + ids.incidents + 1, widths["incidents"])
    ids.incidents += len(order)
    gid = _fmt("G", np.arange(blk.n_groups) + ids.groups + 1, widths["groups"])
    ids.groups += blk.n_groups
    xid = _fmt("X", np.arange(len(blk.idents)) + ids.identifiers + 1, widths["identifiers"])
    ids.identifiers += len(blk.idents)
    rng = blk.rng

    lat = np.concatenate(blk.loc_lat)
    lon = np.concatenate(blk.loc_lon)
    ltype = np.concatenate(blk.loc_type)
    has_pt = ~np.isnan(lat)
    wards = np.where(has_pt, ward_of(np.nan_to_num(lat), np.nan_to_num(lon), blk.b), "")
    ward_i = blk.ward_idx(np.arange(blk.n_loc))
    pc = np.char.add(np.array(POSTCODE_AREAS, dtype=object)[ward_i].astype(str), " ")
    inward = (rng.integers(1, 10, blk.n_loc).astype(str).astype(object)
              + rng.choice(list(INWARD), blk.n_loc) + rng.choice(list(INWARD), blk.n_loc))
    postcode = np.where(has_pt & (ltype != "online_space"), pc.astype(object) + inward, "")
    locations = pd.DataFrame({
        "location_id": lid, "name": np.concatenate(blk.loc_name), "type": ltype,
        "latitude": np.where(has_pt, np.char.mod("%.5f", np.nan_to_num(lat)), ""),
        "longitude": np.where(has_pt, np.char.mod("%.5f", np.nan_to_num(lon)), ""),
        "postcode": postcode, "ward": wards, "source": np.concatenate(blk.loc_source),
    })
    flags = blk.flags()
    people = pd.DataFrame({
        "person_id": pid, "forename": P["fore"], "surname": P["sur"], "date_of_birth": _days_str(P["dob"]),
        "gender": P["gender"], "role": P["role"], "borough": P["borough"], "flags": flags, "source": P["source"],
        "source_ref": np.where(P["source"] == "police", _fmt("PNC-", np.arange(n) * 7 + 1000 + ids.people, 7),
                               _fmt("MOSAIC-", np.arange(n) * 3 + 500 + ids.people, 7)),
    })
    src = np.where(f["source"] == "", np.array([INCIDENT_SOURCE[t] for t in TYPES], dtype=object)[f["type"]],
                   f["source"])
    tname = np.array(TYPES, dtype=object)[f["type"]]
    summ = np.empty(len(tname), dtype=object)
    for t in TYPES:
        sel = tname == t
        summ[sel] = rng.choice(np.array(SUMMARY[t], dtype=object), size=int(sel.sum()))
    prefix = np.array([REF_PREFIX[t] for t in TYPES], dtype=object)[f["type"]]
    incidents = pd.DataFrame({
        "incident_id": iid, "type": tname, "start": _mins_str(f["start"]), "end": _mins_str(f["end"]),
        "location_id": np.where(f["loc"] >= 0, lid[np.maximum(f["loc"], 0)], ""), "summary": summ,
        "source": src, "grading": f["grading"],
        "source_ref": prefix + "-" + np.char.zfill((rank + ids.incidents - len(order) + 1).astype(str), 7).astype(object),
        "fact_or_opinion": f["fop"],
    }).iloc[order].reset_index(drop=True)
    inv_i, inv_p, inv_r = blk.inc.involvements()
    involvements = pd.DataFrame({"incident_id": iid[inv_i], "person_id": pid[inv_p],
                                 "role": np.array(ROLES, dtype=object)[inv_r], "_r": rank[inv_i]})
    involvements = (involvements.drop_duplicates(["incident_id", "person_id", "role"])
                    .sort_values(["_r", "person_id", "role"], kind="stable").drop(columns="_r")
                    .reset_index(drop=True))
    a = pd.DataFrame(blk.assoc_rows, columns=["a", "b", "kind", "first", "last", "source", "grading", "fop"])
    associations = pd.DataFrame({
        "person_id_a": pid[a["a"].to_numpy()], "person_id_b": pid[a["b"].to_numpy()], "kind": a["kind"],
        "first_seen": _days_str(a["first"].to_numpy()), "last_seen": _days_str(a["last"].to_numpy()),
        "source": a["source"], "grading": a["grading"], "fact_or_opinion": a["fop"],
    }).drop_duplicates(["person_id_a", "person_id_b", "kind", "source"]).reset_index(drop=True)
    pr = blk.presence
    presence = pd.DataFrame({
        "person_id": pid[pr["p"].to_numpy()], "location_id": lid[pr["l"].to_numpy()], "kind": pr["kind"].to_numpy(),
        "first_seen": _days_str(pr["first"].to_numpy()), "last_seen": _days_str(pr["last"].to_numpy()),
        "source": pr["src"].to_numpy(),
    })
    # Practitioner-named groups: about two in five, each with some of its members.
    named = np.flatnonzero(rng.random(blk.n_groups) < 0.4)
    ward_names = np.array(blk.b["wards"], dtype=object)
    gnames = [f"{ward_names[blk.g_ward[g]]} {str(rng.choice(['park', 'estate', 'station', 'school']))} group "
              f"{int(g) + 1}" for g in named]
    groups = pd.DataFrame({"group_id": gid[named], "name": gnames, "source": "police",
                           "fact_or_opinion": "opinion"})
    mem = []
    for g in named:
        members = blk.M[g, : blk.gsize[g]]
        members = members[(members >= 0) & (blk.group_of[members] == g)]
        keep = members[rng.random(len(members)) < 0.65]
        for x in keep:
            mem.append((pid[x], gid[g], _days_str([max(0, min(int(blk.first_day[x]), blk.as_at_day) - 30)])[0]))
    memberships = pd.DataFrame(mem, columns=["person_id", "group_id", "first_seen"])
    memberships["last_seen"] = ""
    memberships["source"] = "police"
    memberships["grading"] = blk.gradings(len(memberships))[0] if len(memberships) else []
    memberships["fact_or_opinion"] = "opinion"
    identifiers = pd.DataFrame({"identifier_id": xid, "kind": [k for k, _ in blk.idents],
                                "value": [v for _, v in blk.idents], "source": "police"})
    u = pd.DataFrame(blk.ident_uses, columns=["p", "x", "first"])
    identifier_uses = pd.DataFrame({
        "person_id": pid[u["p"].to_numpy()], "identifier_id": xid[u["x"].to_numpy()],
        "first_seen": _days_str(u["first"].to_numpy()), "last_seen": "", "source": "police",
        "grading": np.where(u["p"].isin(blk.recruiters).to_numpy() | (u["x"] < 2 * len(blk.recruiters)).to_numpy(),
                            "2B P", ""),
    }).drop_duplicates(["person_id", "identifier_id", "source"]).reset_index(drop=True)
    tables = dict(people=people, locations=locations, incidents=incidents, involvements=involvements,
                  associations=associations, presence=presence, groups=groups, memberships=memberships,
                  identifiers=identifiers, identifier_uses=identifier_uses)
    truth = _block_truth(blk, pid, lid, gid, iid, incidents, named)
    return tables, truth


def _pairs(pid: np.ndarray, pairs) -> list[list[str]]:
    out = []
    for p in pairs:
        a, b = str(pid[p[0]]), str(pid[p[1]])
        out.append(sorted([a, b]) + [int(x) for x in p[2:]])
    return sorted(out)


def co_missing_counts(incidents: pd.DataFrame, involvements: pd.DataFrame, start_iso: str,
                      end_iso: str) -> dict[tuple[str, str], int]:
    """Pairs of people whose missing episodes (starting in the window) overlap, with the count.

    Overlap is strict: ``start_a < end_b`` and ``start_b < end_a``. Used for the ground truth
    and by the tests that check it.
    """
    m = incidents[(incidents["type"] == "missing") & (incidents["start"].str[:19] >= start_iso)
                  & (incidents["start"].str[:19] <= end_iso) & (incidents["end"] != "")]
    inv = involvements[involvements["role"] == "missing_person"].merge(m[["incident_id", "start", "end"]],
                                                                        on="incident_id")
    s = pd.to_datetime(inv["start"]).to_numpy().astype(np.int64)
    e = pd.to_datetime(inv["end"]).to_numpy().astype(np.int64)
    who = inv["person_id"].to_numpy()
    i, j = _overlaps(s, e)
    ok = who[i] != who[j]
    a, b = who[i][ok], who[j][ok]
    lo, hi2 = np.where(a < b, a, b), np.where(a < b, b, a)
    out: dict[tuple[str, str], int] = {}
    for x, y in zip(lo, hi2):
        out[(x, y)] = out.get((x, y), 0) + 1
    return out


def _block_truth(blk: _Block, pid, lid, gid, iid, incidents: pd.DataFrame, named) -> dict:
    from .window import Window

    w = Window.ending(np.datetime64(blk.as_at_day, "D").astype(object), blk.window_days)
    role = np.concatenate(blk.p["role"])
    groups = {}
    for g in range(blk.n_groups):
        members = blk.M[g, : blk.gsize[g]]
        members = members[(members >= 0) & (blk.group_of[members] == g)]
        groups[str(gid[g])] = sorted(str(pid[x]) for x in members)
    inw = w.contains(incidents["start"])
    by_loc = incidents.loc[inw & (incidents["location_id"] != ""), "location_id"].value_counts()
    before = incidents.loc[~inw & (incidents["location_id"] != ""), "location_id"].value_counts()
    hot = [str(lid[h]) for h in blk.hotspots]
    others = by_loc.drop(index=[h for h in hot if h in by_loc.index])
    prev = w.previous().contains(incidents["start"])
    by_loc_prev = incidents.loc[prev & (incidents["location_id"] != ""), "location_id"].value_counts()
    at_hot = incidents[inw & incidents["location_id"].isin(hot)]
    t_hot = pd.to_datetime(at_hot["start"])
    # Missing episodes that meet the risk matrix's overrides (over 48 hours; aged 12 or under).
    miss = incidents[inw & (incidents["type"] == "missing") & (incidents["end"] != "")]
    inv = _block_involvements_cache(blk, pid, iid)
    mp = inv[inv["role"] == "missing_person"].merge(miss[["incident_id", "start", "end"]], on="incident_id")
    hours = (pd.to_datetime(mp["end"]) - pd.to_datetime(mp["start"])).dt.total_seconds() / 3600
    dob = pd.Series(_days_str(np.concatenate(blk.p["dob"])), index=pid)
    age_at = (pd.to_datetime(mp["start"]) - pd.to_datetime(dob[mp["person_id"]].to_numpy())).dt.days / 365.25
    shared = {}
    for g in range(blk.n_groups):
        for loc in blk.gplaces[g][blk.gplaces[g] >= 0]:
            shared.setdefault(str(lid[loc]), []).append(str(gid[g]))
    co = co_missing_counts(incidents, _block_involvements_cache(blk, pid, iid), w.start_iso, w.end_iso)
    # Near misses: different people sharing a surname and an address (twins, siblings, parents).
    P = {k: np.concatenate(v) for k, v in blk.p.items()}
    df = pd.DataFrame({"i": np.arange(blk.n_people), "addr": P["addr"], "sur": P["sur"]})
    df = df[~np.isin(df["i"], blk.dups)]
    near = df.merge(df, on=["addr", "sur"])
    near = near[near["i_x"] < near["i_y"]]
    twins = [(a, b) for a, b in zip(near["i_x"], near["i_y"]) if P["dob"][a] == P["dob"][b]
             and role[a] == role[b] == "young_person"]
    return {
        "young_people": sorted(str(x) for x in pid[role == "young_person"]),
        "adults_of_concern": sorted(str(x) for x in pid[role == "adult_of_concern"]),
        "groups": groups,
        "named_groups": sorted(str(gid[g]) for g in named),
        "bridges": sorted(str(pid[x]) for x in blk.bridges),
        "bridge_groups": {str(pid[p]): [str(gid[g]) for g in gs] for p, gs in sorted(blk.bridge_groups.items())},
        "recruiters": sorted(str(pid[r]) for r in blk.recruiters),
        "recruited": {str(pid[r]): sorted(str(pid[k]) for k in kids) for r, kids in blk.recruited.items()},
        "recruiter_groups": {str(pid[r]): sorted(str(gid[g]) for g in gs) for r, gs in blk.recruiter_groups.items()},
        "recruiter_decoys": sorted(str(pid[x]) for x in blk.decoy_kinds),
        "decoy_kinds": {str(pid[x]): k for x, k in sorted(blk.decoy_kinds.items())},
        "co_missing_pairs": sorted([a, b, n] for (a, b), n in co.items() if n >= 2),
        "coincidental_pairs": sorted([a, b, n] for (a, b), n in co.items() if n == 1),
        "co_missing_planted": _pairs(pid, blk.planted_pairs),
        "coincidental_planted": _pairs(pid, blk.coincidental),
        "hotspots": hot,
        "hotspot_incidents": {h: int(by_loc.get(h, 0)) for h in hot},
        "max_other_place_incidents": int(others.max()) if len(others) else 0,
        "old_hotspots": [str(lid[blk.old_hotspot])],
        "old_hotspot_incidents": {str(lid[blk.old_hotspot]): {"window": int(by_loc.get(lid[blk.old_hotspot], 0)),
                                                              "before": int(before.get(lid[blk.old_hotspot], 0))}},
        "cross_borough_pairs": _pairs(pid, blk.cross_pairs),
        "cross_borough_decoys": _pairs(pid, blk.cross_decoys),
        "duplicates": sorted([str(pid[c]), str(pid[d])] for d, c in blk.dup_of.items()),
        "near_miss_pairs": _pairs(pid, zip(near["i_x"], near["i_y"])),
        "twins": _pairs(pid, twins),
        "group_places": {str(gid[g]): sorted(str(lid[x]) for x in blk.gplaces[g][blk.gplaces[g] >= 0])
                         for g in range(blk.n_groups)},
        "shared_places": {k: sorted(v) for k, v in sorted(shared.items()) if len(v) >= 2},
        "place_trends": {h: {"window": int(by_loc.get(h, 0)), "previous": int(by_loc_prev.get(h, 0))}
                         for h in hot + [str(lid[blk.old_hotspot])]},
        "hotspot_profile": {"evening_share": round(float(t_hot.dt.hour.isin(range(16, 24)).mean()), 3),
                            "friday_saturday_share": round(float(t_hot.dt.day_of_week.isin([4, 5]).mean()), 3)},
        "missing_over_48h": sorted(set(mp.loc[(hours > 48).to_numpy(), "person_id"])),
        "missing_aged_12_or_under": sorted(set(mp.loc[(age_at < 13).to_numpy(), "person_id"])),
        "complex_strategy": [{"subject_id": str(pid[c["subject_id"]] if c["subject_type"] == "person"
                                                else lid[c["subject_id"]]),
                              "subject_type": c["subject_type"],
                              "young_people": sorted(str(pid[k]) for k in c["young_people"])} for c in blk.complex],
        "found_with": sorted([str(pid[c]), str(pid[a]), str(iid[i])] for c, a, i in blk.found_with),
    }


def _block_involvements_cache(blk: _Block, pid, iid) -> pd.DataFrame:
    inv_i, inv_p, inv_r = blk.inc.involvements()
    return pd.DataFrame({"incident_id": iid[inv_i], "person_id": pid[inv_p],
                         "role": np.array(ROLES, dtype=object)[inv_r]})


class _TruthWriter:
    """Collects each block's ground truth; for many blocks, spills the big parts to disk.

    With one block everything stays in memory and is written indented. With several (the region
    size) every list or mapping except the hotspot ranking is appended, block by block, to a
    fragment file and spliced into the final JSON, so memory does not grow with the blocks.
    """

    SMALL = ("hotspots", "hotspot_incidents", "max_other_place_incidents", "old_hotspots", "old_hotspot_incidents",
             "hotspot_profile")

    def __init__(self, out: Path, stream: bool):
        self.out, self.stream = out, stream
        self.acc: dict = {}
        self.order: list[str] = []
        self.parts = out / ".ground_truth.parts"
        if stream:
            shutil.rmtree(self.parts, ignore_errors=True)
            self.parts.mkdir()

    def add(self, t: dict) -> None:
        for k, v in t.items():
            if k not in self.order:
                self.order.append(k)
            if self.stream and k not in self.SMALL:
                text = ",".join(json.dumps(x, ensure_ascii=False) for x in v) if isinstance(v, list) \
                    else json.dumps(v, ensure_ascii=False)[1:-1]
                if text:
                    with open(self.parts / k, "a", encoding="utf-8") as fh:
                        fh.write(("," if (self.parts / k).stat().st_size else "") + text)
            elif k not in self.acc:
                self.acc[k] = v
            elif isinstance(v, list):
                self.acc[k] = self.acc[k] + v
            elif isinstance(v, dict):
                self.acc[k].update(v)
            elif k == "max_other_place_incidents":
                self.acc[k] = max(self.acc[k], v)

    def finish(self, head: dict) -> None:
        acc = self.acc
        acc["hotspots"] = sorted(acc["hotspots"], key=lambda h: (-acc["hotspot_incidents"][h], h))
        path = self.out / GROUND_TRUTH
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            if not self.stream:  # indented: the demo is read by people
                fh.write(json.dumps({**head, **{k: acc[k] for k in self.order}}, indent=1, ensure_ascii=False))
                fh.write("\n")
                return
            fh.write(json.dumps(head, ensure_ascii=False)[:-1])
            for k in self.order:
                fh.write(", " + json.dumps(k) + ": ")
                if k in acc:
                    fh.write(json.dumps(acc[k], ensure_ascii=False))
                    continue
                is_dict = k in ("groups", "bridge_groups", "recruited", "recruiter_groups", "decoy_kinds",
                                "group_places", "shared_places", "place_trends")
                fh.write("{" if is_dict else "[")
                part = self.parts / k
                if part.exists():
                    with open(part, encoding="utf-8") as src:
                        shutil.copyfileobj(src, fh)
                fh.write("}" if is_dict else "]")
            fh.write("}\n")
        shutil.rmtree(self.parts, ignore_errors=True)


def generate(out: str | Path, size: str = "demo", seed: int = DEFAULT_SEED, as_at: str | date | None = None) -> dict:
    """Write a synthetic borough of ``size`` into ``out`` (replacing its canonical files).

    Parameters
    ----------
    out : path
        Folder to write; created if needed. Canonical CSV files and ``ground_truth.json``
        already there are replaced.
    size : {"demo", "borough", "region"}
    seed : int
        The same seed, size and as-at date give byte-identical files.
    as_at : date or ISO string, optional
        The as-at date everything is dated up to (default 2026-10-31).

    Returns
    -------
    dict
        A summary: ``{"out", "size", "seed", "as_at", "counts", "seconds", "bytes"}``.
    """
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r} (expected one of {', '.join(SIZES)})")
    t0 = time.perf_counter()
    spec = SIZES[size]
    as_at_d = date.fromisoformat(str(as_at or DEFAULT_AS_AT)[:10])
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    specs = schema.record_specs()
    for name in RECORD_TYPES:  # replace what the generator makes; leave anything else in the folder
        (out / specs[name].file).unlink(missing_ok=True)
    b = borough()
    total_people = spec.young * spec.blocks * 1.2
    widths = {"people": max(4, len(str(int(total_people)))), "dup": max(3, len(str(int(total_people // 20)))),
              "locations": max(4, len(str(int(total_people)))),
              "incidents": max(5, len(str(int(spec.incidents * spec.blocks * 1.3)))),
              "groups": max(3, len(str(int(total_people // 5)))),
              "identifiers": max(4, len(str(int(total_people))))}
    ids = _Ids()
    truth = _TruthWriter(out, stream=spec.blocks > 1)
    written: dict[str, int] = {}
    ss = np.random.SeedSequence(seed)
    for bi, child in enumerate(ss.spawn(spec.blocks)):
        rng = np.random.default_rng(child)
        blk = _Block(rng, spec.young, spec.incidents, as_at_d, b)
        blk.base = spec.base
        blk.plant_jayden = size == "demo" and bi == 0
        blk.make_locations()
        blk.make_people()
        blk.make_groups()
        blk.make_adults()
        blk.make_outsiders()
        blk.make_duplicates()
        blk.make_incidents()
        blk.make_links()
        tables, t = _block_tables(blk, ids, widths)
        truth.add(t)
        for name in records.load_order():
            if name not in tables:  # record types the generator does not make (assessments, actions)
                continue
            df = tables[name]
            path = out / specs[name].file
            df.to_csv(path, mode="a", header=(bi == 0), index=False, encoding="utf-8", lineterminator="\n")
            written[name] = written.get(name, 0) + len(df)
        del blk, tables, t
    from .window import Window

    w = Window.ending(as_at_d)
    head = {"as_at": as_at_d.isoformat(), "window_days": w.days, "window_start": w.start_iso, "seed": int(seed),
            "size": size, "counts": written}
    truth.finish(head)
    files = [out / specs[name].file for name in written] + [out / GROUND_TRUTH]
    return {"out": str(out), "size": size, "seed": int(seed), "as_at": as_at_d.isoformat(), "counts": written,
            "seconds": round(time.perf_counter() - t0, 2), "bytes": sum(p.stat().st_size for p in files)}


def load_truth(folder: str | Path) -> dict:
    """Read a generated folder's ``ground_truth.json``."""
    with open(Path(folder) / GROUND_TRUTH, encoding="utf-8") as fh:
        return json.load(fh)


__all__ = ["SIZES", "generate", "load_truth", "borough", "ward_of", "co_missing_counts", "DEFAULT_AS_AT"]
