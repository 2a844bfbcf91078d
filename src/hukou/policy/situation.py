"""A person's facts as of the evaluation date D, with what several rules read worked out once.

Records dated after D are ignored (RULEBOOK §1): residence and employment that start later,
education admitted later. `None` keeps meaning unknown.
"""

from __future__ import annotations

from datetime import date

from hukou.policy.facts import Education, Person, Residence


class Situation:
    __slots__ = ("person", "d", "covering", "education", "employed", "lsr_facts")

    def __init__(self, person: Person, d: date):
        self.person = person
        self.d = d
        res = person.residence
        # residence records covering D (None: residence unknown)
        self.covering: list[Residence] | None = (
            None if res is None else [r for r in res if r.start <= d and (r.end is None or d <= r.end)])
        edu = person.education
        self.education: list[Education] | None = None if edu is None else [e for e in edu if e.admitted <= d]
        jobs = person.employment
        if jobs is None:
            self.employed: bool | None = None
        else:
            self.employed = False
            for j in jobs:
                if j.start <= d and (j.end is None or d <= j.end):
                    self.employed = True
                    break
        self.lsr_facts = None  # (result, values, unknown keys) of the legal stable residence, once worked out
