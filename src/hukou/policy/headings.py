"""English readings of the headings of the plans whose text ships, for readers without Chinese.

The Chinese heading is the text (`SourceText.clauses[mark].title`, `SourceText.headings`); these are
our translations, keyed by the plan's document number, then by clause mark or by part heading.
"""

from __future__ import annotations

HEADINGS_EN: dict[str, dict[str, str]] = {
    "昌市政办发〔2018〕67号": {
        "通知": "The notice issuing the plan",
        "一、总体要求": "1. General requirements",
        "二、进一步拓宽落户通道": "2. Wider routes to settlement",
        "三、制定实施配套政策": "3. Supporting policies",
        "四、强化监测检查": "4. Monitoring and inspection",
        "§一": "Guiding thought",
        "§二": "Basic principles",
        "§三": "Main targets",
        "§四": "Settlement opened fully, or widely, to the key groups",
        "§五": "Settlement policy adjusted and completed",
        "§六": "More fiscal support for migrants becoming urban residents, adjusted as numbers change",
        "§七": "Subsidies rewarding the places whose infrastructure takes in more migrants",
        "§八": "Urban building land tied to the number of migrants settled",
        "§九": "Financing of urban infrastructure projects",
        "§十": "The three rural rights of settled farmers kept; a voluntary, paid exit",
        "§十一": "Settled farmers fully within urban housing support",
        "§十二": "Urban basic medical insurance for settled farmers",
        "§十三": "Urban pension insurance and other schemes for settled farmers",
        "§十四": "Equal schooling for settled farmers' children",
        "§十五": "Residence permits for every urban resident not yet settled",
        "§十六": "Settlement statistics",
        "§十七": "Special inspections",
        "§十八": "The policies' effect",
        "§十九": "Audit supervision",
    },
}


def heading_en(document: str, key: str) -> str:
    """The English reading of a clause's title or a part's heading ("" when there is none)."""
    return HEADINGS_EN.get(document, {}).get(key, "")
