"""The published text of a source a policy cites, clause by clause, and finding a quote in it.

A text is either a whole document (the plan, as published) or an excerpt: the clauses whose wording
has been checked against the published text, each under its mark. A quote attributed to a source
whose text is known must be found in it (lint L9): white space and the width of punctuation are
ignored, and `……` joins parts of a quote, each verbatim and in order.

Clause marks follow the policy files: `§四` is the plan's （四）; an item of a clause is `§二(二)1`
(the plan's （二） item 1; `§二1` means the same); the notice that issues the plan is `通知`.
National texts use their own marks (`二(四)`, `第二条`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

NUMERALS = "一二三四五六七八九十"
NOTICE = "通知"


@dataclass(frozen=True)
class ClauseText:
    mark: str
    title: str
    text: str  # the clause's whole text, its title first


@dataclass(frozen=True)
class SourceText:
    """What is known of a source's published wording."""

    document: str
    title: str
    excerpt: bool  # only the clauses listed are known; a quote of another clause cannot be checked
    clauses: dict[str, ClauseText]  # in the document's own order
    origin: str = ""  # where the text was published or verified
    items: dict[str, ClauseText] = field(default_factory=dict)  # a clause's numbered items, by mark (`§二1`)
    # the heading of a part of a plan (`一、总体要求`), by the mark of the first clause it holds (`§一`)
    headings: dict[str, str] = field(default_factory=dict)

    def clause(self, mark: str) -> ClauseText | None:
        return self.clauses.get(clause_key(mark))

    def part(self, mark: str) -> ClauseText | None:
        """What a mark names: an item of a clause, else the clause; None when the text does not hold it."""
        return self.items.get(item_key(mark)) or (None if item_key(mark) != mark.strip() else self.clause(mark))

    def passage(self, mark: str) -> str | None:
        found = self.part(mark)
        return found.text if found else None

    @property
    def whole(self) -> str:
        return "\n".join(c.text for c in self.clauses.values())


def clause_key(mark: str) -> str:
    """The clause a mark belongs to: `§二(二)1` → `§二`, `§五` → `§五`, `第九条` → `第九条`."""
    m = re.match(rf"§([{NUMERALS}]+)", mark.strip())
    return f"§{m.group(1)}" if m else mark.strip()


def item_key(mark: str) -> str:
    """An item's mark without the repeated numeral: `§二(二)1` → `§二1`."""
    m = re.fullmatch(rf"§([{NUMERALS}]+)(?:[（(]\1[)）])?(\d+)", mark.strip())
    return f"§{m.group(1)}{m.group(2)}" if m else mark.strip()


def numeral(n: int) -> str:
    """1 → 一, 10 → 十, 14 → 十四, 19 → 十九 (the clause numbers of a plan)."""
    if not 1 <= n <= 99:
        raise ValueError(n)
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else NUMERALS[tens - 1]) + "十" if tens else "") + (NUMERALS[ones - 1] if ones else "")


# Typographic variants that are not a difference of wording: curly and straight quotes, the ideographic
# full stop. NFKC already maps full-width forms (，；：（）！？) to their ASCII counterparts.
_VARIANTS = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "。": ".", "〔": "[", "〕": "]", "【": "[", "】": "]"})
_SPACE = re.compile(r"\s+")
_ELLIPSIS = re.compile(r"…+|\.{3,}")


def normalise(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text).translate(_VARIANTS))


def quote_parts(quote: str) -> list[str]:
    """A quote's verbatim parts: `……` (or `...`) joins them. Checked after normalising, so the
    NFKC form of `…` (three dots) splits the same way."""
    return [p for p in _ELLIPSIS.split(normalise(quote)) if p]


def find_quote(quote: str, text: str) -> int:
    """How many of the quote's parts are found in `text`, in order (all of them: the quote is verbatim)."""
    haystack, at, found = normalise(text), 0, 0
    for part in quote_parts(quote):
        i = haystack.find(part, at)
        if i < 0:
            break
        found, at = found + 1, i + len(part)
    return found


def is_verbatim(quote: str, text: str) -> bool:
    parts = quote_parts(quote)
    return bool(parts) and find_quote(quote, text) == len(parts)


