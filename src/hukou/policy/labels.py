"""Names shown to people for statuses, routes, household kinds and key groups: English here, the
Chinese in the message catalogue (hukou/i18n), looked up once when this module is loaded."""

from __future__ import annotations

from hukou.i18n import LANGS, Msg, translate

_WORDS = {
    "settlement": Msg("Settlement"),
    "permit": Msg("Residence permit"),
    "eligible": Msg("eligible"),
    "ineligible": Msg("ineligible"),
    "undetermined": Msg("undetermined"),
    "route": Msg("route"),
    "household": Msg("household"),
    "followers": Msg("followers"),
    "key_groups": Msg("key groups"),
    "missing": Msg("still to ask"),
    "guardian": Msg("under 16: a guardian applies"),
    "entitlements": Msg("entitlements"),
    "endorsement": Msg("endorsement"),
    "valid": Msg("valid"),
    "suspended": Msg("suspended"),
    "counted_from": Msg("residence counted from"),
    "next_window": Msg("next window"),
    "talent": Msg("talent (fully open)"),
    "student": Msg("student (free to come and go)"),
    "general": Msg("general (legal stable residence)"),
    "family": Msg("family household"),
    "collective": Msg("collective household"),
    "none": Msg("none"),
}
_KEY_GROUPS = {
    "student_or_military": Msg("rural students and soldiers"),
    "long_term_urban": Msg("5+ years urban residence and work"),
    "whole_family": Msg("whole family moving"),
    "new_generation": Msg("new-generation migrant worker"),
}

WORDS = {lang: {key: translate(word, lang) for key, word in _WORDS.items()} for lang in LANGS}
KEY_GROUP_NAMES = {key: (translate(name, "zh"), translate(name, "en")) for key, name in _KEY_GROUPS.items()}
