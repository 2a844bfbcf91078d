"""Policy files shipped with hukou, and loading a policy by name or by path."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from hukou.policy.errors import InputError
from hukou.policy.policy_file import Policy, parse_policy

DEFAULT_POLICY = "changji-2018"


@lru_cache(maxsize=1)
def shipped() -> tuple[str, ...]:
    """Names of the policies that ship in the package."""
    return tuple(sorted(p.name[:-5] for p in resources.files(__name__).iterdir() if p.name.endswith(".yaml")))


class DocumentLoader(yaml.SafeLoader):
    """YAML's safe loader without timestamps: `1980-13-45` stays text, which the facts and policy
    parsers then report naming the field (PyYAML's own date constructor raises on impossible dates)."""


DocumentLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
DocumentLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def read_document(text: str, source: str):
    """Parse YAML (which also reads JSON), dates as text; a file that is neither is an input error."""
    try:
        return yaml.load(text, Loader=DocumentLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML or JSON"
        raise InputError("", f"{where}{problem} (expected YAML or JSON)", source) from None


def load_path(path: str | Path) -> Policy:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("", f"cannot read policy file: {exc.strerror if isinstance(exc, OSError) else exc}", str(path)) from None
    return parse_policy(read_document(text, str(path)), source=str(path))


@lru_cache(maxsize=32)
def load(name_or_path: str = DEFAULT_POLICY) -> Policy:
    """A shipped policy by name (`changji-2018`), or a policy file by path."""
    if name_or_path in shipped():
        text = resources.files(__name__).joinpath(f"{name_or_path}.yaml").read_text(encoding="utf-8")
        return parse_policy(read_document(text, name_or_path), source=name_or_path)
    if Path(name_or_path).exists():
        return load_path(name_or_path)
    raise InputError("policy", f"no shipped policy or file named {name_or_path!r} (shipped: {', '.join(shipped())})")
