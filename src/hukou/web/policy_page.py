"""The policy page (`hukou policy show`): each clause's quoted text beside the rules and parameters
that implement it, so a reader checks the code against the law without leaving the page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from hukou.policy.catalog import RULES, clause_of
from hukou.policy.lint import CODES, lint
from hukou.policy.policy_file import Clause, Policy


@dataclass
class ClauseView:
    mark: str
    clause: Clause | None
    rules: list[dict[str, Any]] = field(default_factory=list)
    parameters: list[dict[str, Any]] = field(default_factory=list)
    conditions: list[dict[str, Any]] = field(default_factory=list)
    lint_codes: list[dict[str, Any]] = field(default_factory=list)


def _fmt(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def clause_views(policy: Policy) -> list[ClauseView]:
    views: dict[str, ClauseView] = {mark: ClauseView(mark, c) for mark, c in policy.clauses.items()}

    def view(mark: str) -> ClauseView:
        mark = mark or "（未注明出处 no citation）"
        if mark not in views:
            views[mark] = ClauseView(mark, None)
        return views[mark]

    for entry in RULES:
        view(clause_of(entry, policy)).rules.append({"id": entry.rule, "zh": entry.zh, "en": entry.en})
    for name, param in policy.parameters.items():
        view(param.cite.clause if param.cite else "").parameters.append({
            "name": name, "unit": param.unit or "", "cap": param.cap,
            "dated": [(_fmt(k), _fmt(v)) for k, v in param.values.items()],
            "quote": param.cite.quote if param.cite else "",
            "document": param.cite.document if param.cite else None,
            "description": param.description,
        })
    for i, c in enumerate(policy.extra_conditions):
        view(c.cite.clause if c.cite else "").conditions.append({
            "index": i, "route": c.route, "fact": c.require.fact, "op": c.require.op,
            "value": _fmt(c.require.value), "text": c.text,
        })
    for code, c in CODES.items():
        if c.cite in views:
            views[c.cite].lint_codes.append({"code": code, "name": c.name, "zh": c.zh, "en": c.en, "quote": c.quote})
    return list(views.values())


def render_policy_page(policy: Policy) -> str:
    env = Environment(loader=PackageLoader("hukou", "templates"), autoescape=select_autoescape(["html"]))
    template = env.get_template("policy.html")
    return template.render(policy=policy, clauses=clause_views(policy), problems=lint(policy))
