"""§十: the rural three rights (contracted land, homestead, collective income) are kept by those who
settle and are never a condition: no rule, engine or casework reads them, and a case never keeps them."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from hukou.cases.facts import canonical_facts
from hukou.policy.verdict import check

SRC = Path(__file__).resolve().parents[1] / "src" / "hukou"
NAMES = re.compile(r"three_rights|ThreeRights|contracted_land|homestead|collective_income")

# The only modules that may name the three rights, and why.
ALLOWED = {
    "store/schema.py": "the register's table, kept for the departments that protect the rights",
    "store/migrations/versions/0001_register.py": "creates that table",
    "store/database.py": "loads and exports the register's tables as they are",
    "registry/synth.py": "gives the synthetic city's rural hukou holders their rights",
    "policy/lint.py": "L5 refuses a policy condition on them",
    "web/i18n.py": "tells applicants they keep them",
    "plan_map.py": "names the table as what implements §十",
}

# A rural hukou holder of one of the city's villages, moving into town with a home of her own.
FACTS = {"birth_date": "1988-02-11", "hukou": {"place": "652301105203", "urban": False},
         "residence": [{"from": "2017-05-01", "place": "652301003", "urban": True}], "housing": {"kind": "owned"},
         "employment": [], "social_insurance": [], "education": [], "qualifications": []}


def test_no_rule_engine_or_casework_module_reads_the_three_rights():
    naming = {str(p.relative_to(SRC)) for p in SRC.rglob("*.py") if NAMES.search(p.read_text(encoding="utf-8"))}
    assert naming <= set(ALLOWED), f"modules that name the three rights without a reason: {sorted(naming - set(ALLOWED))}"
    assert "store/schema.py" in naming  # the scan sees what is there


def test_the_three_rights_given_with_the_facts_are_dropped_and_change_no_verdict(changji):
    holding = {**FACTS, "three_rights": {"contracted_land": True, "homestead": True, "collective_income": True},
               "contracted_land": True, "homestead": True, "collective_income": True}
    giving_up = {**holding, "three_rights": {"contracted_land": False, "homestead": False, "collective_income": False}}
    kept = canonical_facts(holding, "652301")
    assert not NAMES.search(str(kept))
    d = date(2019, 3, 1)
    verdict = check(FACTS, d, changji)
    assert verdict["settlement"]["status"] == "eligible"
    assert check(holding, d, changji) == verdict == check(giving_up, d, changji)
