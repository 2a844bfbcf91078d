"""A verdict as text for a person at a terminal or a counter, in Chinese or English."""

from __future__ import annotations

from typing import Any

from hukou.policy.residence_permit import ENTITLEMENTS

WORDS = {
    "zh": {
        "settlement": "落户", "permit": "居住证", "eligible": "符合条件", "ineligible": "不符合条件",
        "undetermined": "尚待确认", "route": "落户方式", "household": "户别", "followers": "随迁人数",
        "key_groups": "重点群体", "missing": "还需了解", "guardian": "未满16周岁，须由监护人代为申领",
        "entitlements": "持证可享受", "endorsement": "签注", "valid": "有效", "suspended": "已中止",
        "counted_from": "居住年限起算", "next_window": "下次签注期",
        "talent": "人才落户（全面放开）", "student": "学生落户（来去自由）", "general": "一般落户（合法稳定住所）",
        "family": "家庭户", "collective": "集体户", "none": "无",
    },
    "en": {
        "settlement": "Settlement", "permit": "Residence permit", "eligible": "eligible", "ineligible": "ineligible",
        "undetermined": "undetermined", "route": "route", "household": "household", "followers": "followers",
        "key_groups": "key groups", "missing": "still to ask", "guardian": "under 16: a guardian applies",
        "entitlements": "entitlements", "endorsement": "endorsement", "valid": "valid", "suspended": "suspended",
        "counted_from": "residence counted from", "next_window": "next window",
        "talent": "talent (fully open)", "student": "student (free to come and go)", "general": "general (legal stable residence)",
        "family": "family household", "collective": "collective household", "none": "none",
    },
}
KEY_GROUP_NAMES = {
    "student_or_military": ("升学参军进城人员", "rural students and soldiers"),
    "long_term_urban": ("在城镇就业居住5年以上", "5+ years urban residence and work"),
    "whole_family": ("举家迁徙", "whole family moving"),
    "new_generation": ("新生代农民工", "new-generation migrant worker"),
}
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
