"""Reports over casework, for those who oversee it: rejections that overrode the rules' verdict
(§五: no hidden thresholds). Reading a report is logged like reading a case.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Header, Request

from hukou.api.applications import Forbidden, current_viewer
from hukou.cases.access import OVERSIGHT, Viewer

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


@router.get("/overridden-rejections", summary="Rejections of people the rules found eligible (the read is logged)")
def overridden_rejections(request: Request, viewer: Viewer = Depends(current_viewer),
                          purpose: str = Header("oversight", alias="X-Purpose")) -> dict[str, Any]:
    if viewer.role not in OVERSIGHT:
        raise Forbidden(f"only {', '.join(sorted(OVERSIGHT))} may read this report")
    store = request.app.state.case_store()
    items = store.overridden_rejections()
    store.log_read(viewer.username, "report.overridden_rejections", f"{len(items)} rejections", purpose, datetime.now())
    return {"items": [{"case": r.case_id, "kind": r.kind, "person_id": r.person_id, "township": r.township,
                       "rejected_at": r.rejected_at.isoformat(), "rejected_by": r.rejected_by,
                       "failed_rule": r.failed_rule, "reason": r.reason, "verdict_date": r.verdict_date,
                       "second_approvers": list(r.second_approvers)} for r in items]}
