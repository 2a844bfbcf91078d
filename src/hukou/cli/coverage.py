"""`hukou policy coverage`: the plan map (`hukou.plan_map`) as a table for a terminal, or as JSON.

One row per clause: the clause, its title, what implements it (one line each: kind, id and, for an
item of the clause, the item's mark) and the tests of each. The table is plain text aligned by
display width (a Chinese character takes two columns), the same at any terminal width, so the docs
can hold a copy that a test compares.
"""

from __future__ import annotations

import unicodedata
from collections import Counter

from hukou.plan_map import WHOLE, MappedClause
from hukou.policy.lint import CODES
from hukou.policy.source_text import NOTICE

NOT_YET = "— 尚无实现 not implemented yet"
HEADERS = ("条款 clause", "标题 title", "实现 implemented by", "测试 tests")
WIDTHS = (12, 18, 52, 34)
# one word for each kind of implementation, in the table (the legend above it gives the English)
SHORT = {"rule": "规则", "parameter": "参数", "condition": "条件", "lint": "检查", "property": "性质",
         "casework": "办件", "register": "登记", "engine": "测算", "api": "接口", "web": "网页",
         "task": "任务", "indicator": "指标", "measure": "措施"}


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, cols: int) -> list[str]:
    """Lines of at most `cols` display columns: at spaces, and inside a word only when it is longer
    than a line (a run of Chinese)."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        joined = f"{line} {word}" if line else word
        if width(joined) <= cols:
            line = joined
            continue
        if line:
            lines.append(line)
            line = ""
        for ch in word:
            if width(line + ch) > cols:
                lines.append(line)
                line = ""
            line += ch
    return lines + [line]


def pad(text: str, cols: int) -> str:
    return text + " " * max(cols - width(text), 0)


def _tests(tests: tuple[str, ...]) -> str:
    """`tests/test_x.py::a`, `tests/test_x.py::b`, `tests/cases/y.yaml` → `test_x.py ×2, cases/y.yaml`."""
    files = Counter(t.split("::", 1)[0].removeprefix("tests/") for t in tests)
    return ", ".join(f"{f} ×{n}" if n > 1 else f for f, n in files.items()) or "—"


def _cells(c: MappedClause) -> list[list[str]]:
    """The lines of each column for one clause."""
    title = wrap(c.title, WIDTHS[1]) if c.title else []
    implemented: list[str] = []
    tests: list[str] = []
    for p in c.implemented_by:
        item = f" ({p.mark})" if p.mark not in (c.mark, WHOLE) and c.plan else ""
        kind = SHORT.get(p.implementation.kind, p.implementation.kind)
        name = f" {CODES[p.implementation.id].name}" if p.implementation.kind == "lint" and p.implementation.id in CODES else ""
        said = wrap(f"{kind} {p.implementation.id}{name}{item}", WIDTHS[2])
        covered = wrap(_tests(p.implementation.tests), WIDTHS[3])
        rows = max(len(said), len(covered))
        implemented += said + [""] * (rows - len(said))
        tests += covered + [""] * (rows - len(covered))
    if not c.implemented_by:
        implemented = [NOT_YET]
    return [wrap(c.mark.replace("、", "、 "), WIDTHS[0]), title or [""], implemented, tests or [""]]


def legend(cols: int) -> list[str]:
    """The kinds' words and their English, as lines of at most `cols` columns (a pair never split)."""
    from hukou.plan_map import KINDS

    lines, line = [], "类别 kinds:"
    for k, zh in SHORT.items():
        pair = f"{zh} {KINDS[k][1]}" if k in KINDS else zh
        if width(f"{line} {pair} ·") > cols:
            lines.append(line)
            line = ""
        line = f"{line} {pair} ·".strip()
    return lines + [line.removesuffix(" ·")]


def coverage_table(clauses: list[MappedClause]) -> str:
    out: list[str] = legend(sum(WIDTHS) + 6)
    document = None
    for c in clauses:
        if c.document != document:
            document = c.document
            out += ["",f"{c.document} 《{c.source_title}》" if c.source_title else c.document,
                    "  ".join(pad(h, w) for h, w in zip(HEADERS, WIDTHS)).rstrip(),
                    "  ".join("-" * w for w in WIDTHS)]
        cells = _cells(c)
        for i in range(max(len(col) for col in cells)):
            out.append("  ".join(pad(col[i] if i < len(col) else "", w) for col, w in zip(cells, WIDTHS)).rstrip())
    return "\n".join(out + [""] + [part for line in summary(clauses) for part in wrap(line, sum(WIDTHS) + 6)])


def summary(clauses: list[MappedClause]) -> list[str]:
    plan = [c for c in clauses if c.plan]
    gaps = [c.mark for c in plan if not c.implemented_by]
    others = [c for c in clauses if not c.plan]
    other_gaps = [f"{c.document} {c.mark}" for c in others if not c.implemented_by]
    notice = bool(plan) and plan[0].mark == NOTICE
    zh = f"方案{len(plan) - notice}条" + ("及印发通知" if notice else "")
    en = f"The plan's {len(plan) - notice} clauses" + (" and the notice" if notice else "")
    lines = [f"{zh}：已有实现{len(plan) - len(gaps)}项，尚无实现{len(gaps)}项。",
             f"{en}: {len(plan) - len(gaps)} implemented, {len(gaps)} not yet."]
    if gaps:
        lines.append("尚无实现 not implemented yet: " + " ".join(gaps))
    lines += [f"其他文件{len(others)}条：已有实现{len(others) - len(other_gaps)}条。",
              f"Other documents, {len(others)} clauses: {len(others) - len(other_gaps)} implemented."]
    if other_gaps:
        lines.append("尚无实现 not implemented yet: " + ", ".join(other_gaps))
    return lines
