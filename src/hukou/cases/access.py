"""Who may see which case: permissions as data. Officers see the cases of their jurisdiction (a
police station its township; the county approver the whole city); an applicant sees the cases they
submitted; auditors see every case (and every read of it is logged like anyone's)."""

from __future__ import annotations

from dataclasses import dataclass

from hukou.cases.case import Case

SEE_ALL = frozenset({"county_approver", "auditor", "administrator", "leader"})
# who reads the reports over casework (rejections that overrode the rules, §五)
OVERSIGHT = frozenset({"leader", "auditor", "administrator", "county_approver"})


@dataclass(frozen=True)
class Viewer:
    username: str
    role: str
    township: str | None  # None: the whole city


def may_see(viewer: Viewer, case: Case, case_township: str | None) -> bool:
    if viewer.role == "applicant":
        return bool(case.actions) and case.actions[0].by == viewer.username
    if viewer.role in SEE_ALL or viewer.township is None:
        return viewer.role != "department"  # departments get tasks, not cases (a later issue)
    if viewer.role == "police_station":
        return case_township is not None and case_township == viewer.township
    return False
