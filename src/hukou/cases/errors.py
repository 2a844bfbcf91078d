"""The error every casework check raises: what is wrong, and which field (a 4xx, never a 5xx)."""

from __future__ import annotations


class CaseError(ValueError):
    """An action that cannot be taken: `field` names what is wrong; `status` is its HTTP status
    (422 bad data, 403 not yours to do, 404 no such case, 409 not possible now or someone was first)."""

    def __init__(self, field: str, message: str, status: int = 422):
        self.field, self.message, self.status = field, message, status
        super().__init__(f"{field}: {message}")
