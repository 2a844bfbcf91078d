"""Three-valued results (Kleene) and the Finding: one condition's result with what it read.

A result is `True`, `False` or `None` (unknown). A Finding also names the top-level fact keys
whose unknown values left it unknown, so a verdict can ask exactly the questions that matter.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

Tri = Optional[bool]

TRI_TEXT = {True: "true", False: "false", None: "unknown"}


def all_of(results: Iterable[Tri]) -> Tri:
    """Kleene AND: false wins, then unknown."""
    unknown = False
    for r in results:
        if r is False:
            return False
        if r is None:
            unknown = True
    return None if unknown else True


def any_of(results: Iterable[Tri]) -> Tri:
    """Kleene OR: true wins, then unknown."""
    unknown = False
    for r in results:
        if r is True:
            return True
        if r is None:
            unknown = True
    return None if unknown else False


class Finding:
    """One condition evaluated at D: rule id, result, the values and parameters it used, its citation."""

    __slots__ = ("rule", "result", "values", "params", "unknown", "cite")

    def __init__(self, rule: str, result: Tri, values: dict[str, Any] | None = None,
                 params: dict[str, Any] | None = None, unknown: tuple[str, ...] = (), cite: str = ""):
        self.rule = rule
        self.result = result
        self.values = values or {}
        self.params = params or {}
        self.unknown = unknown if result is None else ()
        self.cite = cite

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Finding({self.rule}={TRI_TEXT[self.result]}, {self.values})"


def unknown_keys(findings: Iterable[Finding]) -> list[str]:
    """The top-level keys behind the unknown findings, first seen first."""
    keys: list[str] = []
    for f in findings:
        if f.result is None:
            for k in f.unknown:
                if k not in keys:
                    keys.append(k)
    return keys
