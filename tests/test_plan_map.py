"""The plan map keeps honest: every implementation names real code and real tests, every clause it
names is in its document, the plan reads in its own order from the notice through §十九, and the docs
hold the current coverage table."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

from hukou.plan_map import (FEATURES, KINDS, LINT_SITES, PARAMETER_SITES, PLAN, RULE_SITES, WHOLE, _site,
                            all_implementations, declared, implementations, resolve, split_mark, unplaced)
from hukou.policies import load, shipped
from hukou.policy import citations
from hukou.policy.catalog import RULES
from hukou.policy.lint import CODES
from hukou.policy.policy_file import PARAMETER_TYPES, Cite, parse_policy
from hukou.policy.source_text import NOTICE, numeral
from policytools import changji_dict

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_CITY = ROOT / "docs" / "examples" / "example-city.yaml"
DOC = ROOT / "docs" / "plan-coverage.md"
NINETEEN = [NOTICE] + [f"§{numeral(n)}" for n in range(1, 20)]


def policies():
    return [load(name) for name in shipped()] + [load(str(EXAMPLE_CITY))]


def everything():
    """Every implementation under every shipped policy and the example city, and every feature."""
    found = {}
    for policy in policies():
        for impl in all_implementations(policy):
            found.setdefault((impl.kind, impl.id, impl.where, impl.tests), impl)
    return list(found.values())


@cache
def defined_tests(path: str) -> frozenset[str]:
    """The tests a file defines: `test_x` and `TestClass::test_x`."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            names |= {f"{node.name}::{f.name}" for f in node.body
                      if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)) and f.name.startswith("test")}
    return frozenset(names)


def named_test_exists(test_id: str) -> bool:
    path, sep, name = test_id.partition("::")
    if not (path.startswith("tests/") and (ROOT / path).is_file()):
        return False
    if not sep:
        return path.startswith(("tests/cases/", "tests/policies/")) and path.endswith(".yaml")
    return path.endswith(".py") and name in defined_tests(path)




def test_every_where_names_a_real_object():
    broken = []
    for impl in everything():
        try:
            assert resolve(impl.where) is not None
        except (ImportError, AttributeError, ValueError, AssertionError) as exc:
            broken.append(f"{impl.id}: {impl.where!r} ({type(exc).__name__}: {exc})")
    assert broken == []


def test_every_named_test_exists():
    missing = [f"{impl.id}: {t}" for impl in everything() for t in impl.tests if not named_test_exists(t)]
    assert missing == []


def test_every_implementation_has_a_test():
    untested = [f"{impl.kind} {impl.id} (give it a row in RULE_SITES, PARAMETER_SITES or LINT_SITES, or tests in FEATURES)"
                for impl in everything() if not impl.tests]
    assert untested == []


def test_every_kind_is_known_and_every_id_is_once_per_policy():
    for policy in policies():
        impls = all_implementations(policy)
        assert {i.kind for i in impls} <= set(KINDS)
        ids = [(i.kind, i.id) for i in impls]
        assert len(ids) == len(set(ids)), [x for x in ids if ids.count(x) > 1]


def test_every_declared_clause_is_in_its_document(changji):
    plan_text = changji.texts["plan"]
    wrong = []
    for impl in declared():
        for ref in impl.clauses:
            document, mark = split_mark(ref)
            if document == PLAN:
                if plan_text.part(mark) is None:
                    wrong.append(f"{impl.id}: the plan has no {mark}")
                continue
            sid, source = citations.source_of(changji, Cite(document=document))
            if source is None:
                wrong.append(f"{impl.id}: {document} is not a source of {changji.id}")
                continue
            text = changji.texts.get(sid)
            if text is not None and text.part(mark) is not None:
                continue
            cited = {q.cite.clause for q in citations.quotes(changji)
                     if citations.source_of(changji, q.cite)[0] == sid}
            if (text is not None and not text.excerpt) or mark not in cited:
                wrong.append(f"{impl.id}: {document} {mark} is neither in its shipped text nor a clause the policy quotes")
    assert wrong == []


def test_every_rule_and_parameter_cites_a_clause_its_text_holds(changji):
    """A rule bound, or a parameter cited, to a plan clause the published text does not have would show
    as a row past §十九; none does."""
    rows = [c for c in implementations(changji) if c.plan]
    assert [c.mark for c in rows if c.text is None] == []


def test_the_plan_reads_from_the_notice_through_the_nineteenth_clause_in_full(changji):
    text = changji.texts["plan"]
    rows = [c for c in implementations(changji) if c.plan]
    assert [c.mark for c in rows] == NINETEEN
    for c in rows:
        assert c.text == text.clause(c.mark).text and c.title == text.clause(c.mark).title and c.title_en
        assert c.document == PLAN
    assert {c.mark: c.heading for c in rows if c.heading} == {
        "§一": "一、总体要求", "§四": "二、进一步拓宽落户通道", "§六": "三、制定实施配套政策", "§十六": "四、强化监测检查"}


