"""Who may see which case, and how much of it: permissions as data (pure).

Jurisdiction fails closed. A police station sees the cases of its township; a county approver the
cases of its township or, with an explicit city-wide grant (given only by an administrator), the
whole city; an account with neither sees nothing. An applicant sees the cases they are a party to:
the whole case when they are its applicant, and only what they need to consent when they follow
someone (never the other person's facts or verdict). Auditors read every case (each read logged
with its purpose, like anyone's); leaders and administrators read reports, not cases; departments
get tasks, not cases (a later issue).
"""

from __future__ import annotations

from hukou.cases.case import APPLICANT, Case, state
from hukou.cases.parties import party_of
from hukou.cases.viewer import Viewer

__all__ = ["Viewer", "may_see", "disclosure", "OVERSIGHT", "JURISDICTION_ROLES"]

# who reads the reports over casework (decisions that overrode the rules, §五)
OVERSIGHT = frozenset({"leader", "auditor", "administrator", "county_approver"})
JURISDICTION_ROLES = frozenset({"police_station", "county_approver"})  # each needs a township or a city-wide grant
FULL, FOLLOWER = "full", "follower"


def in_jurisdiction(viewer: Viewer, township: str | None) -> bool:
    if viewer.role not in JURISDICTION_ROLES:
        return False
    if viewer.city_wide and viewer.role == "county_approver":
        return True
    return township is not None and viewer.township is not None and township == viewer.township


def disclosure(viewer: Viewer, case: Case, case_township: str | None) -> str | None:
    """How much of the case `viewer` may see: FULL, FOLLOWER (what a follower needs to consent), or None."""
    if viewer.role == "applicant":
        me = party_of(state(case).parties, viewer.id_number)
        if me is None:
            return None
        return FULL if me.key == APPLICANT else FOLLOWER
    if viewer.role == "auditor" or in_jurisdiction(viewer, case_township):
        return FULL
    return None


def may_see(viewer: Viewer, case: Case, case_township: str | None) -> bool:
    return disclosure(viewer, case, case_township) is not None
