"""Seeded random people for the differential tests: many unknowns and many dates on rule boundaries,
hukou histories with several registrations (some on one day), and residence permits."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pyarrow as pa

from hukou.policy.calendar import add_months
from hukou.policy.verdict import parse_person
from hukou.registry.fact_tables import SCHEMAS, to_tables

OUTSIDE = ["622425", "410521", "511025", "650102", "652302"]
CITY = ["652301001", "652301003", "652301104201", "652301003005"]


class PersonMaker:
    def __init__(self, seed: int, d: date):
        self.r = random.Random(seed)
        self.d = d

    def day(self) -> date:
        """A date near a boundary of some rule, or anywhere in the last 25 years."""
        r, d = self.r, self.d
        anchors = [d, add_months(d, -6), add_months(d, -3), d - timedelta(days=1824), d - timedelta(days=1825), add_months(d, -12),
                   date(2016, 2, 29), date(2018, 12, 5)]
        if r.random() < 0.6:
            return r.choice(anchors) + timedelta(days=r.randint(-2, 2))
        return d - timedelta(days=r.randint(-400, 9000))

    def maybe(self, p: float = 0.8) -> bool:
        return self.r.random() < p

    def tri(self):
        return self.r.choice([True, False, None])

    def interval(self) -> dict:
        start = self.day()
        end = None if self.maybe(0.5) else max(start, self.day())
        return {"from": start.isoformat(), "to": end.isoformat() if end else None}

    def person(self) -> dict:
        r, d = self.r, self.d
        birth = d - timedelta(days=r.randint(0, 60 * 365)) if self.maybe(0.9) else \
            date(d.year - r.choice([16, 18]), d.month, min(d.day, 28)) + timedelta(days=r.randint(-1, 1))
        p: dict = {"birth_date": birth.isoformat(),
                   "hukou": {"place": r.choice(OUTSIDE + CITY), "urban": r.random() < 0.4}}
        if self.maybe():
            p["residence"] = []
            for _ in range(r.randint(0, 3)):
                rec = {**self.interval(), "place": r.choice(CITY)}
                u = self.tri() if self.maybe(0.3) else True
                if u is not None:
                    rec["urban"] = u
                p["residence"].append(rec)
        if self.maybe():
            p["housing"] = {"kind": r.choice(["owned", "rented", "rented", "employer", "school", "none"])}
            reg = self.tri()
            if reg is not None:
                p["housing"]["registered"] = reg
        if self.maybe():
            p["employment"] = [self.interval() for _ in range(r.randint(0, 3))]
        if self.maybe():
            p["social_insurance"] = []
            for _ in range(r.randint(0, 2)):
                a = self.day()
                rec = {"from": f"{a.year:04d}-{a.month:02d}"}
                if self.maybe(0.5):
                    b = max(a, self.day())
                    rec["to"] = f"{b.year:04d}-{b.month:02d}"
                p["social_insurance"].append(rec)
        if self.maybe():
            p["education"] = []
            for _ in range(r.randint(0, 2)):
                admitted = self.day()
                rec = {"level": r.choice(["vocational", "associate", "bachelor", "master", "doctor"]),
                       "admitted": admitted.isoformat()}
                if self.maybe(0.6):
                    rec["graduated"] = max(admitted, self.day()).isoformat()
                for key in ("institution_in_city", "abroad"):
                    if self.maybe(0.5):
                        rec[key] = r.random() < 0.4
                c = self.tri()
                if c is not None:
                    rec["certified"] = c
                p["education"].append(rec)
        if self.maybe():
            p["qualifications"] = []
            for _ in range(r.randint(0, 2)):
                rec = {"kind": r.choice(["skill_certificate", "vocational_qualification"])}
                if self.maybe(0.8):
                    rec["obtained"] = self.day().isoformat()
                p["qualifications"].append(rec)
        if self.maybe(0.3):
            enlisted = self.day()
            p["military"] = {"enlisted": enlisted.isoformat()}
            if self.maybe(0.7):
                p["military"]["discharged"] = max(enlisted, self.day()).isoformat()
        if self.maybe(0.5):
            fam: dict = {}
            if self.maybe(0.6):
                fam["spouse"] = {"moving": r.random() < 0.6}
            fam["children"] = []
            for _ in range(r.randint(0, 3)):
                born = date(d.year - r.choice([0, 5, 17, 18, 25]), d.month, min(d.day, 28)) + timedelta(days=r.randint(-2, 2))
                fam["children"].append({"birth_date": born.isoformat(), "moving": r.random() < 0.6})
            fam["parents"] = [{"moving": r.random() < 0.5} for _ in range(r.randint(0, 2))]
            p["family"] = fam
        if self.maybe(0.3):
            issued = self.day()
            p["permit"] = {"issued": issued.isoformat(),
                           "endorsements": sorted({max(issued, self.day()).isoformat() for _ in range(r.randint(0, 2))})}
        return p

    def hukou_history(self, hukou: dict, birth: date) -> list[dict]:
        """Registrations of which the one in force at D is `hukou`: earlier ones, some on its own day
        written before it (with other places and flags), some after D; numbered (`seq`) in the order
        written, which is not always the order of their days. One person in 40 has every registration
        after D (not registered at D)."""
        r, d = self.r, self.d

        def other(since: date) -> dict:
            return {"since": since, "place": r.choice(OUTSIDE + CITY), "urban": r.random() < 0.5}

        registered = r.random() >= 0.025
        since = min(d, max(birth, self.day())) if registered else d + timedelta(days=r.randint(1, 400))
        current = {"since": since, **hukou}
        same_day = [other(since) for _ in range(r.choice([0, 0, 1, 2]))]
        earlier = [other(since - timedelta(days=r.randint(1, 3000))) for _ in range(r.choice([0, 1, 2]) if registered else 0)]
        later = [other(d + timedelta(days=r.randint(1, 400))) for _ in range(r.choice([0, 0, 1]))]
        written = [current, *same_day, *earlier, *later]
        r.shuffle(written)
        # the day's other registrations were written before the one in force
        place = {id(x): i for i, x in enumerate(written)}
        last, at = max((place[id(x)] for x in same_day), default=-1), place[id(current)]
        if last > at:
            written[at], written[last] = written[last], written[at]
        return [{**x, "seq": i + 1} for i, x in enumerate(written)]


def register(maker: PersonMaker, n: int, ids: list[int] | None = None) -> tuple[list[tuple[int, dict]], dict[str, pa.Table]]:
    """n generated people (ids 0… unless given) and their register tables, the hukou table holding
    their histories in no particular order (no engine may rely on the order of the rows)."""
    people = [(pid, maker.person()) for pid in (ids if ids is not None else range(n))]
    tables = to_tables([(pid, parse_person(p)) for pid, p in people])
    history = [{"person_id": pid, **h} for pid, p in people
               for h in maker.hukou_history(p["hukou"], date.fromisoformat(p["birth_date"]))]
    maker.r.shuffle(history)
    tables["hukou"] = pa.Table.from_pylist(history, schema=SCHEMAS["hukou"])
    return people, tables
