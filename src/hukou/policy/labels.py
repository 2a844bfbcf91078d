"""Names shown to people for statuses, routes, household kinds and key groups, in Chinese and English."""

from __future__ import annotations

WORDS = {
    "zh": {
        "settlement": "落户", "permit": "居住证", "eligible": "符合条件", "ineligible": "不符合条件",
        "undetermined": "尚待确认", "route": "落户方式", "household": "户别", "followers": "随迁人数",
        "key_groups": "重点群体", "missing": "还需了解", "guardian": "未满16周岁，须由监护人代为申领",
        "entitlements": "持证可享受", "endorsement": "签注", "valid": "有效", "suspended": "已中止",
        "counted_from": "居住年限起算", "next_window": "下次签注期",
        "talent": "人才落户（全面放开）", "student": "学生落户（来去自由）", "general": "一般落户（合法稳定住所）",
        "family": "家庭户", "collective": "集体户", "none": "无",
    },
    "en": {
        "settlement": "Settlement", "permit": "Residence permit", "eligible": "eligible", "ineligible": "ineligible",
        "undetermined": "undetermined", "route": "route", "household": "household", "followers": "followers",
        "key_groups": "key groups", "missing": "still to ask", "guardian": "under 16: a guardian applies",
        "entitlements": "entitlements", "endorsement": "endorsement", "valid": "valid", "suspended": "suspended",
        "counted_from": "residence counted from", "next_window": "next window",
        "talent": "talent (fully open)", "student": "student (free to come and go)", "general": "general (legal stable residence)",
        "family": "family household", "collective": "collective household", "none": "none",
    },
}
KEY_GROUP_NAMES = {
    "student_or_military": ("升学参军进城人员", "rural students and soldiers"),
    "long_term_urban": ("在城镇就业居住5年以上", "5+ years urban residence and work"),
    "whole_family": ("举家迁徙", "whole family moving"),
    "new_generation": ("新生代农民工", "new-generation migrant worker"),
}
