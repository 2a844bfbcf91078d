"""Policy files shipped with hukou, and loading a policy by name or by path, with the published
texts of the sources it cites (`sources.<id>.text`: a text shipped in `texts/`, or a file beside
the policy file)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from hukou.i18n import Msg
from hukou.policy.errors import InputError
from hukou.policy.layering import NATIONAL, merge
from hukou.policy.policy_file import Layer, Policy, parse_policy
from hukou.policy.source_text import ClauseText, SourceText, parse_plan

DEFAULT_POLICY = "changji-2018"


@lru_cache(maxsize=1)
def shipped() -> tuple[str, ...]:
    """Names of the policies that ship in the package."""
    return tuple(sorted(p.name[:-5] for p in resources.files(__name__).iterdir() if p.name.endswith(".yaml")))


class DocumentLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """YAML's safe loader without timestamps: `1980-13-45` stays text, which the facts and policy
    parsers then report naming the field (PyYAML's own date constructor raises on impossible dates).
    libyaml's parser when PyYAML has it (a policy, its layer and its texts are six documents: ~0.1 s
    in pure Python, a tenth of that in C); the resolvers and constructors are Python's either way."""


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
        problem = getattr(exc, "problem", None) or Msg("not valid YAML or JSON")
        message = (Msg("line {line}, column {column}: {problem} (expected YAML or JSON)", line=mark.line + 1,
                       column=mark.column + 1, problem=problem) if mark else
                   Msg("{problem} (expected YAML or JSON)", problem=problem))
        raise InputError("", message, source) from None


def load_path(path: str | Path) -> Policy:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else Msg("not UTF-8 text")
        raise InputError("", Msg("cannot read policy file: {why}", why=why), str(path)) from None
    return _city(read_document(text, str(path)), str(path), path.parent)


def shipped_layers() -> tuple[str, ...]:
    """The layers that ship with hukou (`national`; provinces' as they are added)."""
    return tuple(sorted(p.name[:-5] for p in resources.files(__name__).joinpath("layers").iterdir()
                        if p.name.endswith(".yaml")))


def merged_document(name_or_path: str = DEFAULT_POLICY) -> dict:
    """A city's file merged onto its layers: the plain data its Policy is parsed from (for tools
    that change one field and parse it again)."""
    if name_or_path in shipped():
        text, source, folder = resources.files(__name__).joinpath(f"{name_or_path}.yaml").read_text(encoding="utf-8"), name_or_path, None
    else:
        path = Path(name_or_path)
        text, source, folder = path.read_text(encoding="utf-8"), str(path), path.parent
    return _merged(read_document(text, source), source, folder)[0]


def _merged(data: dict, source: str, folder: Path | None) -> tuple[dict, Layer]:
    """A city's document on the layers it extends (`national` when it names none), and that layer."""
    base_name = data.get("extends") or NATIONAL
    base_raw, base = _layer(str(base_name), folder, source, ())
    return {**merge(base_raw, data), "extends": base_name}, base


def _city(data, source: str, folder: Path | None) -> Policy:
    """A city's policy: its file merged onto the layers it extends, with the texts its sources name."""
    if isinstance(data, dict) and "layer" in data:
        raise InputError("layer", Msg("this is the {layer} layer, not a city's policy: a city file extends it "
                                      "(extends: {extends})", layer=data.get("id", "?"),
                                      extends=data.get("id", NATIONAL)), source)
    if not isinstance(data, dict):
        return parse_policy(data, source=source)  # the error names what the top of the file is
    merged, base = _merged(data, source, folder)
    policy = parse_policy(merged, source=source)
    policy._base = base
    policy._asked_caps = {name: p["cap"] for name, p in (data.get("parameters") or {}).items()
                          if isinstance(p, dict) and isinstance(p.get("cap"), (int, float))}
    return _with_texts(policy, folder, source)


