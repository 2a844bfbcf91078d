"""A verdict as text for a person at a terminal or a counter, in Chinese or English."""

from __future__ import annotations

from typing import Any

from hukou.policy.labels import KEY_GROUP_NAMES, WORDS
from hukou.policy.residence_permit import ENTITLEMENTS

MARKS = {"true": "✓", "false": "✗", "unknown": "?"}


def _reasons(reasons: list[dict[str, Any]], lang: str) -> list[str]:
    lines = []
    for r in reasons:
        text = r["text"][lang]
        if not text:
            continue
        cite = f" [{r['cite']}]" if r["cite"] else ""
        lines.append(f"  {MARKS[r['result']]} {text}{cite}")
    return lines


def render_verdict(verdict: dict[str, Any], lang: str = "zh") -> str:
    w = WORDS[lang]
    s, p = verdict["settlement"], verdict["residence_permit"]
    out = [f"{verdict['policy']} · {verdict['date']}", ""]
    head = f"{w['settlement']}: {w[s['status']]}"
    if s["route"]:
        head += f" — {w['route']}: {w[s['route']]}"
        if s["household"]:
            head += f", {w['household']}: {w[s['household']]}"
    out.append(head)
    out += _reasons(s["reasons"], lang)
    if s["status"] == "eligible":
        out.append(f"  {w['followers']}: {s['followers']}")
    if s["key_groups"]:
        names = [KEY_GROUP_NAMES[g][0 if lang == "zh" else 1] for g in s["key_groups"]]
        out.append(f"  {w['key_groups']}: {', '.join(names)}")
    if s["missing"]:
        out.append(f"  {w['missing']}: {', '.join(s['missing'])}")
    out += ["", f"{w['permit']}: {w[p['status']]}"]
    out += _reasons(p["reasons"], lang)
    if p["guardian_required"]:
        out.append(f"  {w['guardian']}")
    if p["missing"]:
        out.append(f"  {w['missing']}: {', '.join(p['missing'])}")
    if p["entitlements"]:
        names = [ENTITLEMENTS[e][1 if lang == "zh" else 2] for e in p["entitlements"]]
        out.append(f"  {w['entitlements']}: {'；'.join(names) if lang == 'zh' else '; '.join(names)}")
    e = p.get("endorsement")
    if e:
        start, end = e["next_window"]
        out.append(f"  {w['endorsement']}: {w[e['status']]}; {w['counted_from']} {e['residence_counted_from']}; "
                   f"{w['next_window']} {start} – {end or '…'}")
    return "\n".join(out)