def test_every_clause_of_another_document_the_policy_cites_has_a_row_after_the_plan(changji):
    mapped = implementations(changji)
    rows = {(c.document, c.mark) for c in mapped if not c.plan}
    first_other = next(i for i, c in enumerate(mapped) if not c.plan)
    assert all(not c.plan for c in mapped[first_other:])
    for q in citations.quotes(changji):
        _, source = citations.source_of(changji, q.cite)
        if source is not None and source.document != changji.document:
            assert (source.document, q.cite.clause or WHOLE) in rows, q.path
    regulation = [c.mark for c in mapped if c.document == "国务院令第663号"]
    assert regulation == ["第二条", "第九条", "第十条", "第十二条", "第十三条", "第十五条"]  # in article order


def test_rules_parameters_and_lint_codes_come_from_the_policy_and_lint_not_from_a_list(monkeypatch):
    def under(policy, ident):
        return [c.mark for c in implementations(policy) for p in c.implemented_by if p.implementation.id == ident]

    data = changji_dict()
    data["rules"]["talent"] = {"clause": "§五", "quote": "调整完善落户政策"}
    data["parameters"]["key_groups.long_term_years"]["cite"] = {"clause": "§三", "quote": "主要目标"}
    moved = parse_policy(data)
    assert under(moved, "talent.graduate") == ["§五"] and under(moved, "key_groups.long_term_years") == ["§三"]
    monkeypatch.setitem(CODES, "L99", CODES["L6"]._replace(cite="§十六"))
    added = [p.implementation for c in implementations(moved) if c.mark == "§十六" for p in c.implemented_by]
    assert [(i.id, i.tests) for i in added] == [("L99", ())]  # derived at once, and without a test


def test_every_rule_parameter_and_lint_code_has_its_code_and_tests_and_every_lint_test_is_listed():
    assert [e.rule for e in RULES if not all(_site(RULE_SITES, e.rule))] == []
    assert sorted(set(PARAMETER_TYPES) - set(PARAMETER_SITES)) == []
    assert sorted(set(CODES) - set(LINT_SITES)) == [], "a lint code without a row in LINT_SITES"
    listed = {t for _, tests in LINT_SITES.values() for t in tests}
    for code in CODES:
        n = code[1:]
        named = {f"tests/test_lint.py::{t}" for t in defined_tests("tests/test_lint.py") if re.match(rf"test_l{n}_", t)}
        files = {f"tests/policies/{p.name}" for p in (ROOT / "tests" / "policies").glob(f"L{n}-*.yaml")}
        assert (named | files) <= set(LINT_SITES.get(code, ("", ()))[1]), code
    assert listed  # the table is not empty


def test_without_the_plans_text_the_map_falls_back_to_the_clauses_the_file_quotes():
    policy = parse_policy(changji_dict())  # built from data alone: no texts
    rows = implementations(policy)
    plan = [c for c in rows if c.plan]
    quoted = list(dict.fromkeys(re.match(r"§[一二三四五六七八九十]+", m).group(0) for m, c in policy.clauses.items()
                                if c.document is None))
    assert [c.mark for c in plan][:len(quoted)] == quoted
    assert all(c.text is None for c in plan)
    four = next(c for c in plan if c.mark == "§四")
    assert four.quoted and four.quoted[0][2] == "unchecked"
    assert {"talent.graduate", "casework.registration"} <= {p.implementation.id for p in four.implemented_by}


def test_another_citys_map_places_the_changji_features_nowhere_but_lists_them():
    city = load(str(EXAMPLE_CITY))
    placed = {p.implementation.id for c in implementations(city) for p in c.implemented_by}
    loose = {i.id for i in unplaced(city)}
    assert "casework.consent" in loose and "casework.consent" not in placed
    assert "casework.permit_deadline" in placed  # it names 居住证暂行条例 第九条, which this city cites too
    assert {"talent.graduate", "general.extra.1"} <= placed
    assert not any(c.mark.startswith("§") for c in implementations(city) if c.plan)


def test_what_implements_each_changji_clause_today(changji):
    """The map as it stands; a change to it is a change to this list (and to docs/plan-coverage.md)."""
    done = [c.mark for c in implementations(changji) if c.plan and c.implemented_by]
    assert done == ["§二", "§三", "§四", "§五", "§十", "§十一", "§十二", "§十三", "§十四", "§十五", "§十八"]
    assert all(c.implemented_by for c in implementations(changji) if not c.plan)
    assert {f.id for f in FEATURES} <= {i.id for i in all_implementations(changji)}


def test_the_docs_hold_the_current_coverage_table(changji):
    from hukou.cli.coverage import coverage_table

    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"<!-- coverage changji-2018 -->\n```text\n(.*?)\n```", text, re.DOTALL)
    assert block, "docs/plan-coverage.md: the block after <!-- coverage changji-2018 --> is missing"
    assert block.group(1) == coverage_table(implementations(changji)), (
        "docs/plan-coverage.md is out of date: paste the output of `hukou policy coverage changji-2018` into it")
