"""A reform: a policy with some parameters changed, to try before the change is made.

A reform file names the parameters it changes. A plain value replaces the parameter at every date;
`{values: {DATE: VALUE}}` replaces its dated values. The citation stays the baseline's, with the
reform's title noted beside it (never inside the quote), so a reform's verdicts still say which clause they bend.
"""

from __future__ import annotations

from typing import Any

from hukou.policy.errors import InputError
from hukou.policy.policy_file import PARAMETER_TYPES, Policy, parse_policy

REFORM_KEYS = ("title", "parameters")


def apply_reform(policy: Policy, reform: Any, source: str = "reform") -> Policy:
    """The policy with the reform's parameters; errors name the field of the reform (file) `source`."""
    if not isinstance(reform, dict):
        raise InputError("", "expected a mapping with title and parameters", source)
    for key in reform:
        if key not in REFORM_KEYS:
            raise InputError(key, f"unknown key (expected one of {', '.join(REFORM_KEYS)})", source)
    changes = reform.get("parameters")
    if not isinstance(changes, dict) or not changes:
        raise InputError("parameters", "expected a mapping of parameter names to new values", source)
    data = policy.model_dump(by_alias=True, exclude_none=True)
    title = str(reform.get("title") or "reform")
    for name, change in changes.items():
        if name not in PARAMETER_TYPES:
            raise InputError(f"parameters.{name}", f"unknown parameter; known: {', '.join(PARAMETER_TYPES)}", source)
        param = data["parameters"].setdefault(name, {"values": {}})
        if isinstance(change, dict):
            if set(change) != {"values"}:
                raise InputError(f"parameters.{name}", "expected a value, or {values: {DATE: VALUE}}", source)
            param["values"] = change["values"]
        else:
            param["values"] = {policy.effective.start: change}
        cite = param.get("cite") or {}
        param["cite"] = {**cite, "note": f"改革试算：{title}"}  # beside the quote: the quote stays the text's words
    data["id"] = f"{policy.id}+reform"
    data["title"] = f"{policy.title}（{title}）"
    reformed = parse_policy(data, source=source)
    reformed.texts.update(policy.texts)
    return reformed
