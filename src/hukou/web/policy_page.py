"""The policy page (`hukou policy show`): the plan in its own order, each clause's full published text
beside what implements it (`hukou.plan_map`), then the other documents the policy cites, so a reader
checks the code against the law without leaving the page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from hukou.i18n import Msg, translate
from hukou.plan_map import KINDS, WHOLE, MappedClause, Placed, implementations, unplaced
from hukou.policy.headings import heading_en
from hukou.policy.lint import CODES, lint
from hukou.policy.policy_file import Policy

# How each status of a quote reads (citations.check): Chinese, English (from the catalogue), a class for the mark.
QUOTE_STATUS = {code: (translate(name, "zh"), str(name), mark) for code, name, mark in (
    ("verbatim", Msg("matches the text"), "ok"),
    ("misquote", Msg("differs from the text"), "bad"),
    ("unchecked", Msg("not checked against a shipped text"), "unchecked"),
)}


@dataclass
class Group:
    """Implementations of one kind under one clause, gathered under the words they cite."""

    kind: str
    zh: str
    en: str
    quotes: list[tuple[str, str, list[dict[str, Any]]]] = field(default_factory=list)  # (quote, status, items)


@dataclass
class ClauseView:
    clause: MappedClause
    anchor: str
    groups: list[Group]
    paragraphs: list[str]
    published: list[list[str]]  # the publication details above a notice (the cells of the site's table)
    tests: list[str]
    heading_en: str = ""


def _fmt(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _lint_label(id_: str) -> str:
    return f"{id_} {CODES[id_].name}" if id_ in CODES else id_


def _item(policy: Policy, p: Placed, clause_mark: str) -> dict[str, Any]:
    impl = p.implementation
    item: dict[str, Any] = {"id": impl.id, "zh": impl.zh, "en": impl.en, "where": impl.where,
                            "mark": p.mark if p.mark not in (clause_mark, WHOLE) else ""}
    if impl.kind == "lint":
        item["label"] = _lint_label(impl.id)
    if impl.kind == "parameter" and impl.id in policy.parameters:
        param = policy.parameters[impl.id]
        cap = int(param.cap) if isinstance(param.cap, float) and param.cap.is_integer() else param.cap
        item.update(unit=param.unit or "", cap=cap,
                    dated=[(_fmt(k), _fmt(v)) for k, v in param.values.items()])
    return item


def _groups(policy: Policy, c: MappedClause) -> list[Group]:
    groups: dict[str, Group] = {}
    for p in c.implemented_by:
        kind = p.implementation.kind
        zh, en = KINDS.get(kind, (kind, kind))
        group = groups.setdefault(kind, Group(kind, zh, en))
        if group.quotes and group.quotes[-1][0] == p.quote:
            group.quotes[-1][2].append(_item(policy, p, c.mark))
        else:
            group.quotes.append((p.quote, p.status, [_item(policy, p, c.mark)]))
    return list(groups.values())


def _anchor(c: MappedClause) -> str:
    return c.mark if c.plan else f"{c.document}-{c.mark}"


def clause_views(policy: Policy) -> list[ClauseView]:
    views = []
    for c in implementations(policy):
        lines = [line.strip() for line in (c.text or "").splitlines() if line.strip()]
        published = [line for line in lines if "|" in line] if c.mark == "通知" else []
        cells = [[cell.strip() for cell in line.split("|") if cell.strip()] for line in published]
        views.append(ClauseView(c, _anchor(c), _groups(policy, c), [line for line in lines if line not in published],
                                cells, list(c.tests), heading_en(c.document, c.heading) if c.heading else ""))
    return views


def render_policy_page(policy: Policy) -> str:
    env = Environment(loader=PackageLoader("hukou", "templates"), autoescape=select_autoescape(["html"]))
    views = clause_views(policy)
    plan = [v for v in views if v.clause.plan]
    others: dict[str, list[ClauseView]] = {}
    for v in views:
        if not v.clause.plan:
            others.setdefault(v.clause.document, []).append(v)
    loose = [{"id": i.id, "kind": KINDS.get(i.kind, (i.kind, i.kind)), "zh": i.zh, "en": i.en, "where": i.where,
              "label": _lint_label(i.id) if i.kind == "lint" else i.id,
              "cite": CODES[i.id].cite if i.kind == "lint" and i.id in CODES else "", "tests": i.tests}
             for i in unplaced(policy)]
    plan_text = any(v.clause.text is not None for v in plan)
    sid = next((k for k, s in policy.sources.items() if s.document == policy.document), None)
    excerpt = bool(sid in policy.texts and policy.texts[sid].excerpt)
    return env.get_template("policy.html").render(
        policy=policy, plan=plan, others=others, loose=loose, problems=lint(policy), status=QUOTE_STATUS,
        plan_text=plan_text, excerpt=excerpt, implemented=sum(1 for v in plan if v.clause.implemented_by),
        unimplemented=[v for v in plan if not v.clause.implemented_by])
