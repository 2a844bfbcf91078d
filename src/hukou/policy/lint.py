"""The policy linter (RULEBOOK §5): conditions the plan and the State Council forbid, gaps, and
quotes that are not the words of the text they are attributed to (L9).

Each problem has a code, the field path it was found at, and the clause that forbids it. Any
problem is an error: `hukou policy lint` exits non-zero when the list is not empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from hukou.i18n import Msg, localized
from hukou.policy import citations, layering
from hukou.policy.extra_conditions import is_known_fact
from hukou.policy.facts import HOUSING_KINDS
from hukou.policy.policy_file import CITY_RULES, ExtraCondition, Policy

SOCIAL_INSURANCE_CAP_MONTHS = 24  # §五
POINTS_MIN_URBAN_POPULATION = 3_000_000  # 国办发〔2016〕72号: no points schemes below 3 million
P_POINTS = "settlement.points.min_urban_population"

class LintCode(NamedTuple):
    name: str
    cite: str  # the clause of the plan (or the document) that forbids it
    zh: str  # what the check is about, in our words
    en: str
    quote: str = ""  # the forbidding words, verbatim from the plan's text (a test holds them to it)


CODES: dict[str, LintCode] = {
    "L1": LintCode("forbidden-condition", "§五", "落户条件不得要求购买房屋、投资或纳税；自有住房与登记租赁住房同等对待",
                   "No condition may require buying a home, owning one only, investing, or paying tax",
                   "不得采取购买房屋、投资纳税等方式设置落户限制"),
    "L2": LintCode("insurance-cap", "§五", "对城镇社会保险缴费年限的要求不得超过2年（24个月）",
                   "A social-insurance requirement may not exceed 24 months",
                   "落户条件中对参加城镇社会保险的年限要求不得超过2年"),
    "L3": LintCode("origin-discrimination", "§二(二)1", "落户条件不得看户口来自哪里（本市或外地除外）",
                   "No condition may look at where a hukou comes from, except in this city or not",
                   "统筹推进本地和外地非户籍人口在城市落户,实行相同的落户条件和标准"),
    "L4": LintCode("points-forbidden", "国办发〔2016〕72号", "城区常住人口300万以下的城市不得实行积分落户",
                   "Cities under 3,000,000 urban residents may not use a points scheme"),
    "L5": LintCode("three-rights-condition", "§十", "不得以放弃土地承包权、宅基地使用权、集体收益分配权作为落户条件",
                   "Giving up contracted land, homestead or collective income rights may never be a condition",
                   "不得强行要求进城落户农民转让其在农村的土地承包权、宅基地使用权、集体收益分配权,或将其作为进城落户条件"),
    "L6": LintCode("quota", "§二(二)3", "不得向乡镇、街道分配落户指标", "No settlement quotas or targets handed down to townships",
                   "不分配指标、不层层加码"),
    "L7": LintCode("missing-citation", "—", "每个参数和条件都须注明出处", "Every parameter and condition needs a citation"),
    "L8": LintCode("unknown-fact", "RULEBOOK §2", "条件只能读取规则手册§2的事实或派生事实",
                   "A condition may read only the facts of RULEBOOK §2 or a derived fact"),
    "L9": LintCode("misquote", "—", "注明出处的引文须与所引文件原文一字不差（不计空白和标点全角半角）",
                   "A quote attributed to a document must be its words exactly (white space and punctuation width aside)"),
    "L10": LintCode("loosens-national", "—", "城市不得放宽国家层面的限制（如社会保险年限上限、居住证申领和发放时限）",
                    "A city may not go past a national limit (the insurance cap, the permit's residence and issue periods)"),
}

_FORBIDDEN_FACT = re.compile(r"(tax|invest|purchase|buy|price|deposit|income_level|salary)", re.I)
_ORIGIN_FACT = re.compile(r"(origin|province|native|birth_place|non_?local|^local|\.local|hometown|county)", re.I)
_THREE_RIGHTS = re.compile(r"(three_rights|contracted_land|homestead|collective_income|land_contract)", re.I)


@dataclass(frozen=True)
class Problem:
    code: str
    path: str
    message: str

    @property
    def name(self) -> str:
        return CODES[self.code][0]

    @property
    def cite(self) -> str:
        return CODES[self.code][1]

    def line(self, lang: str = "en") -> str:
        return f"{self.code} {self.name}: {self.path}: {localized(self.message, lang)} [{self.cite}]"

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "path": self.path, "message": self.message, "cite": self.cite}


def _allowed_housing(op: str, value: Any) -> set[str] | None:
    values = value if isinstance(value, (list, tuple, set)) else [value]
    kinds = set(HOUSING_KINDS)
    if op == "==":
        return {value} & kinds
    if op == "in":
        return set(values) & kinds
    if op == "!=":
        return kinds - {value}
    if op == "not_in":
        return kinds - set(values)
    return None


def _insurance_above_cap(op: str, value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return (op in (">=", "==") and value > SOCIAL_INSURANCE_CAP_MONTHS) or (op == ">" and value >= SOCIAL_INSURANCE_CAP_MONTHS)
    if op == "in" and isinstance(value, (list, tuple)) and value:
        return all(isinstance(v, (int, float)) and v > SOCIAL_INSURANCE_CAP_MONTHS for v in value)
    return False


def _condition_problems(c: ExtraCondition, path: str, city_code: str) -> list[Problem]:
    fact, op, value = c.require.fact, c.require.op, c.require.value
    where = f"{path}.require"
    found: list[Problem] = []
    if _FORBIDDEN_FACT.search(fact):
        found.append(Problem("L1", where, Msg("condition on {fact!r} (home purchase, investment or tax)", fact=fact)))
    if fact == "housing.kind":
        allowed = _allowed_housing(op, value)
        if allowed is not None and "rented" not in allowed and "owned" in allowed:
            found.append(Problem("L1", where, Msg("housing.kind {op} {value!r} admits owned housing but not registered "
                                                  "rented housing", op=op, value=value)))
    if fact == "social_insurance_months" and _insurance_above_cap(op, value):
        found.append(Problem("L2", where, Msg("social_insurance_months {op} {value!r} asks for more than {cap} months",
                                              op=op, value=value, cap=SOCIAL_INSURANCE_CAP_MONTHS)))
    if fact == "hukou.place" and not (op == "startswith" and str(value) == city_code):
        found.append(Problem("L3", where, Msg("hukou.place {op} {value!r} looks at where the hukou comes from",
                                              op=op, value=value)))
    elif fact != "hukou.place" and _ORIGIN_FACT.search(fact):
        found.append(Problem("L3", where, Msg("condition on {fact!r} looks at where the hukou comes from", fact=fact)))
    if _THREE_RIGHTS.search(fact):
        found.append(Problem("L5", where, Msg("condition on {fact!r} ties settlement to the rural three rights",
                                              fact=fact)))
    if not found and not is_known_fact(fact):
        found.append(Problem("L8", f"{where}.fact", Msg("{fact!r} is not a §2 fact nor a derived fact", fact=fact)))
    if c.cite is None or not c.cite.complete:
        found.append(Problem("L7", f"{path}.cite", Msg("condition without a citation (clause and quote)")))
    return found


def lint(policy: Policy) -> list[Problem]:
    problems: list[Problem] = []
    for name, param in policy.parameters.items():
        if param.cite is None or not param.cite.complete:
            problems.append(Problem("L7", f"parameters.{name}.cite", Msg("parameter without a citation (clause and quote)")))
        if name == "settlement.general.min_social_insurance_months":
            for since, value in param.values.items():
                if value > SOCIAL_INSURANCE_CAP_MONTHS:
                    problems.append(Problem("L2", f"parameters.{name}.values.{since}",
                                            Msg("{value} months is above the cap of {cap}",
                                                value=value, cap=SOCIAL_INSURANCE_CAP_MONTHS)))
    for rule in CITY_RULES:
        cite = policy.rules.get(rule)
        if cite is None or not cite.complete:
            problems.append(Problem("L7", f"rules.{rule}", Msg("built-in rule not bound to a clause of this policy")))
    for i, c in enumerate(policy.extra_conditions):
        problems.extend(_condition_problems(c, f"extra_conditions[{i}]", policy.city.code))
    for name, t in policy.tasks.items():
        if not t.cite.complete:
            problems.append(Problem("L7", f"tasks.{name}.cite", Msg("department task without a citation (clause and quote)")))
    threshold = _points_threshold(policy)
    if policy.points and policy.city.urban_population < threshold:
        problems.append(Problem("L4", "points", Msg("a points scheme in a city of {people:,} urban residents",
                                                    people=policy.city.urban_population)))
    for i, q in enumerate(policy.quotas):
        if q.division != policy.city.code:
            problems.append(Problem("L6", f"quotas[{i}].division", Msg("quota handed down to division {division}",
                                                                       division=q.division)))
    problems.extend(misquotes(policy))
    problems.extend(Problem("L10", path, message) for path, message in layering.loosened(policy))
    return problems


def _points_threshold(policy: Policy) -> int:
    """The urban residents below which no points scheme is allowed: the national layer's (a city file
    cannot move it: L10), else the built-in 3,000,000."""
    for source in (policy.base, policy):
        param = source.parameters.get(P_POINTS) if source is not None else None
        if param is not None and param.values:
            return max(param.values.values())
    return POINTS_MIN_URBAN_POPULATION


def misquotes(policy: Policy) -> list[Problem]:
    """L9: each quote attributed to a source whose text the policy ships must be in that text."""
    found = []
    for q in citations.quotes(policy):
        finding = citations.check(policy, q.cite, q.title)
        if finding.status == "misquote":
            found.append(Problem("L9", q.path, finding.message))
    return found


def unchecked_quotes(policy: Policy) -> list[tuple[str, str]]:
    """Quotes that cannot be checked (their source's text is not shipped), and citations whose wording
    is pending: (path, why), for a note."""
    found = []
    for q in citations.quotes(policy):
        if q.title:
            continue
        if q.cite.pending and not q.cite.quote.strip():
            found.append((q.path, Msg("{document}: wording pending ({pending})", document=q.cite.document,
                                                 pending=q.cite.pending)))
        elif q.cite.quote.strip() and (f := citations.check(policy, q.cite)).status == "unchecked":
            found.append((q.path, f.message))
    return found
