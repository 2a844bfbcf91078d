"""What a reader asks of the work queue (pure): filters, a search, an order and a page, checked, and
what a search text is.

A search text is read as a citizen ID number (18 characters, spaces ignored, x as X), a case number
(昌落2026-000123, also typed with spaces or a full-width dash: cases/numbers.py), or else part of a
name. Every door (API, web) builds a query from its own parameters; the queue checks it (`checked`)
the same way for all before the store runs it (store/case_queue.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hukou.cases import case as C
from hukou.cases.numbers import looks_like_case_number, normalized
from hukou.cases.queue_columns import STATUS_ORDER
from hukou.i18n import Msg
from hukou.policy.errors import InputError

MAX_PAGE_SIZE = 100
PAGE_SIZE = 50
SORTS = ("due", "submitted", "newest", "status")  # due date (none last); oldest or newest submission; status
STATUS_CHOICES = ("open", "finished", "all") + STATUS_ORDER  # open: not finished (an officer's default)
MAX_SEARCH = 40
_ID_NUMBER = re.compile(r"^[0-9]{17}[0-9X]$")


@dataclass(frozen=True)
class QueueQuery:
    """What a viewer asks of the queue; `status` None: open cases (an applicant: all; a search: all)."""

    kind: str | None = None
    status: str | None = None
    township: str | None = None
    overdue: bool = False
    waiting: bool = False  # waiting for me: the viewer's role has the turn (a county approver: sent up to them)
    search: str = ""
    sort: str = "due"
    page: int = 1
    page_size: int = PAGE_SIZE

def checked(query: QueueQuery) -> QueueQuery:
    """The query, or an InputError naming the parameter at fault."""
    if query.kind is not None and query.kind not in C.KINDS:
        raise InputError("kind", Msg("expected one of {choices}", choices=", ".join(C.KINDS)))
    if query.status is not None and query.status not in STATUS_CHOICES:
        raise InputError("status", Msg("expected one of {choices}", choices=", ".join(STATUS_CHOICES)))
    if query.township is not None and not (len(query.township) == 9 and query.township.isdigit()):
        raise InputError("township", Msg("expected the 9-digit code of a township"))
    if query.sort not in SORTS:
        raise InputError("sort", Msg("expected one of {choices}", choices=", ".join(SORTS)))
    if not isinstance(query.page, int) or query.page < 1:
        raise InputError("page", Msg("expected a page number from 1"))
    if not isinstance(query.page_size, int) or not 1 <= query.page_size <= MAX_PAGE_SIZE:
        raise InputError("page_size", Msg("expected a page size of 1 to {max}", max=MAX_PAGE_SIZE))
    if len(query.search) > MAX_SEARCH:
        raise InputError("q", Msg("search for a name, an ID number or a case number (at most {max} characters)",
                                  max=MAX_SEARCH))
    return query


def search_terms(text: str) -> tuple[str, str]:
    """(kind, value) of a search text: ("id_number", the number), ("number", the case number),
    ("name", part of a name) or ("", "") for none."""
    text = text.strip()
    compact = re.sub(r"\s+", "", text).upper()
    if not compact:
        return "", ""
    if _ID_NUMBER.match(compact):
        return "id_number", compact
    if looks_like_case_number(text):
        return "number", normalized(text)
    return "name", text