def _layer(name: str, folder: Path | None, source: str, seen: tuple[str, ...]) -> tuple[dict, Layer]:
    """A layer by name (shipped, or a file beside the city's), merged onto the layers below it."""
    if name in seen:
        raise InputError("extends", Msg("layers extend each other in a circle: {circle}",
                                        circle=" → ".join((*seen, name))), source)
    raw, origin = _beside_or_shipped(name, folder, "layers", f"{name}.yaml", shipped_layers(), "extends", "layer", source)
    data = read_document(raw, origin)
    if not isinstance(data, dict) or "layer" not in data:
        raise InputError("layer", Msg("expected a layer (a file with `layer: national` or `layer: province`)"), origin)
    if data.get("extends"):
        below, _ = _layer(str(data["extends"]), folder, origin, (*seen, name))
        data = {**merge(below, data), "layer": data["layer"]}
    layer = parse_policy(data, source=origin, model=Layer)
    return data, _with_texts(layer, folder, origin)


def _beside_or_shipped(name: str, folder: Path | None, shipped_folder: str, shipped_file: str,
                       shipped_names: tuple[str, ...], field: str, what: str, source: str | None) -> tuple[str, str]:
    """(text, where it came from): a file `name` beside the policy file, else one that ships."""
    near = folder / name if folder is not None else None
    if near is not None and near.is_file():
        return near.read_text(encoding="utf-8"), str(near)
    if name in shipped_names:
        return (resources.files(__name__).joinpath(shipped_folder, shipped_file).read_text(encoding="utf-8"),
                f"hukou:{shipped_folder}/{shipped_file}")
    shipped_list = ", ".join(shipped_names)
    if what == "layer":
        raise InputError(field, Msg("no layer named {name!r} beside the policy file nor shipped (shipped: {shipped})",
                                    name=name, shipped=shipped_list), source)
    raise InputError(field, Msg("no text named {name!r} beside the policy file nor shipped (shipped: {shipped})",
                                name=name, shipped=shipped_list), source)


def shipped_texts() -> tuple[str, ...]:
    """The published texts that ship with hukou (file names in `texts/`)."""
    return tuple(sorted(p.name for p in resources.files(__name__).joinpath("texts").iterdir()
                        if p.name.endswith((".txt", ".yaml"))))


def _with_texts(policy, folder: Path | None, source: str):
    for sid, s in policy.sources.items():
        if s.text:
            policy.texts[sid] = read_source_text(s.text, s.document, s.title, folder, f"{source}: sources.{sid}.text")
    return policy


def read_source_text(name: str, document: str, title: str, folder: Path | None = None, where: str = "") -> SourceText:
    """A source's text: a file beside the policy file when there is one, else a shipped text.
    A `.txt` file is a plan as published; a `.yaml` file holds an excerpt, clause by clause."""
    raw, origin = _beside_or_shipped(name, folder, "texts", name, shipped_texts(), "text", "text", where or None)
    if name.endswith(".txt"):
        return parse_plan(raw, document, title, origin)
    data = read_document(raw, origin)
    try:
        clauses = {str(mark): ClauseText(str(mark), str(c.get("title", "")), str(c["text"]).strip())
                   for mark, c in (data.get("clauses") or {}).items()}
        return SourceText(str(data.get("document", document)), str(data.get("title", title)),
                          bool(data.get("excerpt", True)), clauses, origin)
    except (AttributeError, KeyError, TypeError) as exc:
        raise InputError("clauses", Msg("expected clauses as MARK: {{title, text}} ({reason})", reason=str(exc)),
                         origin) from None


@lru_cache(maxsize=32)
def load(name_or_path: str = DEFAULT_POLICY) -> Policy:
    """A shipped policy by name (`changji-2018`), or a policy file by path."""
    if name_or_path in shipped():
        text = resources.files(__name__).joinpath(f"{name_or_path}.yaml").read_text(encoding="utf-8")
        return _city(read_document(text, name_or_path), name_or_path, None)
    if Path(name_or_path).exists():
        return load_path(name_or_path)
    raise InputError("policy", Msg("no shipped policy or file named {name!r} (shipped: {shipped})", name=name_or_path,
                                   shipped=", ".join(shipped())))