def first_difference(quote: str, text: str) -> str:
    """The first part of a quote that the text does not hold, and its longest beginning that it does
    (for a message a reader can act on)."""
    haystack, at = normalise(text), 0
    for part in quote_parts(quote):
        i = haystack.find(part, at)
        if i >= 0:
            at = i + len(part)
            continue
        n = len(part)
        while n and haystack.find(part[:n], at) < 0:
            n -= 1
        return part if n == 0 else f"{part[:n]}⟨{part[n:]}⟩"
    return ""


# --- the plan's layout: a notice, then parts 一、… holding clauses (一)… holding items 1.… ---

_CLAUSE = re.compile(rf"[（(]([{NUMERALS}]+)[)）]")
_PART = re.compile(rf"^([{NUMERALS}]+)、", re.M)
_ITEM = re.compile(r"^(\d+)[.．、]", re.M)
_TRAILER = re.compile(r"^(—{3,}|抄送)", re.M)  # after the plan: the distribution list and printing note


def parse_plan(text: str, document: str, title: str, origin: str = "") -> SourceText:
    """A plan as published: the notice, then clauses （一）, （二）, … numbered through the whole plan
    (parts 一、二、 group them and belong to no clause). A clause runs to the next clause or part; a
    clause may begin mid-line (the published text runs §九 and §十 together). Only the next number
    in sequence starts a clause, so a parenthesis inside a sentence never does."""
    starts: list[tuple[int, str]] = []
    for m in _CLAUSE.finditer(text):
        if number(m.group(1)) == len(starts) + 1 and _starts_clause(text, m.start()):
            starts.append((m.start(), m.group(1)))
    first = starts[0][0] if starts else len(text)
    parts = [m.start() for m in _PART.finditer(text)]
    notice_end = min([p for p in parts if p < first] or [first])
    clauses: dict[str, ClauseText] = {NOTICE: ClauseText(NOTICE, "印发通知", text[:notice_end].strip())}
    trailer = _TRAILER.search(text, first)
    ends = sorted(set(parts + [s for s, _ in starts] + [trailer.start() if trailer else len(text)]))
    items: dict[str, ClauseText] = {}
    for start, num in starts:
        end = next(e for e in ends if e > start)
        body = text[start:end].strip()
        mark = f"§{num}"
        head = _CLAUSE.sub("", body, count=1)
        clauses[mark] = ClauseText(mark, re.split(r"[。.\n]", head, maxsplit=1)[0].strip(), body)
        found = list(_ITEM.finditer(body))
        for m, nxt in zip(found, [*found[1:], None]):
            item = body[m.start():nxt.start() if nxt else len(body)].strip()
            heading = re.split(r"[。.]", item[m.end() - m.start():], maxsplit=1)[0].strip()
            items[f"{mark}{m.group(1)}"] = ClauseText(f"{mark}{m.group(1)}", heading, item)
    headings: dict[str, str] = {}
    for p in parts:
        first = next((num for start, num in starts if start > p), None)
        end = text.find("\n", p)
        if first is not None:
            headings.setdefault(f"§{first}", text[p:end if end >= 0 else len(text)].strip())
    return SourceText(document, title, False, clauses, origin, items, headings)


def _starts_clause(text: str, at: int) -> bool:
    """A clause mark starts a line, or follows a clause's closing note of responsibility
    ("…(市发改委、财政局按职责分工负责) (十)维护…")."""
    before = text[:at].rstrip(" \t")
    return not before or before.endswith("\n") or bool(re.search(r"(负责|配合)[)）]$", before))


def number(num: str) -> int:
    """一 → 1, 十 → 10, 十四 → 14, 二十一 → 21, 一百零二 → 102 (clause and article numbers); 0 when it is
    not one."""
    digits = NUMERALS[:9]
    hundreds, sep, rest = num.replace("零", "").rpartition("百")
    total = 0
    if sep:
        if hundreds and hundreds not in digits:
            return 0
        total = 100 * (digits.index(hundreds) + 1 if hundreds else 1)
    tens, sep, ones = rest.partition("十")
    if not sep:
        return total + digits.index(rest) + 1 if len(rest) == 1 and rest in digits else (total if not rest else 0)
    if (tens and tens not in digits) or (ones and ones not in digits) or len(tens) > 1 or len(ones) > 1:
        return 0
    return total + 10 * (digits.index(tens) + 1 if tens else 1) + (digits.index(ones) + 1 if ones else 0)
