"""Layers: a city's file states what it adds to or changes in the rules fixed above it.

`national` holds what national documents fix for every city (国发〔2014〕25号, 国办发〔2016〕72号,
居住证暂行条例, the Administrative Licensing Law's time limit). A province's layer may stand between
(`extends: national`), so that a province runs all its cities' files on its own rules. A city file
`extends:` a layer, `national` when it names none, and the policy is the layers merged, top last:

- `sources`, `clauses`, `rules` and `parameters` merge by key; a city's entry replaces the layer's,
  except that the fields of a source or a parameter merge (a city giving its own `values` keeps the
  layer's unit, but not its citation or description, which speak for the layer's values; a source
  it restates keeps its text), and a
  parameter's `cap` is never taken from the city when the layer has one: a national limit is not the
  city's to move (lint L10 reports a try).
- everything else (`id`, `title`, `document`, `city`, `effective`, conditions, quotas) is the city's.

`departures(policy)` lists every parameter value a city sets that differs from its layers', with both
citations, for lint to show; `loosened(policy)` lists the ones that go past a layer's limit.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from hukou.i18n import Msg, localized

MERGED = ("sources", "clauses", "rules", "parameters")
# values past these caps are lint's own code (L2 insurance-cap); L10 reports only a raised cap for them
CAPPED_BY_LINT = ("settlement.general.min_social_insurance_months",)
# national limits that are not a cap but a fixed number: a city that states another value loosens them
FIXED_BY_LAYER = ("settlement.points.min_urban_population",)
NATIONAL = "national"


def merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """The document `top` on `base` (both plain data as read from YAML): base's keys that top does not
    state, then top's. Neither argument is changed."""
    out = {k: copy.deepcopy(v) for k, v in top.items() if k not in ("layer",)}
    for key in MERGED:
        merged = copy.deepcopy(base.get(key) or {})
        for name, entry in (top.get(key) or {}).items():
            if key in ("parameters", "sources") and isinstance(entry, dict) and isinstance(merged.get(name), dict):
                under = dict(merged[name])
                if key == "parameters" and "values" in entry:
                    # new values need their own citation and words: the layer's speak for the layer's values
                    under.pop("cite", None)
                    under.pop("description", None)
                entry = {**under, **copy.deepcopy(entry)}
                if "cap" in under:
                    entry["cap"] = under["cap"]
            merged[name] = copy.deepcopy(entry)
        if merged:
            out[key] = merged
    return out


@dataclass(frozen=True)
class Departure:
    path: str
    layer: str  # the layer departed from
    base_value: Any
    value: Any
    base_cite: str
    cite: str

    def line(self, lang: str = "en") -> str:
        return localized(Msg("{path}: {value} ({cite}) where {layer} has {base_value} ({base_cite})", path=self.path,
                             value=_show(self.value), cite=self.cite, layer=self.layer,
                             base_value=_show(self.base_value), base_cite=self.base_cite), lang)


def _same_from(under, param, start) -> bool:
    """The two give the same value on every day from `start` (a city restating a national value
    from its own date departs from nothing)."""
    days = {start, *(d for d in (*under.values, *param.values) if d > start)}
    return all(under.at(d) == param.at(d) for d in days)


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_show(v)}" for k, v in value.items())
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _cite_text(cite) -> str:
    if cite is None:
        return Msg("no citation")
    doc = f"{cite.document} " if cite.document else ""
    words = f"「{cite.quote}」" if cite.quote else (Msg("(wording pending: {pending})", pending=cite.pending)
                                                   if cite.pending else "")
    return f"{doc}{cite.clause} {words}".strip()


def departures(policy) -> list[Departure]:
    """Every parameter whose value differs from the layer's on some day the policy is in force, with
    both citations. (Binding a rule to the clause of the city's own plan that states it is not a
    departure: the rule does the same.)"""
    base = policy.base
    if base is None:
        return []
    found = []
    start = policy.effective.start
    for name, param in policy.parameters.items():
        under = base.parameters.get(name)
        if under is None or _same_from(under, param, start):
            continue
        found.append(Departure(f"parameters.{name}", base.id, dict(under.values), dict(param.values),
                               _cite_text(under.cite), _cite_text(param.cite)))
    return found


def loosened(policy) -> list[tuple[str, str]]:
    """(path, message) for each value past a layer's limit: a parameter's value above the layer's
    `cap`, or a cap the city tried to raise (kept out of the merge, and caught here from the file)."""
    base = policy.base
    if base is None:
        return []
    found = []
    for name, param in policy.parameters.items():
        under = base.parameters.get(name)
        if under is None or under.cap is None or name in CAPPED_BY_LINT:
            continue
        for since, value in param.values.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value > under.cap:
                found.append((f"parameters.{name}.values.{since.isoformat()}",
                              Msg("{value} is past the {layer} limit of {cap:g} ({cite})", value=value, layer=base.id,
                                  cap=under.cap, cite=_cite_text(under.cite))))
    start = policy.effective.start
    for name in FIXED_BY_LAYER:
        under, param = base.parameters.get(name), policy.parameters.get(name)
        if under is not None and param is not None and not _same_from(under, param, start):
            found.append((f"parameters.{name}", Msg("{layer} fixes this at {value} ({cite}); a city file may not move it",
                                                    layer=base.id, value=_show(dict(under.values)),
                                                    cite=_cite_text(under.cite))))
    for name, cap in (getattr(policy, "_asked_caps", None) or {}).items():
        under = base.parameters.get(name)
        if under is not None and under.cap is not None and cap > under.cap:
            found.append((f"parameters.{name}.cap", Msg("a cap of {cap:g} would loosen the {layer} limit of {limit:g}",
                                                        cap=cap, layer=base.id, limit=under.cap)))
    return found
