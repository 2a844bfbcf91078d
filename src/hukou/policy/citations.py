"""Every quote a policy attributes to a source, where it is, and whether the source's text holds it.

A citation names its document (`document`: a document number or title; absent, the policy's own
plan), a clause mark and the quoted words. `quotes(policy)` lists every one with its field path;
`check(policy, cite)` finds it in the source's published text when that text is known (lint L9);
`basis(policy, cite)` is what a verdict's reason shows of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Literal, Optional

from hukou.i18n import Msg
from hukou.policy.policy_file import Cite, Policy, Source, _memo
from hukou.policy.source_text import SourceText, clause_key, first_difference, is_verbatim, normalise, quote_parts

Status = Literal["verbatim", "misquote", "unchecked", "label"]  # label: a title the text gives no heading to quote


@dataclass(frozen=True)
class Quoted:
    path: str  # the field path in the policy file
    cite: Cite
    title: bool = False  # a clause's title, as the text heads it (an article without a heading has none to quote)


@dataclass(frozen=True)
class Finding:
    status: Status
    message: str = ""


def quotes(policy: Policy) -> Iterator[Quoted]:
    """Every quote the policy attributes to a source, with its field path, in file order."""
    for mark, c in policy.clauses.items():
        yield Quoted(f"clauses.{mark}.quote", Cite(clause=mark, quote=c.quote, document=c.document))
        yield Quoted(f"clauses.{mark}.title.zh", Cite(clause=mark, quote=c.title.zh, document=c.document), title=True)
    for name, b in policy.rules.items():
        yield Quoted(f"rules.{name}", Cite(clause=b.clause, quote=b.quote, document=b.document, pending=b.pending))
        if b.basis is not None:
            yield Quoted(f"rules.{name}.basis", b.basis)
    for name, p in policy.parameters.items():
        if p.cite is not None:
            yield Quoted(f"parameters.{name}.cite", p.cite)
    for i, c in enumerate(policy.extra_conditions):
        if c.cite is not None:
            yield Quoted(f"extra_conditions[{i}].cite", c.cite)
    for name, t in policy.tasks.items():
        yield Quoted(f"tasks.{name}.cite", t.cite)


def source_of(policy: Policy, cite: Cite) -> tuple[Optional[str], Optional[Source]]:
    """The source a citation names: by document number or title; none named, the policy's own document."""
    wanted = cite.document or policy.document
    for sid, s in policy.sources.items():
        if wanted in (s.document, s.title):
            return sid, s
    return None, None


def text_of(policy: Policy, cite: Cite) -> Optional[SourceText]:
    sid, _ = source_of(policy, cite)
    return policy.texts.get(sid) if sid is not None else None


def check(policy: Policy, cite: Cite, title: bool = False) -> Finding:
    """Whether a quote is the source's own words. Looked for in the clause it names when the text
    holds that clause; a quote found only in another clause is a misquote naming where it is. A
    clause's title is held to the heading the text gives it; where the text gives none (an article
    of a regulation), the title is the policy's own label and quotes nothing."""
    if not quote_parts(cite.quote):
        return Finding("unchecked", Msg("no quote"))
    text = text_of(policy, cite)
    document = cite.document or policy.document
    if text is None:
        return Finding("unchecked", Msg("the text of {document} is not shipped", document=document))
    if title:
        heading = text.part(cite.clause)
        if heading is None or not heading.title:
            return Finding("label", Msg("the text gives this clause no heading: the title is the policy's own label"))
        if normalise(heading.title) == normalise(cite.quote):
            return Finding("verbatim")
        return Finding("misquote", Msg("{document} {clause} is headed {title!r}", document=document, clause=cite.clause,
                                                 title=heading.title))
    passage = text.passage(cite.clause) if cite.clause else None
    if passage is None:
        if text.excerpt:
            return Finding("unchecked", Msg("{clause} of {document} is not in its shipped excerpt",
                                            clause=cite.clause or "—", document=document))
        if cite.clause and text.clause(cite.clause) is None:
            return Finding("misquote", Msg("{document} has no clause {clause}", document=document, clause=cite.clause))
        passage = text.whole
    if is_verbatim(cite.quote, passage):
        return Finding("verbatim")
    elsewhere = [m for m, c in text.clauses.items() if is_verbatim(cite.quote, c.text)]
    if elsewhere:
        return Finding("misquote", Msg("the words are {document} {found}, not {clause}", document=document,
                                            found="、".join(elsewhere), clause=cite.clause))
    return Finding("misquote", Msg("not the words of {document} {clause}", document=document, clause=cite.clause or "—")
                               + f": first difference at {first_difference(cite.quote, passage)!r}")


def basis(policy: Policy, cite: Cite | None) -> dict[str, str] | None:
    """A reason's legal basis, for the reader: document number, title, clause and the quoted words
    (for a citation whose wording is pending, `pending` says what is to be checked, and no words)."""
    if cite is None:
        return None
    _, source = source_of(policy, cite)
    document = source.document if source else (cite.document or policy.document)
    title = source.title if source else (policy.title if cite.document is None else "")
    # pending: named, not yet quoted (the wording is to be checked); None when the words are quoted
    return {"document": document, "title": title, "clause": cite.clause, "quote": cite.quote,
            "pending": cite.pending if cite.pending and not cite.quote else None}


def clause_in_text(policy: Policy, mark: str) -> bool:
    """Whether the policy's own plan (when its text is known) has a clause with this mark."""
    text = text_of(policy, Cite(clause=mark))
    return text is not None and text.clause(clause_key(mark)) is not None


# Reasons whose legal basis is their parameter's citation rather than their route's (the route's
# clause is broader: §五 bounds the general route, the parameter names the words that set the number).
PARAMETER_OF_REASON = {
    "general.social_insurance": "settlement.general.min_social_insurance_months",
    "general.employment": "settlement.general.min_employment_months",
    "permit.residence_duration": "residence_permit.min_residence_months",
}


def bases(policy: Policy) -> dict[str, dict[str, str]]:
    """The basis of every reason a verdict under this policy can give, by the reason's rule id
    (remembered per policy: every verdict reads it)."""
    from hukou.policy.catalog import RULES  # the catalogue reads the policy file too

    memo = _memo(policy)
    found = memo.get("bases")
    if found is None:
        found = {}
        for entry in RULES:
            if entry.binding.startswith("regulation:"):
                mark = entry.binding.split(":", 1)[1]
                clause = policy.clauses.get(mark)
                cite = Cite(clause=mark, quote=clause.quote, document=clause.document) if clause else None
            else:
                binding = policy.rules.get(entry.binding)
                cite = (binding.basis or Cite(clause=binding.clause, quote=binding.quote, document=binding.document,
                                              pending=binding.pending) if binding else None)
            parameter = policy.parameters.get(PARAMETER_OF_REASON.get(entry.rule, ""))
            if parameter is not None and parameter.cite is not None:
                cite = parameter.cite
            if cite is not None:
                found[entry.rule] = basis(policy, cite)
        for i, c in enumerate(policy.extra_conditions):
            if c.cite is not None:
                found[f"{c.route}.extra.{i + 1}"] = basis(policy, c.cite)
        memo["bases"] = found
    return found
