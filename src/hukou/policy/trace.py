"""Three-valued results (Kleene logic) and the Trace: every condition's reason, in order.

A result is `True`, `False` or `None` (unknown). The Trace records, for each condition evaluated,
a Reason (rule, result, values used, parameters, citation, sentences) and, when the result is
unknown, the top-level fact keys that left it unknown, so a verdict asks exactly the questions that
can still change it. Reasons are plain tuples while rules run; `reason_dict` gives the §7 shape.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

from hukou.policy.explain import sentence

Tri = Optional[bool]

TRI_TEXT = {True: "true", False: "false", None: "unknown"}


def all_of(results: Iterable[Tri]) -> Tri:
    """Kleene AND: false wins, then unknown."""
    results = tuple(results)
    if False in results:
        return False
    return None if None in results else True


def any_of(results: Iterable[Tri]) -> Tri:
    """Kleene OR: true wins, then unknown."""
    results = tuple(results)
    if True in results:
        return True
    return None if None in results else False


# A reason while rules run: (rule, result, cite, values, params, text). A plain tuple because a
# verdict makes about twenty of them; `text` is shared between verdicts, copied by reason_dict.
Reason = tuple[str, Tri, str, Optional[dict], Optional[dict], dict]


def reason_dict(r: Reason) -> dict[str, Any]:
    """One entry of a verdict's `reasons` (RULEBOOK §7)."""
    return {"rule": r[0], "result": TRI_TEXT[r[1]], "values": r[3] if r[3] is not None else {},
            "parameters": r[4] if r[4] is not None else {}, "cite": r[2], "text": r[5].copy()}


class Trace:
    """The reasons of one part of a verdict (settlement or permit), and what left each unknown."""

    __slots__ = ("reasons", "unknown")

    def __init__(self) -> None:
        self.reasons: list[Reason] = []
        self.unknown: dict[str, tuple[str, ...]] = {}

    def add(self, rule: str, result: Tri, cite: str, values: dict | None = None, params: dict | None = None,
            unknown: tuple[str, ...] = (), text: dict[str, str] | None = None) -> Tri:
        """Record one condition's result and return it."""
        if text is None:
            text = sentence(rule, result, values, params)
        self.reasons.append((rule, result, cite, values, params, text))
        if result is None and unknown:
            self.unknown[rule] = unknown
        return result

    def missing(self, rules: Iterable[str]) -> list[str]:
        """The unknown keys behind these rules (those still unknown), first seen first."""
        keys: list[str] = []
        for rule in rules:
            for k in self.unknown.get(rule, ()):
                if k not in keys:
                    keys.append(k)
        return keys
