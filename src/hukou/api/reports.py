"""Reports over casework, for those who oversee it: decisions that went against the rules' verdict
(rejecting an eligible person, approving one the rules do not find eligible; §五: no hidden
thresholds). Reading a report is logged like reading a case, with its purpose.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from fastapi import APIRouter, Depends, Request

from hukou.api.applications import Purpose, current_viewer
from hukou.api.models import OverrideOut, OverridesOut
from hukou.cases.access import Viewer
from hukou.cases.purposes import checked_purpose

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


@router.get("/overrides", summary="Decisions against the rules' verdict, with their second approvers (the read is logged)",
            operation_id="report_overrides", response_model=OverridesOut)
def overrides(request: Request, viewer: Viewer = Depends(current_viewer), purpose: Optional[str] = Purpose) -> OverridesOut:
    found = request.app.state.casework().overrides(viewer, checked_purpose(viewer.role, purpose, "X-Purpose")
                                                   if viewer.role != "applicant" else None, datetime.now())
    return OverridesOut(items=[OverrideOut(case=o.case_id, kind=o.kind, township=o.township, decision=o.decision,
                                           decided_at=o.decided_at, decided_by=o.decided_by,
                                           verdict_status=o.verdict_status, verdict_date=o.verdict_date,
                                           failed_rule=o.failed_rule, reason=o.reason,
                                           second_approvers=list(o.second_approvers), effective=o.effective)
                                for o in found])
