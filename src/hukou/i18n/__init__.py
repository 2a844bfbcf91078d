"""The messages people read, in Chinese and English, from one gettext catalogue.

A message is written in the code in English, as a template with named values:

    raise InputError("township", Msg("expected the 9-digit code of a township of the city ({city}…)", city=code))

`Msg` is a `str` (its English text), so every caller that prints or compares messages keeps
working; `localized(message, lang)` gives it in another language, from the catalogue
`locale/<lang>/LC_MESSAGES/hukou.po`, a gettext file a translator edits (the msgid is the English
template; the msgstr uses the same `{names}`). `make messages` extracts every `Msg(...)` of the
package with Babel and merges new ones into the catalogue; a test fails on any message without a
translation. The `.po` file is read as it is when a message is first localized (a few hundred
entries: milliseconds), so there is no compiled file to keep in step.

Text that is not a `Msg` is looked up whole (a constant message is its own msgid) and otherwise
left as it is: converting a message is one edit at the place that raises it.
"""

from __future__ import annotations

import string
from functools import lru_cache
from importlib import resources
from typing import Any

LANGS = ("zh", "en")
SOURCE = "en"  # the language the messages are written in
DOMAIN = "hukou"


class Msg(str):
    """A message: its English text, with the template and values it was made from."""

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, **values: Any) -> "Msg":
        self = super().__new__(cls, template.format(**values) if values else template)
        self.template, self.values = template, values
        return self

    def __reduce__(self):  # pickled (worker processes, caches) as what it was made from
        return (_rebuild, (self.template, self.values))

    def localized(self, lang: str) -> str:
        template = translate(self.template, lang)
        if not self.values:
            return template
        values = {k: localized(v, lang) if isinstance(v, Msg) else v for k, v in self.values.items()}
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):  # a translation that names another value: the English
            return str(self)


def _rebuild(template: str, values: dict[str, Any]) -> Msg:
    return Msg(template, **values)


def localized(message: Any, lang: str) -> str:
    """The message in `lang` (its English text when the catalogue has no translation)."""
    if isinstance(message, Msg):
        return message.localized(lang)
    text = str(message)
    return translate(text, lang)


def translate(msgid: str, lang: str) -> str:
    if lang == SOURCE or not msgid:
        return msgid
    return catalogue(lang).get(msgid, msgid)


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    """msgid → translation, for the entries that have one and are not marked fuzzy."""
    from babel.messages.pofile import read_po

    path = resources.files("hukou.i18n").joinpath("locale", lang, "LC_MESSAGES", f"{DOMAIN}.po")
    if not path.is_file():
        return {}
    with path.open("rb") as f:
        parsed = read_po(f, locale=lang, domain=DOMAIN)
    return {m.id: m.string for m in parsed if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}


def placeholders(template: str) -> set[str]:
    """The `{names}` a template uses (a translation must use the same)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def lang_of_environment(env: dict[str, str] | None = None) -> str:
    """The language of the command line, from the locale (`LANGUAGE`, `LC_ALL`, `LC_MESSAGES`,
    `LANG`, as gettext reads them): `zh_CN.UTF-8` → zh; C, POSIX or none → English."""
    import os

    env = os.environ if env is None else env
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        for choice in value.split(":") if name == "LANGUAGE" else [value]:
            base = choice.split(".")[0].split("_")[0].split("-")[0].lower()
            if base in LANGS:
                return base
            if base in ("c", "posix"):
                return SOURCE
        if value:
            return SOURCE
    return SOURCE


def lang_of_header(accept_language: str | None, default: str = SOURCE) -> str:
    """The first language of an Accept-Language header this service speaks (`zh-CN;q=0.9, en` → zh)."""
    if not accept_language:
        return default
    ranked = []
    for i, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if q > 0:  # q=0: "not this one"
            ranked.append((-q, i, tag.strip().lower()))
    for _, _, tag in sorted(ranked):
        base = tag.split("-")[0]
        if base in LANGS:
            return base
        if tag == "*":
            return default
    return default
