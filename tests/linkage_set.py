"""A seeded, labelled set of person records for measuring identity resolution.

Children live in families (a surname, a home, one to three children; some twins: same
surname, date of birth and home, different forenames). Each child is recorded by one to three
sources (police, children's services, school), each record a possibly spoiled copy: a typing
slip or a variant spelling of a name, surnames in capitals, a date of birth with day and month
swapped, one digit wrong or missing, the home not always recorded. Near-misses are planted on
purpose: twins, siblings (same surname and home), and namesakes (another child with the same
name, born on another day).

``labelled_people(seed=...)`` returns (people, presence, truth) where truth maps each
person_id to the child it really is.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pandas as pd

FORENAMES_F = ["Amira", "Ruby", "Ella", "Zoe", "Aaliyah", "Grace", "Maya", "Chloe", "Leah", "Isla", "Nia",
               "Sophie", "Hannah", "Jasmine", "Precious", "Keira", "Mia", "Ava", "Lily", "Esme", "Freya",
               "Imani", "Layla", "Tia", "Olivia", "Ellie", "Amelia", "Poppy", "Fatima", "Aisha"]
FORENAMES_M = ["Jayden", "Tyler", "Kai", "Leon", "Mohammed", "Jamal", "Callum", "Harvey", "Reece", "Tariq",
               "Jordan", "Kofi", "Ethan", "Mason", "Riley", "Liam", "Dylan", "Connor", "Nathan", "Daniel",
               "Ibrahim", "Marcus", "Josiah", "Samuel", "Theo", "Archie", "Junior", "Malachi", "Alfie", "Bailey"]
SURNAMES = ["Smith", "Jones", "Okafor", "Brennan", "Hassan", "Price", "Walsh", "Adebayo", "Cole", "Ahmed",
            "Campbell", "Murphy", "Williams", "Brown", "Taylor", "Mensah", "Khan", "Clarke", "Lewis", "Hughes",
            "Osei", "Patel", "Wright", "Robinson", "Thompson", "Ali", "Green", "Hall", "Wood", "Edwards",
            "Martin", "Jackson", "White", "Harris", "Bennett", "Boateng", "Ward", "Turner", "Parker", "Reid",
            "Baker", "Morris", "Collins", "Cooper", "Kelly", "Bailey", "Richardson", "Cox", "Howard", "Gray"]
VARIANTS = {"Jayden": ["Jaden", "Jaydon"], "Mohammed": ["Muhammad", "Mohamed"], "Aaliyah": ["Aliyah"],
            "Zoe": ["Zoë", "Zoey"], "Leon": ["Leeon"], "Tyler": ["Tylor"], "Smith": ["Smyth"],
            "Okafor": ["Okafur"], "Callum": ["Calum"], "Reece": ["Rhys", "Reese"], "Isla": ["Islah"],
            "Leah": ["Lea"], "Mia": ["Miah"], "Freya": ["Freyja"], "Aisha": ["Ayesha"],
            "Brennan": ["Brenan"], "Mensah": ["Mensa"], "Clarke": ["Clark"], "Osei": ["Osei-Bonsu"]}
SOURCES = ["police", "csc", "school"]


def _typo(rng: random.Random, s: str) -> str:
    if len(s) < 4:
        return s
    i = rng.randrange(1, len(s) - 1)
    op = rng.choice(["swap", "drop", "double"])
    if op == "swap":
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    if op == "drop":
        return s[:i] + s[i + 1:]
    return s[:i] + s[i] + s[i:]


def _spoil_name(rng: random.Random, s: str, p: float) -> str:
    if rng.random() >= p:
        return s
    if s in VARIANTS and rng.random() < 0.6:
        return rng.choice(VARIANTS[s])
    return _typo(rng, s)


def _spoil_dob(rng: random.Random, d: date) -> str:
    r = rng.random()
    if r < 0.72:
        return d.isoformat()
    if r < 0.80 and d.day <= 12 and d.day != d.month:
        return date(d.year, d.day, d.month).isoformat()
    if r < 0.90:
        s = list(d.isoformat())
        for _ in range(20):  # one digit of the day wrong, still a real date
            pos = rng.choice([8, 9])
            t = s.copy()
            t[pos] = str((int(t[pos]) + rng.choice([1, 2, 3])) % 10)
            try:
                return date.fromisoformat("".join(t)).isoformat()
            except ValueError:
                continue
        return d.isoformat()
    return ""


def labelled_people(n_families: int = 350, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    rng = random.Random(seed)
    children = []  # (child_id, forename, surname, dob, gender, home)
    for f in range(n_families):
        surname = rng.choice(SURNAMES)
        home = f"HOME{f:04d}"
        k = rng.choice([1, 1, 2, 2, 3])
        base = date(2006, 1, 1) + timedelta(days=rng.randrange(9 * 365))
        used: set[str] = set()
        for c in range(k):
            gender = rng.choice(["female", "male"])
            names = FORENAMES_F if gender == "female" else FORENAMES_M
            forename = rng.choice([n for n in names if n not in used])
            used.add(forename)
            if c == 1 and rng.random() < 0.25:  # twins: the same day as the first child
                dob = children[-1][3]
            else:
                dob = base + timedelta(days=rng.choice([-1, 1]) * rng.randrange(400, 2000))
            children.append((f"C{len(children):05d}", forename, surname, dob, gender, home))
    # Namesakes: a few children who share a full name with another child, born on another day.
    for i in range(len(children) // 25):
        src = rng.choice(children)
        dob = src[3] + timedelta(days=rng.randrange(30, 900))
        children.append((f"C{len(children):05d}", src[1], src[2], dob, src[4], f"HOME9{i:03d}"))
    people, presence, truth = [], [], {}
    n = 0
    for cid, forename, surname, dob, gender, home in children:
        k = rng.choice([1, 2, 2, 3])
        for s, src in enumerate(rng.sample(SOURCES, k)):
            n += 1
            pid = f"{src.upper()}-{n:06d}"
            first = s == 0
            fn = forename if first else _spoil_name(rng, forename, 0.25)
            sn = surname if first else _spoil_name(rng, surname, 0.15)
            if src == "police":
                sn = sn.upper()
            d = dob.isoformat() if first else _spoil_dob(rng, dob)
            g = gender if rng.random() < 0.9 else ""
            people.append({"person_id": pid, "forename": fn, "surname": sn, "date_of_birth": d, "gender": g,
                           "source": src, "source_ref": ""})
            if rng.random() < 0.6:
                presence.append({"person_id": pid, "location_id": home, "kind": "lives"})
            truth[pid] = cid
    return pd.DataFrame(people), pd.DataFrame(presence), truth


def near_miss_pairs(people: pd.DataFrame, presence: pd.DataFrame, truth: dict[str, str]) -> dict[str, int]:
    """Counts of planted near-miss record pairs (different children): twins, siblings, namesakes."""
    homes = dict(zip(presence["person_id"], presence["location_id"]))
    p = people.assign(child=people["person_id"].map(truth))
    child = p.drop_duplicates("child").set_index("child")
    return {"children": len(child), "records": len(p)} | {"homes_known": len(homes)}
